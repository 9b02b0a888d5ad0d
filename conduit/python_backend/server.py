"""The python backend: the app's registry served by the official MCP SDK (`MCPServer`).

It is the fallback where Codon cannot run and the reference the native server is tested against.
The protocol is entirely the SDK's; Conduit only supplies the tool list and the call, through the
same schemas, argument decoding and result layout as the native code.

Run as `python -m conduit.python_backend FILE[:ATTR]` to serve on the systemd-style inherited
socket (fd 3, `LISTEN_FDS`), as the process supervisor does, or on `--host/--port`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

try:
    import resource
except ImportError:  # not on Windows: no limit to raise
    resource = None  # type: ignore[assignment]

import anyio
import mcp_types as types
import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..app import Conduit
from ..loader import load_app
from ..reporting import LOG_LEVELS, reporting
from ..settings import ServerSettings, auth_tokens_from_env, unauthenticated_public_warning
from .arguments import ArgumentError, decode_arguments
from .batch import BATCH_TOOL, Batches, run_batch
from .gate import Gate
from .results import error_result, exception_message, item_text, timeout_message, tool_result
from .routes import RouteApp

LISTEN_FD = 3


class _RegistryServer(MCPServer):
    """An `MCPServer` whose tools come from a Conduit app instead of its own decorators."""

    def __init__(self, app: Conduit, call_timeout: float | None = None) -> None:
        super().__init__(app.name, version=app.version, instructions=app.instructions, log_level="WARNING")
        self._app = app
        self._call_timeout = app.settings.call_timeout if call_timeout is None else call_timeout
        # logging/setLevel: the handshake era's choice of level, per Mcp-Session-Id (it declares
        # `logging`); without sessions no request names the next one, and every level is sent
        self._log_levels: dict[str, int] = {}
        self._lowlevel_server.add_request_handler("logging/setLevel", types.SetLevelRequestParams, self._set_level)

    async def _set_level(self, context: Any, params: types.SetLevelRequestParams) -> types.EmptyResult:
        session = _session_id(context)
        if session is not None:
            self._log_levels.pop(session, None)
            self._log_levels[session] = LOG_LEVELS.index(params.level)
            if len(self._log_levels) > self._app.settings.max_sessions:  # ended sessions' go first
                del self._log_levels[next(iter(self._log_levels))]
        return types.EmptyResult()

    async def list_tools(self) -> list[types.Tool]:
        return [types.Tool.model_validate(tool.definition()) for tool in self._app]

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        tool = self._app.tools.get(name)
        return None if tool is None else tool.input_schema()

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> types.CallToolResult:
        if name == BATCH_TOOL:  # tools/call with params.batch (batch.Batches)
            result = await run_batch(arguments.get("batch"), self.call_tool)
            return types.CallToolResult.model_validate(result)
        tool = self._app.tools.get(name)
        if tool is None:
            raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool: {name}")
        try:
            kwargs = decode_arguments(tool, arguments)
        except ArgumentError as exc:
            raise MCPError(code=types.INVALID_PARAMS, message=str(exc)) from None
        limit = tool.timeout if tool.timeout is not None else self._call_timeout
        reporter = None
        if context is not None:
            session = _session_id(context.request_context)
            reporter = _ContextReporter(context, self._log_levels.get(session, 0) if session else 0)

        def run() -> Any:
            with reporting(reporter):
                return tool.fn(**kwargs)

        try:
            # Past its limit the call is answered as timed out; its thread runs on to the end (a
            # thread cannot be stopped), and what it returns is dropped, as on the native pool.
            with anyio.move_on_after(limit or None) as deadline:
                if tool.streams:
                    value = await _stream_items(tool.fn(**kwargs), context, reporter)
                else:
                    value = await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
        except Exception as exc:  # a tool's failure is its result, not the server's
            return types.CallToolResult.model_validate(error_result(exception_message(exc)))
        if deadline.cancelled_caught:
            return types.CallToolResult.model_validate(error_result(timeout_message(name, limit)))
        return types.CallToolResult.model_validate(tool_result(tool, value))


_END = object()


def _session_id(request_context: Any) -> str | None:
    """The request's Mcp-Session-Id, if it has one (a request context of the SDK's)."""
    headers = getattr(request_context.request, "headers", None)
    return headers.get("mcp-session-id") if headers is not None else None


class _ContextReporter:
    """`conduit.progress` and `conduit.log` in a tool running on a worker thread: the SDK's
    Context, called on the event loop."""

    def __init__(self, context: Any, lowest: int = 0) -> None:
        self.context = context
        self.lowest = lowest  # the LOG_LEVELS index below which log messages are not sent

    def progress(self, done: float, total: float | None, message: str | None) -> None:
        anyio.from_thread.run(self.context.report_progress, done, total, message)

    def log(self, level: str, data: Any) -> None:
        if LOG_LEVELS.index(level) < self.lowest:
            return
        with warnings.catch_warnings():  # deprecated at 2026-07-28, where the client opts in per request
            warnings.simplefilter("ignore")
            anyio.from_thread.run(self.context.log, level, data)


def _next_reporting(items: Iterator[Any], reporter: _ContextReporter | None) -> Any:
    with reporting(reporter):
        return next(items, _END)


async def _stream_items(items: Iterator[Any], context: Any, reporter: _ContextReporter | None) -> list[Any]:
    """A generator tool's items, each reported as progress (the item in the message) as it is
    yielded; it runs in a worker thread between items, and stops when the call is cancelled."""
    done: list[Any] = []
    try:
        while (item := await anyio.to_thread.run_sync(_next_reporting, items, reporter)) is not _END:
            done.append(item)
            if context is not None:
                await context.report_progress(len(done), None, item_text(item))
    finally:
        items.close()  # type: ignore[attr-defined]
    return done


class _TransportRules:
    """The HTTP rules both backends share where the SDK is laxer: GET is 405 without sessions
    (there is no stream to open), Accept must name JSON and SSE (406), the body must be JSON (415)."""

    def __init__(self, inner: ASGIApp, sessions: bool) -> None:
        self.inner = inner
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/mcp":
            headers = Headers(scope=scope)
            method = scope["method"]
            if method == "GET" and not self.sessions:
                return await PlainTextResponse("Method Not Allowed", 405, {"Allow": "POST"})(scope, receive, send)
            if method == "POST":
                accept = headers.get("accept", "")
                if "application/json" not in accept or "text/event-stream" not in accept:
                    text = "Not Acceptable: Client must accept both application/json and text/event-stream"
                    return await PlainTextResponse(text, 406)(scope, receive, send)
                if "application/json" not in headers.get("content-type", ""):
                    text = "Unsupported Media Type: Content-Type must be application/json"
                    return await PlainTextResponse(text, 415)(scope, receive, send)
        await self.inner(scope, receive, send)


def asgi_app(app: Conduit, settings: ServerSettings | None = None) -> ASGIApp:
    """The ASGI app that serves `app` over Streamable HTTP at /mcp, and its routes on every other path."""
    settings = settings or app.settings
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=settings.checks_host_and_origin,
        allowed_hosts=[*_loopback_hosts(settings.port), *settings.allowed_hosts],
        allowed_origins=[*_loopback_origins(settings.port), *settings.allowed_origins],
    )
    sdk_app = _RegistryServer(app, settings.call_timeout).streamable_http_app(
        # SSE replies where a generator tool's progress must reach the client; JSON otherwise
        json_response=not any(tool.streams for tool in app),
        stateless_http=not settings.sessions,
        max_request_body_size=settings.max_body_bytes,
        session_idle_timeout=settings.session_idle_timeout,
        max_sessions=settings.max_sessions,
        transport_security=security,
        host=settings.host,
    )
    mcp_app = _TransportRules(Batches(sdk_app), settings.sessions)
    routed = len(app.routes) > 0
    served = RouteApp(mcp_app, app.routes, settings.max_body_bytes, settings.call_timeout) if routed else mcp_app
    return Gate(served, settings.auth_tokens + auth_tokens_from_env())


def _loopback_hosts(port: int) -> list[str]:
    return [f"{host}:{suffix}" for host in ("127.0.0.1", "localhost", "[::1]") for suffix in (port, "*")] + [
        "127.0.0.1",
        "localhost",
        "[::1]",
    ]


def _loopback_origins(port: int) -> list[str]:
    return [f"http://{host}{suffix}" for host in ("127.0.0.1", "localhost", "[::1]") for suffix in ("", ":*")]


def serve(app: Conduit, settings: ServerSettings, *, fd: int | None = None) -> None:
    """Serve until SIGTERM/SIGINT; on an inherited listening socket when `fd` is given.

    uvicorn's nearest equivalents of the native limits: `timeout_keep_alive` is idle_timeout and
    `limit_concurrency` is max_connections (uvicorn counts connections and requests in flight,
    and answers the request over the limit with 503 where the native server answers at accept).
    uvicorn has no head or body timeout: a client that stops half-way through a request holds
    its connection until it closes it (the native server answers 408).
    """
    raise_fd_limit()
    config: dict[str, Any] = {
        "log_level": "warning",
        "timeout_graceful_shutdown": 5,
        "timeout_keep_alive": max(1, round(settings.idle_timeout)),
        "limit_concurrency": settings.max_connections,
    }
    if fd is not None:
        config["fd"] = fd
    else:
        config.update(host=settings.host, port=settings.port)
    uvicorn.run(asgi_app(app, settings), **config)


def raise_fd_limit() -> None:
    """The soft open-files limit up to the hard one, as the native server does: one fd a connection."""
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve_stdio(app: Conduit) -> None:
    """Serve MCP on stdin/stdout with the SDK's stdio transport, until stdin closes."""
    _RegistryServer(app).run("stdio")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m conduit.python_backend", description=__doc__)
    parser.add_argument("app", help="FILE[:ATTR], the Python file that defines the Conduit app")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--stdio", action="store_true", help="serve on stdin/stdout instead of HTTP")
    args = parser.parse_args(argv)
    app = load_app(args.app)
    if args.stdio:
        serve_stdio(app)
        return
    settings = app.settings.with_address(args.host, args.port)
    inherited = os.environ.get("LISTEN_FDS") == "1" and os.environ.get("LISTEN_PID", str(os.getpid())) == str(
        os.getpid()
    )
    if not inherited:  # under the supervisor, it has warned already
        warning = unauthenticated_public_warning(settings.host, settings.auth_tokens + auth_tokens_from_env())
        if warning:
            print(warning, file=sys.stderr, flush=True)
    serve(app, settings, fd=LISTEN_FD if inherited else None)
