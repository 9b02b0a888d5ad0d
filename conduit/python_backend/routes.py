"""The python backend's routes: an ASGI app that answers every path but /mcp from the route table.

It follows the rules of conduit.routing exactly as the generated native dispatcher does, and
writes the same responses (JSON errors, `Allow`, HEAD without a body), so one route suite passes
on both backends. Handlers run in a worker thread, as tools do: a slow handler blocks no other
request.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from typing import Any

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from ..routing import MCP_PATH, RouteTable
from ..web import JSON, TEXT, BadRequest, Request, Response, encode_body


class RouteApp:
    """`/mcp` goes to `inner` (the SDK's app); everything else to the routes."""

    def __init__(self, inner: ASGIApp, routes: RouteTable, max_body_bytes: int, call_timeout: float = 0) -> None:
        self.inner = inner
        self.routes = routes
        self.max_body_bytes = max_body_bytes
        self.call_timeout = call_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == MCP_PATH:
            return await self.inner(scope, receive, send)
        method = scope["method"]
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        found = self.routes.find(method, path)
        if found is None:
            return await self._unrouted(method, path, send)
        endpoint, params = found
        body = await self._body(receive)
        if body is None:
            return await _send(send, 413, *_error("Content Too Large"), head=method == "HEAD")
        request = Request(
            method, path, params, scope.get("query_string", b"").decode("latin-1"), scope["headers"], body
        )
        route = endpoint.route
        limit = route.timeout if route.timeout is not None else self.call_timeout
        if inspect.isgeneratorfunction(route.fn):
            return await _stream(route.fn(request), scope, send)
        try:
            # past its limit: 504, as on the native pool (the thread runs on; its answer is dropped)
            with anyio.move_on_after(limit or None) as deadline:
                result = await anyio.to_thread.run_sync(route.fn, request, abandon_on_cancel=True)
        except BadRequest as exc:
            return await _send(send, 400, *_error("Bad Request", str(exc)), head=method == "HEAD")
        except Exception as exc:  # a handler's failure is a 500, not the server's end
            detail = f"{type(exc).__name__}: {exc}"
            return await _send(send, 500, *_error("Internal Server Error", detail), head=method == "HEAD")
        if deadline.cancelled_caught:
            detail = (
                f"route {route.name!r} did not answer within {limit:g} s; raise the limit with timeout= on "
                "its decorator, or Conduit(call_timeout=...)"
            )
            return await _send(send, 504, *_error("Gateway Timeout", detail), head=method == "HEAD")
        if isinstance(result, Response):
            status, content_type, data, headers = result.status, result.content_type, result.body, result.headers
        else:
            status, headers = 200, {}
            content_type, data = encode_body(result)
        await _send(send, status, content_type, data, headers, head=method == "HEAD")

    async def _unrouted(self, method: str, path: str, send: Send) -> None:
        allowed = self.routes.allowed(path)
        if not allowed:
            return await _send(send, 404, *_error("Not Found"), head=method == "HEAD")
        allow = {"Allow": ", ".join(allowed)}
        if method == "OPTIONS":
            return await _send(send, 204, "", b"", allow)
        await _send(send, 405, *_error("Method Not Allowed"), {**allow}, head=method == "HEAD")

    async def _body(self, receive: Receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


_END = object()
_FAILED = object()
NDJSON = "application/x-ndjson"
SSE = "text/event-stream"


async def _stream(items: Iterator[Any], scope: Scope, send: Send) -> None:
    """A generator handler's body, a chunk per item as it is yielded (runtime/body_stream.codon
    writes the same): text as is, anything else a line of JSON, or SSE events when the client
    accepts text/event-stream. A handler that raises mid-stream ends the response unfinished."""
    sse = any(k == b"accept" and b"text/event-stream" in v for k, v in scope["headers"])
    head = scope["method"] == "HEAD"
    began = False
    try:
        while (item := await _next_or_error(items, began, send, head)) is not _END:
            if item is _FAILED:
                return
            text = isinstance(item, str)
            chunk = item if text else json.dumps(item, separators=(",", ":"))
            if sse:
                chunk = "".join(f"data: {line}\n" for line in chunk.split("\n")) + "\n"
            elif not text:
                chunk += "\n"
            if not began:
                began = True
                await _start_stream(send, SSE if sse else (TEXT if text else NDJSON))
            await send({"type": "http.response.body", "body": b"" if head else chunk.encode(), "more_body": True})
        if not began:
            await _start_stream(send, SSE if sse else TEXT)
        await send({"type": "http.response.body", "body": b""})
    finally:
        items.close()  # type: ignore[attr-defined]


async def _next_or_error(items: Iterator[Any], began: bool, send: Send, head: bool) -> Any:
    """The next item; a handler that raises before its first item answers 400/500 as any handler."""
    try:
        return await anyio.to_thread.run_sync(next, items, _END)
    except Exception as exc:
        if began:
            raise  # mid-stream: the response ends unfinished
        if isinstance(exc, BadRequest):
            await _send(send, 400, *_error("Bad Request", str(exc)), head=head)
        else:
            await _send(send, 500, *_error("Internal Server Error", f"{type(exc).__name__}: {exc}"), head=head)
        return _FAILED


async def _start_stream(send: Send, content_type: str) -> None:
    headers = [(b"content-type", content_type.encode())]
    if content_type == SSE:
        headers.append((b"cache-control", b"no-cache"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})


def _error(error: str, detail: str = "") -> tuple[str, bytes]:
    body = {"error": error, "detail": detail} if detail else {"error": error}
    return JSON, json.dumps(body, separators=(",", ":")).encode()


async def _send(
    send: Send,
    status: int,
    content_type: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    head: bool = False,
) -> None:
    """One response; 1xx/204/304 carry no Content-Length, HEAD gets the headers without the body."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if content_type:
        raw.insert(0, (b"content-type", content_type.encode("latin-1")))
    if not (status < 200 or status in (204, 304)):
        raw.insert(1 if content_type else 0, (b"content-length", str(len(body)).encode()))
    else:
        body = b""
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": b"" if head else body})
