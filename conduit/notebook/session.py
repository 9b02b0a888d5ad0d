"""A notebook's app: tools defined cell by cell, built in the background, hot-swapped into one server.

The IPython magics (`conduit_magics`) are a thin shell over `NotebookSession`; everything here
runs without IPython, so scripts and tests drive it the same way:

    session = NotebookSession()
    session.define_cell("cell-1", cell_text, namespace, "cell[1]")   # raises in the user's terms
    session.publish().result()        # build (cached when unchanged), then start or swap the server
    session.call("weather", {"city": "Paris"})
    session.close()

One worker thread builds and swaps, one publication at a time. A publication asked for while
another builds is not queued behind it but merged: the worker always builds the newest tool set,
and every waiting publication resolves with that outcome. The server process is owned by a
`Supervisor`, so each swap keeps the listening socket and loses no request, and the process dies
with the kernel. A server (or its CPython worker) that dies unasked is started again at once on
the same socket; the next cell, and `%conduit_status`, say what died and how it came back.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..app import Conduit
from ..client import call_tool
from ..errors import CodonNotFoundError, ConduitError, ServerError, ToolDefinitionError
from ..export import Export, export_app
from ..python_backend.notebook_tools import backend_argv
from ..serving import Supervisor, native_build, resolve_backend
from ..serving.process import Restart
from ..serving.python_worker import PythonWorker
from ..settings import Backend
from ..toolchain import NotCached
from ..tools import Tool
from .cells import cell_functions
from .status import Progress, State, Status, ToolTable

if TYPE_CHECKING:
    from ..bench import BenchResult

__all__ = ["NotebookSession"]


# -- the session ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    """One tool set to publish: the app, and its programs when built natively."""

    generation: int
    app: Conduit
    backend: Backend


class NotebookSession:
    """The notebook's app, its cells and the server that serves it.

    Args:
        name: the MCP server's name, as clients see it.
        backend: "native" (Codon; falls back to "python" where Codon cannot run) or "python".
        host, port: where the server listens; port 0 picks a free one.
        interim: while a changed tool set compiles, serve it with the python backend (up in
            about a second) and swap the native server in when it is built. The two backends
            answer alike (DESIGN decision 2; one protocol suite tests both), so a change answers
            in a second instead of a compile's ten. If the build fails, the previous server
            comes back.
        out: where the one-line fallback reason goes.
    """

    def __init__(
        self,
        name: str = "notebook",
        *,
        backend: Backend = "native",
        host: str = "127.0.0.1",
        port: int = 0,
        interim: bool = True,
        out: Any = None,
    ) -> None:
        self.name = name
        self.interim = interim
        self.host = host
        self.port = port
        self._chosen_out = out
        self.backend = resolve_backend(backend, self._out)
        self.serving = True
        self._tools: dict[str, Tool] = {}
        self._cells: dict[str, tuple[str, ...]] = {}  # cell key -> its tools, in order
        self._anonymous = itertools.count(1)
        self._supervisor: Supervisor | None = None
        self._lock = threading.Condition()
        self._generation = 0
        self._wanted: _Snapshot | None = None
        self._waiting: list[tuple[int, Future[Status], Progress | None]] = []
        self._building = False
        self._last: Status | None = None
        self._unreported: BaseException | None = None
        self._builds = 0
        self._builder: threading.Thread | None = None
        self._closed = False
        self._python_worker: PythonWorker | None = None  # answers what the native server hands to CPython
        self._engines: dict[str, Any] = {}  # per tool: native or python, after the last native build
        self._last_bench: BenchResult | None = None  # what `bench(compare=True)` draws under
        self._restarts: list[Restart] = []  # every unasked exit of the server or its worker, oldest first
        self._told_restarts = 0  # how many of them check() has told of

    # -- cells ----------------------------------------------------------------------------

    def define_cell(
        self,
        key: str | None,
        cell: str,
        namespace: Mapping[str, Any],
        filename: str,
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
    ) -> list[Tool]:
        """Register the public functions `cell` defined in `namespace` as the cell's tools.

        `key` identifies the cell across re-runs (Jupyter's cell id): a re-run replaces the
        cell's tools, so a renamed function leaves nothing behind. Without a key, a cell that
        defines a tool of an earlier cell is taken to be that cell. Nothing changes if any tool
        fails to register or, for the native backend, falls outside what Codon compiles.
        """
        functions = cell_functions(cell, filename)
        if not functions:
            raise ToolDefinitionError(
                "this %%conduit_tool cell defines no public function: write a `def name(...)` at the "
                "top level of the cell (names starting with _ are private helpers, not tools)"
            )
        if len(functions) > 1 and (name or title or description):
            raise ToolDefinitionError(
                f"--name, --title and --description describe one tool, and this cell defines "
                f"{len(functions)} ({', '.join(f for f, _ in functions)}): put each tool in its own cell"
            )
        tools = []
        for function, source in functions:
            fn = namespace.get(function)
            tools.append(
                Tool.from_function(fn, name=name, title=title, description=description, source=source)  # type: ignore[arg-type]
            )
        with self._lock:
            # Not `filename`: a kernel driven without history numbers every cell alike.
            key = key or self._cell_owning({t.name for t in tools}) or f"cell-{next(self._anonymous)}"
            kept = {n: t for n, t in self._tools.items() if n not in self._cells.get(key, ())}
            for tool in tools:
                if tool.name in kept:
                    raise ToolDefinitionError(
                        f"tool {tool.name!r} is already defined in another cell ({self._cell_of(tool.name)}); "
                        "rename the function, give it --name, or re-run that cell without it"
                    )
                kept[tool.name] = tool
            self._tools = kept
            self._cells[key] = tuple(t.name for t in tools)
            self._cells = {k: v for k, v in self._cells.items() if v}
        return tools

    def _cell_owning(self, names: set[str]) -> str | None:
        return next((key for key, owned in self._cells.items() if names & set(owned)), None)

    def _cell_of(self, tool: str) -> str:
        tool_obj = self._tools.get(tool)
        return tool_obj.source.filename if tool_obj is not None else "?"

    @property
    def tools(self) -> Mapping[str, Tool]:
        return dict(self._tools)

    @property
    def engines(self) -> Mapping[str, Any]:
        """Per tool, the engine of the last native build: native, or CPython and why."""
        return dict(self._engines)

    def table(self) -> ToolTable:
        rows = []
        for tool in self._tools.values():
            params = ", ".join(f"{p.name}: {p.type.describe()}" for p in tool.params)
            returns = f" -> {tool.returns.describe()}" if tool.returns is not None else ""
            engine = self._engines.get(tool.name)
            served = engine.describe() if engine is not None else "not built"
            rows.append((tool.name, f"({params}){returns}", tool.source.filename, served, tool.description))
        return ToolTable(tuple(rows))

    def _app(self, tools: Mapping[str, Tool]) -> Conduit:
        # Host and port stay at their defaults, so the program, and its cache key, do not
        # depend on the port: the server gets its socket from the supervisor.
        app = Conduit(self.name, backend=self.backend)
        for tool in tools.values():
            app.add_tool(
                tool.fn,
                name=tool.name,
                title=tool.title,
                description=tool.description,
                annotations=tool.annotations or None,
                source=tool.source,
            )
        return app

    # -- publishing -----------------------------------------------------------------------

    def publish(self, progress: Progress | None = None) -> Future[Status]:
        """Build the current tools and start or swap the server, in the background.

        The future resolves with the status once this tool set, or a newer one, serves
        natively; it fails with the build's error (`BuildError` points at the cell's line)
        while the previous server keeps serving. `progress` hears of the interim server.
        """
        future: Future[Status] = Future()
        with self._lock:
            self._check_open()
            self.serving = True
            self._generation += 1
            app = self._app(self._tools)
            backend = self.backend if self._tools else "python"
            self._wanted = _Snapshot(self._generation, app, backend)
            self._waiting.append((self._generation, future, progress))
            self._last = self._status("building", self._wanted)
            if self._builder is None or not self._builder.is_alive():
                self._builder = threading.Thread(target=self._work, name="conduit-notebook-builder", daemon=True)
                self._builder.start()
            self._lock.notify_all()
        return future

    def wait(self, timeout: float | None = None) -> Status:
        """Wait for the build in progress, if any; raise its error once, as the cell that started it did not."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._wanted is None and not self._building, timeout):
                raise TimeoutError(f"the build did not finish within {timeout} s")
            self.check()
            return self.status()

    def result(self, publication: Future[Status], timeout: float | None = None) -> Status:
        """Wait for a publication; its error, raised here, counts as reported."""
        try:
            return publication.result(timeout)
        except BaseException as exc:
            with self._lock:
                if self._unreported is exc:
                    self._unreported = None
            raise

    def check(self) -> None:
        """Raise, once, a build failure nobody has seen yet; tell, once, of each restart since the
        last check (a server that dies unasked is started again: it is news, not an error)."""
        with self._lock:
            error, self._unreported = self._unreported, None
            untold, self._told_restarts = self._restarts[self._told_restarts :], len(self._restarts)
        for restart in untold:
            print(f"conduit: {restart.line}", file=self._out)
        if error is not None:
            raise error

    @property
    def _out(self) -> TextIO:
        """Where notices go: the stream given, else stderr as it is now (a kernel replaces it per cell)."""
        return self._chosen_out if self._chosen_out is not None else sys.stderr

    def _heard_restart(self, restart: Restart) -> None:
        """A supervisor's or a worker's restart callback: keep each record once (it is told of
        again as its state changes; the record itself is updated in place)."""
        with self._lock:
            if all(known is not restart for known in self._restarts):
                self._restarts.append(restart)

    def _work(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._wanted is not None or self._closed)
                if self._closed:
                    return
                snapshot, self._wanted = self._wanted, None
                assert snapshot is not None
                self._building = True
                self._last = self._status("building", snapshot)
            try:
                status = self._serve(snapshot)
                error: BaseException | None = None
            except BaseException as exc:  # reported to every waiter, never lost in this thread
                status, error = None, exc
            with self._lock:
                self._building = False
                done = [f for g, f, _ in self._waiting if g <= snapshot.generation]
                self._waiting = [w for w in self._waiting if w[0] > snapshot.generation]
                if error is None:
                    self._last = status
                else:
                    self._last = self._status("failed", snapshot, error=error)
                    self._unreported = error
                self._lock.notify_all()
            for future in done:
                if error is None:
                    future.set_result(status)  # type: ignore[arg-type]
                else:
                    future.set_exception(error)

    def _serve(self, snapshot: _Snapshot) -> Status:
        started = time.perf_counter()
        supervisor = self._supervisor_for_serving()
        module = supervisor.run_dir / f"tools_{snapshot.generation}.py"
        python_argv = backend_argv(snapshot.app, module)
        if snapshot.backend == "python":
            supervisor.replace(python_argv)
            return self._status("serving", snapshot, seconds=time.perf_counter() - started)
        previous = supervisor.process.argv if supervisor.alive else None  # type: ignore[union-attr]
        interim = self.interim and not _builds_cached(snapshot.app)
        if interim:
            supervisor.replace(python_argv)
            self._tell_progress(self._status("building", snapshot, interim=True), snapshot.generation)
        try:
            server = native_build(snapshot.app, split=True)
            if not server.cached:
                self._builds += 1
            # Calls Python must answer go to a worker that loads this generation's tools module.
            worker = PythonWorker(
                f"{module}:app",
                supervisor.run_dir,
                eager=bool(server.python_tools),
                name=f"python-{snapshot.generation}",
            )
            worker.on_restart(self._heard_restart)
            try:
                supervisor.replace(server.argv, env=dict(os.environ, **worker.env))
            except BaseException:
                worker.close()
                raise
        except BaseException:
            if interim and previous:  # the previous server comes back, as if the interim one had not been
                supervisor.replace(previous, env=self._worker_env())
            elif interim:
                supervisor.stop()
            raise
        retired, self._python_worker = self._python_worker, worker
        if retired is not None:
            retired.close()
        self._engines = dict(server.engines)
        return self._status("serving", snapshot, seconds=time.perf_counter() - started, cached=server.cached)

    def _worker_env(self) -> dict[str, str] | None:
        return dict(os.environ, **self._python_worker.env) if self._python_worker is not None else None

    def _tell_progress(self, status: Status, generation: int) -> None:
        with self._lock:
            self._last = status
            listeners = [p for g, _, p in self._waiting if g <= generation and p is not None]
        for listener in listeners:
            listener(status)

    def _supervisor_for_serving(self) -> Supervisor:
        with self._lock:
            if self._supervisor is None:
                self._supervisor = Supervisor(self.host, self.port, restart=True)
                self._supervisor.on_restart(self._heard_restart)
            return self._supervisor

    def _status(self, state: State, snapshot: _Snapshot, **extra: Any) -> Status:
        sup = self._supervisor
        return Status(
            state,
            tuple(snapshot.app.tools),
            snapshot.backend,
            url=sup.url if sup is not None and sup.alive else None,
            pid=sup.pid if sup is not None and sup.alive else None,
            builds=self._builds,
            restarts=tuple(r.line for r in self._restarts),
            **extra,
        )

    def status(self) -> Status:
        """The server as it is now: building, serving, failed or stopped."""
        with self._lock:
            tools = tuple(self._tools)
            if self._last is None:
                return Status("idle", tools, self.backend, builds=self._builds)
            sup = self._supervisor
            alive = sup is not None and sup.alive
            restarting = sup is not None and sup.restarting and self._last.state == "serving"
            return replace(
                self._last,
                state="restarting" if restarting else self._last.state,
                url=sup.url if alive else None,  # type: ignore[union-attr]
                pid=sup.pid if alive else None,  # type: ignore[union-attr]
                builds=self._builds,
                restarts=tuple(r.line for r in self._restarts),
            )

    @property
    def url(self) -> str | None:
        return self.status().url

    # -- calling --------------------------------------------------------------------------

    def serving_status(self) -> Status:
        """The status once the build in progress (if any) is done; an error if nothing serves."""
        status = self.wait()
        if status.url is None:
            raise ServerError("no server is running: define a tool with %%conduit_tool, or run %conduit_serve")
        return status

    def call(self, tool: str, arguments: Mapping[str, Any] | None = None, *, timeout: float = 30.0) -> Any:
        """Call `tool` through the running server (after the build in progress) and return its result."""
        status = self.serving_status()
        known = self._tools.get(tool)
        if known is None:
            raise ToolDefinitionError(f"no tool named {tool!r}; the tools are: {', '.join(self._tools) or 'none'}")
        return call_tool(status.url, tool, dict(arguments or {}), unwrap=known.wraps_result, timeout=timeout)

    def bench(
        self,
        tool: str | None = None,
        arguments: Mapping[str, Any] | None = None,
        *,
        requests: int = 10_000,
        connections: int = 50,
        duration: float | None = None,
        compare: bool = False,
    ) -> BenchResult:
        """Put load on the server (after the build in progress) and return the figures.

        With `compare`, the result is drawn over the previous benchmark of this session (a
        note on stdout, under the cell, says so when there is none). numpy and matplotlib load with the first benchmark.
        """
        from .. import bench

        status = self.serving_status()
        label = f"{tool or 'tools/list'} ({status.backend})"
        result = bench.run(
            status.url,  # type: ignore[arg-type]
            tool,
            dict(arguments) if arguments is not None else None,
            requests=requests,
            connections=connections,
            duration=duration,
            label=label,
        )
        previous, self._last_bench = self._last_bench, result
        if not compare:
            return result
        if previous is None:
            print("conduit: no earlier %conduit_bench in this session to compare with")
            return result
        if previous.label == label:
            previous = replace(previous, label=f"{label}, before")
        return result.compare(previous)

    # -- lifecycle ------------------------------------------------------------------------

    def export(self, directory: str | Path, *, port: int | None = None) -> Export:
        """The current tools as an exported server (`conduit build`'s folder and archive), built
        as one program: it binds the session's host and `port` (default 8080) when run."""
        app = self._app(dict(self.tools))
        settings = app.settings.with_address(self.host, port or (self.port or 8080))
        return export_app(app, directory, settings)

    def configure(self, *, host: str | None = None, port: int | None = None, backend: Backend | None = None) -> None:
        """Change where or how to serve; a new address closes the old socket (the next publish opens it)."""
        with self._lock:
            if backend is not None:
                self.backend = resolve_backend(backend, self._out)
            if (host is not None and host != self.host) or (port is not None and port != self.port):
                self.host = self.host if host is None else host
                self.port = self.port if port is None else port
                self._lock.wait_for(lambda: not self._building)
                self._retire_supervisor()

    def stop(self) -> None:
        """Stop the server and free its port; the tools stay defined."""
        with self._lock:
            self.serving = False
            self._lock.wait_for(lambda: not self._building)
            self._retire_supervisor()
            if self._last is not None:
                self._last = replace(self._last, state="stopped")

    def reset(self) -> None:
        """Stop the server and forget every tool and cell."""
        self.stop()
        with self._lock:
            self._tools.clear()
            self._cells.clear()
            self._last = None
            self._unreported = None

    def close(self) -> None:
        """Stop everything; the session cannot publish again."""
        self.stop()
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def _retire_supervisor(self) -> None:
        if self._supervisor is not None:
            self._supervisor.close()
            self._supervisor = None
        if self._python_worker is not None:
            self._python_worker.close()
            self._python_worker = None

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("Cannot publish, as the notebook session has been closed.")

    def __repr__(self) -> str:
        return f"<NotebookSession {self.status().line}>"


def _builds_cached(app: Conduit) -> bool:
    """Whether serving `app` natively would compile nothing (its programs are all in the cache)."""
    try:
        native_build(app, split=True, compile=False)
    except (NotCached, CodonNotFoundError):  # a broken install fails in the build, after the interim server
        return False
    except ConduitError:
        return True  # it fails at once: nothing to wait for
    return True
