"""`Conduit`, the app: a registry of tools plus the settings of the server that serves them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeVar, overload

from .errors import ToolDefinitionError
from .routing import Route, RouteDefinitionError, RouteTable, make_route
from .settings import BACKENDS, Backend, ServerSettings
from .tools import Source, Tool

F = TypeVar("F", bound=Callable[..., Any])


class Conduit:
    """An MCP server made of typed Python functions, compiled to native code with Codon.

    Example:
        ```python
        app = Conduit("weather-demo")

        @app.tool()
        def weather(city: str) -> dict:
            \"\"\"Current weather for a city.\"\"\"
            return {"city": city, "temp": 21}

        app.run()   # http://127.0.0.1:8080/mcp
        ```

    `auth_tokens=["..."]` (or CONDUIT_AUTH_TOKENS, comma-separated) makes /mcp and the routes
    require `Authorization: Bearer <token>`; the tokens reach the server in its environment.
    """

    def __init__(
        self,
        name: str = "conduit",
        *,
        version: str = "0.1.0",
        instructions: str | None = None,
        backend: Backend = "native",
        host: str = "127.0.0.1",
        port: int = 8080,
        workers: int = 0,
        sessions: bool = False,
        allowed_hosts: Sequence[str] = (),
        allowed_origins: Sequence[str] = (),
        dns_rebinding_protection: bool = True,
        max_body_bytes: int = 1 << 20,
        head_timeout: float = 10.0,
        body_timeout: float = 30.0,
        idle_timeout: float = 60.0,
        max_connections: int = 10_000,
        max_sessions: int = 10_000,
        session_idle_timeout: float = 1800.0,
        auth_tokens: Sequence[str] = (),
        pool_threads: int = 64,
        pool_queue: int = 1024,
        call_timeout: float = 60.0,
        native: Literal["auto", "require"] = "auto",
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        if native not in ("auto", "require"):
            raise ValueError(f"native must be 'auto' or 'require', got {native!r}")
        # "require": a tool that would run in CPython is an error (NativeRequiredError), not a fallback
        self.native = native
        self.name = name
        self.version = version
        self.instructions = instructions
        self.backend = backend
        self.settings = ServerSettings(
            host=host,
            port=port,
            workers=workers,
            sessions=sessions,
            allowed_hosts=tuple(allowed_hosts),
            allowed_origins=tuple(allowed_origins),
            dns_rebinding_protection=dns_rebinding_protection,
            max_body_bytes=max_body_bytes,
            head_timeout=head_timeout,
            body_timeout=body_timeout,
            idle_timeout=idle_timeout,
            max_connections=max_connections,
            max_sessions=max_sessions,
            session_idle_timeout=session_idle_timeout,
            auth_tokens=tuple(auth_tokens),
            pool_threads=pool_threads,
            pool_queue=pool_queue,
            call_timeout=call_timeout,
        )
        self._tools: dict[str, Tool] = {}
        self._routes = RouteTable()

    def __repr__(self) -> str:
        routes = [f"{'|'.join(r.methods)} {r.pattern}" for r in self._routes]
        return f"Conduit({self.name!r}, tools={list(self._tools)}, routes={routes}, backend={self.backend!r})"

    # -- registration -------------------------------------------------------------------------

    @overload
    def tool(self, fn: F, /) -> F: ...

    @overload
    def tool(
        self,
        name: str | None = None,
        /,
        *,
        title: str | None = None,
        description: str | None = None,
        annotations: Mapping[str, Any] | Any | None = None,
        native: bool | None = None,
        blocking: bool | None = None,
        timeout: float | None = None,
    ) -> Callable[[F], F]: ...

    def tool(
        self,
        name_or_fn: Any = None,
        /,
        *,
        title: str | None = None,
        description: str | None = None,
        annotations: Mapping[str, Any] | Any | None = None,
        native: bool | None = None,
        blocking: bool | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Register a function as a tool: `@app.tool()`, `@app.tool("name")`, or bare `@app.tool`.

        Conduit compiles a tool natively when it can do so with Python's meaning, and runs it in
        CPython (behind the same native server) otherwise; `native=False` always uses CPython.
        A native tool that blocks (it sleeps, opens files or SQLite: Conduit looks, or say
        `blocking=True`) runs on the worker pool, so the event loops keep serving meanwhile;
        a pooled call that takes longer than `timeout` seconds (default: the app's
        `call_timeout`, 60 s; 0: no limit) is answered with an error result saying so.
        """
        if callable(name_or_fn):
            self.add_tool(name_or_fn)
            return name_or_fn
        if name_or_fn is not None and not isinstance(name_or_fn, str):
            raise ToolDefinitionError(f"@app.tool() takes a tool name as its first argument, got {name_or_fn!r}")

        def decorator(fn: F) -> F:
            self.add_tool(
                fn,
                name=name_or_fn,
                title=title,
                description=description,
                annotations=annotations,
                native=native,
                blocking=blocking,
                timeout=timeout,
            )
            return fn

        return decorator

    mcp_tool = tool

    def add_tool(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        annotations: Mapping[str, Any] | Any | None = None,
        source: Source | None = None,
        native: bool | None = None,
        blocking: bool | None = None,
        timeout: float | None = None,
    ) -> Tool:
        tool = Tool.from_function(
            fn,
            name=name,
            title=title,
            description=description,
            annotations=annotations,
            source=source,
            native=native,
            blocking=blocking,
            timeout=timeout,
        )
        if tool.name in self._tools:
            raise ToolDefinitionError(
                f'a tool named {tool.name!r} is already registered; pick another name with @app.tool("...")'
            )
        self._tools[tool.name] = tool
        return tool

    def remove_tool(self, name: str) -> None:
        if self._tools.pop(name, None) is None:
            raise KeyError(f"no tool named {name!r}")

    @property
    def tools(self) -> Mapping[str, Tool]:
        return dict(self._tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    # -- HTTP routes ----------------------------------------------------------------------------

    def route(
        self,
        path: str,
        methods: Sequence[str] = ("GET",),
        *,
        blocking: bool | None = None,
        timeout: float | None = None,
    ) -> Callable[[F], F]:
        """Serve `path` with the decorated handler for each of `methods`.

        The handler takes the request (`conduit.Request`) and returns a dict or list (JSON), a
        str (text/plain), bytes, or a `conduit.Response`. Patterns: `/users/:id` (one segment),
        `/files/*path` (the rest); see `conduit.routing` for the matching rules. A handler that
        blocks (Conduit looks, or say `blocking=True`) runs on the worker pool, as tools do, with
        the same limits: 503 when the pool is full, 504 past `timeout` (default: call_timeout).

        Example:
            ```python
            @app.route("/items/:id", methods=["GET", "PUT"])
            def item(req) -> dict:
                return {"id": req.params["id"], "method": req.method}
            ```
        """
        if callable(path):
            raise RouteDefinitionError("@app.route needs a path: use @app.route('/path', methods=[...])")

        def decorator(fn: F) -> F:
            self.add_route(path, methods, fn, blocking=blocking, timeout=timeout)
            return fn

        return decorator

    def get(self, path: str, *, blocking: bool | None = None, timeout: float | None = None) -> Callable[[F], F]:
        """`@app.get("/weather/:city")`: serve GET (and HEAD) requests for `path`."""
        return self.route(path, ["GET"], blocking=blocking, timeout=timeout)

    def post(self, path: str, *, blocking: bool | None = None, timeout: float | None = None) -> Callable[[F], F]:
        return self.route(path, ["POST"], blocking=blocking, timeout=timeout)

    def put(self, path: str, *, blocking: bool | None = None, timeout: float | None = None) -> Callable[[F], F]:
        return self.route(path, ["PUT"], blocking=blocking, timeout=timeout)

    def patch(self, path: str, *, blocking: bool | None = None, timeout: float | None = None) -> Callable[[F], F]:
        return self.route(path, ["PATCH"], blocking=blocking, timeout=timeout)

    def delete(self, path: str, *, blocking: bool | None = None, timeout: float | None = None) -> Callable[[F], F]:
        return self.route(path, ["DELETE"], blocking=blocking, timeout=timeout)

    def head(self, path: str, *, blocking: bool | None = None, timeout: float | None = None) -> Callable[[F], F]:
        return self.route(path, ["HEAD"], blocking=blocking, timeout=timeout)

    def options(self, path: str, *, blocking: bool | None = None, timeout: float | None = None) -> Callable[[F], F]:
        return self.route(path, ["OPTIONS"], blocking=blocking, timeout=timeout)

    def add_route(
        self,
        path: str,
        methods: Sequence[str],
        fn: Callable[..., Any],
        *,
        source: Source | None = None,
        blocking: bool | None = None,
        timeout: float | None = None,
    ) -> Route:
        """Register `fn` for `methods` on `path`; a conflicting route raises an error naming both."""
        route = make_route(path, methods, fn, source, blocking=blocking, timeout=timeout)
        self._routes.add(route)
        return route

    @property
    def routes(self) -> RouteTable:
        return self._routes

    # -- serving ------------------------------------------------------------------------------

    def serve(self, *, host: str | None = None, port: int | None = None, backend: Backend | None = None):
        """Start the server in the background and return its `ServerProcess` once it answers."""
        from .serving import resolve_backend, start_server

        chosen = resolve_backend(backend or self.backend, sys.stderr)
        return start_server(self, self.settings.with_address(host, port), chosen)

    def run(self, *, host: str | None = None, port: int | None = None, backend: Backend | None = None) -> None:
        """Compile (native) and serve until Ctrl-C; fall back to the python backend where Codon cannot run."""
        from .serving import run_forever

        run_forever(self, self.settings.with_address(host, port), backend or self.backend, out=sys.stderr)
