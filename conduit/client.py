"""Call a tool on a running server with one stateless JSON-RPC request, as `%conduit_call` does.

The official SDK's `Client` is the reference client (the quickstart notebook uses it); this is
one POST, without a session, so a notebook cell or a benchmark can call a tool in a millisecond.
"""

from __future__ import annotations

from typing import Any

import httpx

from .errors import ConduitError

__all__ = ["ToolCallError", "call_tool"]

_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


class ToolCallError(ConduitError):
    """The tool ran and failed (its `isError` result), or the server refused the call."""


def call_tool(url: str, tool: str, arguments: dict[str, Any], *, unwrap: bool = False, timeout: float = 30.0) -> Any:
    """The tool's result: its structured content (unwrapped from `{"result": ...}` when `unwrap`),
    else its text.

    Raises:
        ToolCallError: the tool raised, or the arguments were refused; the message is the server's.
    """
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    response = httpx.post(url, json=body, headers=_HEADERS, timeout=timeout)
    if response.status_code != 200:
        raise ToolCallError(f"{tool}: the server answered HTTP {response.status_code}: {response.text.strip()}")
    reply = response.json()
    if "error" in reply:
        raise ToolCallError(f"{tool}: {reply['error'].get('message', reply['error'])}")
    result = reply["result"]
    text = "".join(part.get("text", "") for part in result.get("content", ()) if part.get("type") == "text")
    if result.get("isError"):
        raise ToolCallError(f"{tool} raised: {text}")
    if "structuredContent" in result:
        content = result["structuredContent"]
        return content["result"] if unwrap else content
    return text
