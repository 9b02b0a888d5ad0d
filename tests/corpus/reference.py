"""CPython's answer to a tools/call, built as Conduit's python backend builds it, and a strict
comparison of two answers as JSON.

`python_answer(tool, arguments)` is what `conduit.python_backend.server._RegistryServer` answers,
after the SDK has put it on the wire and a client has parsed it back with `json.loads`:

- arguments that do not fit the signature: `{"error": {"code": -32602, "message": ...}}`, the
  JSON-RPC error member of the response (a JSON-RPC error, not a tool result);
- a tool that raises an `Exception`: `error_result(exception_message(exc))`;
- a value that cannot be encoded (json.dumps refuses it: a set, an int of more than 4300 digits):
  what the SDK makes of the exception, `{"content": [{"type": "text", "text": str(exc)}],
  "isError": True}`;
- otherwise `tool_result(tool, value)`.

`compare(native, python)` compares two such answers the way a client would notice a difference:
`isError`, every content block's type and exact text, and `structuredContent` as JSON with strict
types (1 is not 1.0, True is not 1, -0.0 is not 0.0) and the key order of every object (Python
dicts keep insertion order, so a JSON object's key sequence is part of the answer). Other
members of the result (`resultType`, `_meta`) are not compared.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import mcp_types

from conduit.python_backend.arguments import ArgumentError, decode_arguments
from conduit.python_backend.results import error_result, exception_message, tool_result
from conduit.tools import Tool

INVALID_PARAMS = -32602


def python_answer(tool: Tool, arguments: Any) -> dict[str, Any]:
    """Call `tool.fn` in this process and return the tools/call answer a client would parse.

    `arguments` is the request's `arguments` member as JSON gives it (it is copied first: the
    tool may mutate what it is given, and the caller may reuse the dict).
    """
    arguments = copy.deepcopy(arguments)
    try:
        kwargs = decode_arguments(tool, arguments)
    except ArgumentError as exc:
        return {"error": {"code": INVALID_PARAMS, "message": str(exc)}}
    try:
        value = tool.fn(**kwargs)
    except Exception as exc:  # the python backend answers a tool's failure as its result
        return _on_the_wire(error_result(exception_message(exc)))
    try:
        return _on_the_wire(tool_result(tool, value))
    except Exception as exc:  # the SDK's answer when the result cannot be built or encoded
        return _on_the_wire({"content": [{"type": "text", "text": str(exc)}], "isError": True})


def _on_the_wire(result: dict[str, Any]) -> dict[str, Any]:
    """The result as the SDK serializes it (pydantic: tuples become lists, int keys strings, NaN
    and infinities null) and a client parses it back."""
    model = mcp_types.CallToolResult.model_validate(result)
    return json.loads(model.model_dump_json(by_alias=True, exclude_none=True))


def compare(native_result: Any, python_result: Any) -> str | None:
    """The first difference between two tools/call answers, described in one line, or None."""
    native_error = _rpc_error(native_result)
    python_error = _rpc_error(python_result)
    if native_error is not None or python_error is not None:
        if native_error is None or python_error is None:
            which = "native" if native_error is not None else "python"
            return f"only {which} answered with a JSON-RPC error: {native_error or python_error}"
        return _diff(native_error, python_error, "error")
    if not isinstance(native_result, dict) or not isinstance(python_result, dict):
        return f"answer is not an object: native {_show(native_result)}, python {_show(python_result)}"
    native_is_error = native_result.get("isError", False)
    python_is_error = python_result.get("isError", False)
    if native_is_error is not python_is_error:
        return f"isError: native {_show(native_is_error)}, python {_show(python_is_error)}"
    difference = _diff_content(native_result.get("content"), python_result.get("content"))
    if difference:
        return difference
    if ("structuredContent" in native_result) != ("structuredContent" in python_result):
        which = "native" if "structuredContent" in native_result else "python"
        return f"structuredContent: only {which} has it"
    if "structuredContent" in native_result:
        return _diff(native_result["structuredContent"], python_result["structuredContent"], "structuredContent")
    return None


def _rpc_error(answer: Any) -> Any:
    if isinstance(answer, dict) and "error" in answer and "content" not in answer:
        return answer["error"]
    return None


def _diff_content(native: Any, python: Any) -> str | None:
    if not isinstance(native, list) or not isinstance(python, list):
        return _diff(native, python, "content")
    if len(native) != len(python):
        return f"content: native has {len(native)} block(s), python {len(python)}"
    for i, (a, b) in enumerate(zip(native, python)):
        where = f"content[{i}]"
        if not isinstance(a, dict) or not isinstance(b, dict):
            return _diff(a, b, where)
        if a.get("type") != b.get("type"):
            return f"{where}.type: native {_show(a.get('type'))}, python {_show(b.get('type'))}"
        if a.get("text") != b.get("text"):
            return f"{where}.text: {_text_difference(a.get('text'), b.get('text'))}"
    return None


def _text_difference(a: Any, b: Any) -> str:
    if not isinstance(a, str) or not isinstance(b, str):
        return f"native {_show(a)}, python {_show(b)}"
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, at - 20)
    return (
        f"differs at character {at} (lengths {len(a)} and {len(b)}): "
        f"native ...{a[start : at + 20]!r}, python ...{b[start : at + 20]!r}"
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _diff(a: Any, b: Any, path: str) -> str | None:
    kind_a, kind_b = _kind(a), _kind(b)
    if kind_a != kind_b:
        return f"{path}: native {_show(a)} ({kind_a}), python {_show(b)} ({kind_b})"
    if kind_a == "object":
        keys_a, keys_b = list(a), list(b)
        if keys_a != keys_b:
            missing = [k for k in keys_b if k not in a]
            extra = [k for k in keys_a if k not in b]
            if missing or extra:
                return f"{path}: keys missing natively {missing}, extra natively {extra}"
            return f"{path}: key order: native {keys_a}, python {keys_b}"
        for key in keys_a:
            difference = _diff(a[key], b[key], f"{path}.{key}")
            if difference:
                return difference
        return None
    if kind_a == "list":
        if len(a) != len(b):
            return f"{path}: native has {len(a)} item(s), python {len(b)}: native {_show(a)}, python {_show(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            difference = _diff(x, y, f"{path}[{i}]")
            if difference:
                return difference
        return None
    if kind_a == "float":
        return None if repr(a) == repr(b) else f"{path}: native {a!r}, python {b!r}"
    if a != b:
        if kind_a == "str":
            return f"{path}: {_text_difference(a, b)}"
        return f"{path}: native {_show(a)}, python {_show(b)}"
    return None


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
