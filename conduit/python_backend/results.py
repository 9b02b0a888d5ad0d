"""Turn a tool's return value into a tools/call result, the way the native encoders do.

The text block is the result itself for a str and `json.dumps(result, indent=2)` otherwise (the
reference SDK's layout); typed tools also carry `structuredContent`, wrapped as `{"result": ...}`
unless the tool returns an object. A generator tool's result is the list of what it yielded
(`item_text` is how each item travels in a progress event's message: compact JSON).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..tools import Tool


def tool_result(tool: Tool, value: Any) -> dict[str, Any]:
    if tool.streams and not isinstance(value, list):
        value = list(value)
    if tool.returns is not None and tool.returns.kind == "none":
        return {"content": [], "isError": False}
    text = value if isinstance(value, str) else json.dumps(value, indent=2)
    result: dict[str, Any] = {"content": [{"type": "text", "text": text}], "isError": False}
    if tool.structured:
        result["structuredContent"] = {"result": value} if tool.wraps_result else value
    return result


def error_result(message: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": message}], "isError": True}


def exception_message(exc: BaseException) -> str:
    """What a client sees when a tool raises: the exception's message, or its class name if it has none."""
    return str(exc) or type(exc).__name__


def timeout_message(name: str, seconds: float) -> str:
    """The native pool's wording (runtime/pool.codon's timeout_message)."""
    limit = f"{seconds:g}"
    return (
        f"tool '{name}' timed out: it did not finish within {limit} s on the worker pool; raise the limit "
        "with Conduit(call_timeout=...) or @app.tool(timeout=...) (0 waits for ever)"
    )


def item_text(item: Any) -> str:
    """A yielded item as a progress event's message: compact JSON, as the native server writes it."""
    return json.dumps(item, separators=(",", ":"))
