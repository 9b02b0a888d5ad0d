"""Batched calls on the python backend, as the native server answers them (runtime/batch.codon).

The SDK knows neither: it refuses JSON-RPC batch arrays in every revision and reads a tools/call
without a `name` as invalid params. `Batches` sits in front of the SDK's ASGI app and

- hands `tools/call` with `params.batch` to the SDK as a call of the internal tool `BATCH_TOOL`
  (arguments: the batch), so the SDK still frames the reply in either era; `run_batch` answers
  that call by running the items side by side;
- answers a JSON-RPC batch array when the request is of 2025-03-26 (no MCP-Protocol-Version
  header means 2025-03-26, as the spec says) by sending each message to the SDK as its own
  request, at once, and joining the answers in order (notifications get none; only those: 202),
  and refuses it in the later revisions with the native server's error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import mcp_types as types
import pydantic_core
from mcp.shared.exceptions import MCPError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .results import error_result

BATCH_TOOL = "conduit/batch"  # never listed; a "/" is not allowed in a tool's own name
MAX_BATCH = 64
BATCH_ARRAY_VERSION = "2025-03-26"

Call = Callable[[str, dict[str, Any]], Awaitable[types.CallToolResult]]


async def run_batch(items: Any, call: Call) -> dict[str, Any]:
    """The batch's CallToolResult: each item's result in its slot, in order (see batch.codon)."""
    if not isinstance(items, list):
        raise MCPError(
            types.INVALID_PARAMS, 'Invalid params: \'batch\' must be a list of {"name": ..., "arguments": {...}} calls'
        )
    if not items:
        raise MCPError(types.INVALID_PARAMS, "Invalid params: 'batch' is empty; give it at least one call")
    if len(items) > MAX_BATCH:
        raise MCPError(
            types.INVALID_PARAMS,
            f"Invalid params: 'batch' has {len(items)} calls, more than the {MAX_BATCH} one request may carry; "
            "split it",
        )
    slots: list[dict[str, Any]] = [{}] * len(items)

    async def one(index: int, item: Any) -> None:
        slots[index] = await _run_item(item, call)

    async with anyio.create_task_group() as group:
        for index, item in enumerate(items):
            group.start_soon(one, index, item)
    structured = {"results": slots}
    text = json.dumps(structured, separators=(",", ":"), ensure_ascii=False)
    return {"content": [{"type": "text", "text": text}], "structuredContent": structured, "isError": False}


async def _run_item(item: Any, call: Call) -> dict[str, Any]:
    if not isinstance(item, dict):
        return _invalid("Invalid params: a batch item must be an object with a 'name'")
    name = item.get("name")
    if not isinstance(name, str):
        return _invalid("Invalid params: a batch item needs a string 'name'")
    arguments = item.get("arguments", item.get("args"))
    if arguments is not None and not isinstance(arguments, dict):
        return _invalid("Invalid arguments: expected an object")
    try:
        result = await call(name, arguments or {})
    except MCPError as exc:
        return _invalid(exc.error.message, exc.error.code)
    slot = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    slot.pop("resultType", None)  # the batch's own result carries it, once
    return slot


def _invalid(message: str, code: int = types.INVALID_PARAMS) -> dict[str, Any]:
    return {**error_result(message), "error": {"code": code, "message": message}}


class Batches:
    """`inner` (the SDK's app) with params.batch and 2025-03-26 batch arrays; see the module."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/mcp":
            return await self.inner(scope, receive, send)
        body = await _read_body(receive)
        try:
            # JSON where both Python's parser and the SDK's read it (the SDK answers the rest -32700)
            pydantic_core.from_json(body)
            message = json.loads(body)
        except (ValueError, RecursionError):
            message = None
        if isinstance(message, list) and message:
            return await self._array(scope, message, send)
        if _is_batch_call(message):
            params = message["params"]
            call = {"name": BATCH_TOOL, "arguments": {"batch": params["batch"]}}
            if "_meta" in params:
                call["_meta"] = params["_meta"]
            body = json.dumps({**message, "params": call}).encode()
            scope = _with_header(scope, b"mcp-name", BATCH_TOOL.encode())
        await self.inner(scope, _replay(body, receive), send)

    async def _array(self, scope: Scope, messages: list[Any], send: Send) -> None:
        version = Headers(scope=scope).get("mcp-protocol-version")
        if version is not None and version != BATCH_ARRAY_VERSION:
            text = (
                f"Invalid Request: JSON-RPC batch arrays exist only in protocol version {BATCH_ARRAY_VERSION} "
                f"(removed in 2025-06-18; this request says {version}); send one message per request, "
                "or many tool calls as one tools/call with params.batch"
            )
            return await _send_json(send, 400, _rpc_error(types.INVALID_REQUEST, text))
        answers: list[bytes | None] = [None] * len(messages)
        session: list[tuple[bytes, bytes]] = []

        async def one(index: int, message: Any) -> None:
            if not isinstance(message, dict):
                error = _rpc_error(types.INVALID_REQUEST, "Invalid Request: expected a JSON-RPC request object")
                answers[index] = json.dumps(error, separators=(",", ":")).encode()
                return
            status, headers, data = await _capture(self, scope, json.dumps(message).encode())
            session.extend((k, v) for k, v in headers if k.lower() == b"mcp-session-id")
            if status != 202 and data:
                answers[index] = data

        async with anyio.create_task_group() as group:
            for index, message in enumerate(messages):
                group.start_soon(one, index, message)
        kept = [a for a in answers if a is not None]
        if not kept:
            return await _send_raw(send, 202, b"", [])
        await _send_raw(send, 200, b"[" + b",".join(kept) + b"]", session[:1], b"application/json")


def _is_batch_call(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and message.get("method") == "tools/call"
        and isinstance(message.get("params"), dict)
        and "batch" in message["params"]
    )


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, then: Receive | None = None) -> Receive:
    """`body` as the request's one message; after it, what `then` receives (a disconnect), or nothing."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            if then is not None:
                return await then()
            await anyio.sleep_forever()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _with_header(scope: Scope, name: bytes, value: bytes) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != name] + [(name, value)]
    return {**scope, "headers": headers}


async def _capture(app: Batches, scope: Scope, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """One message through `app` (so a params.batch inside an array works too): status, headers, body."""
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []
    done = anyio.Event()

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    length = str(len(body)).encode()
    scope = _with_header(scope, b"content-length", length)
    async with anyio.create_task_group() as group:

        async def run() -> None:
            await app(scope, _replay(body), send)
            done.set()

        group.start_soon(run)
        await done.wait()
        group.cancel_scope.cancel()
    return status, headers, b"".join(chunks)


def _rpc_error(code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    await _send_raw(send, status, json.dumps(body, separators=(",", ":")).encode(), [], b"application/json")


async def _send_raw(
    send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]], content_type: bytes | None = None
) -> None:
    headers = [(b"content-length", str(len(body)).encode()), *extra]
    if content_type:
        headers.append((b"content-type", content_type))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
