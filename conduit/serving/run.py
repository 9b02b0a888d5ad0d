"""From an app to a running server: pick the backend, build if native, start it under the supervisor."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .. import codegen, toolchain
from ..codegen.probe import Cell, probe_cells
from ..codegen.split import CORE_NAME, LIB_FLAGS, LIB_NAME
from ..codegen.user_code import Engine
from ..errors import BuildError, ConduitError, NativeRequiredError
from ..loader import app_reference
from ..settings import AUTH_TOKENS_ENV, Backend, ServerSettings, auth_tokens_from_env, unauthenticated_public_warning
from .python_worker import PythonWorker
from .supervisor import Supervisor

if TYPE_CHECKING:
    from ..app import Conduit


@dataclass(frozen=True)
class NativeServer:
    """A built native server: its argv, and per tool the engine that answers it."""

    argv: list[str]  # [server], or [core, tools.so] for the notebook's split
    engines: Mapping[str, Engine]
    cached: bool  # nothing was compiled

    @property
    def binary(self) -> Path:
        return Path(self.argv[0])

    @property
    def python_tools(self) -> list[str]:
        return [name for name, engine in self.engines.items() if not engine.native and not name.startswith("route ")]


def native_build(
    app: Conduit, settings: ServerSettings | None = None, *, split: bool = False, compile: bool = True
) -> NativeServer:
    """Generate and compile the app's native server (a cache hit when nothing changed).

    A tool Codon rejects is not an error: it runs in CPython, with Codon's message (at the user's
    line) as the reason, and the server is built again without it (a rejected program is
    remembered, so the next build of the same app compiles nothing). A route handler has no
    CPython path, so Codon's error on one is raised. With `split`, the server is the notebook's
    core plus tools library (conduit.codegen.split); without `compile`, a program not in the
    cache raises LookupError instead of compiling (to ask whether a build would compile).
    """
    forced: dict[str, Engine] = {}
    probed = False  # the JIT probe runs once: it checks every tool, a second run would learn nothing
    while True:
        code = codegen.analyze_app(app, forced, toolchain.stdlib_index())
        if app.native == "require":
            _require_native(code.engines)
        parts = codegen.generate_split(app, settings, code) if split else None
        if parts is not None:
            programs = [(parts.core, CORE_NAME, toolchain.DEFAULT_FLAGS), (parts.tools, LIB_NAME, LIB_FLAGS)]
        else:
            programs = [(codegen.generate(app, settings, code), "server", toolchain.DEFAULT_FLAGS)]
        builds = []
        for program, name, flags in programs:
            try:
                if not compile and not toolchain.is_cached(program.text, name=name, flags=flags):
                    raise toolchain.NotCached(name)
                builds.append(toolchain.build(program.text, name=name, flags=flags, source_map=program.source_map))
            except BuildError as exc:
                culprits = [n for n in _owners(exc, program) if code.engines.get(n, Engine(False)).native]
                if not culprits and split and parts is not None:
                    split = False  # not the tools' fault: the one-program server is the fallback
                    break
                if compile and not probed:
                    probed = True
                    if _probed(app, code, forced):
                        break  # the JIT named the tools Codon rejects: build again without them
                if not culprits and compile:  # Codon failed without saying where: find the tool
                    culprits = _bisect(app, settings, forced, code.engines)
                if not culprits or any(n.startswith("route ") for n in culprits):
                    raise
                reason = f"Codon cannot compile it: {_plain(exc.message)}"
                mapped = exc.file is not None and not exc.file.endswith(".codon")  # the user's line, not ours
                for n in culprits:
                    forced[n] = Engine(False, reason, exc.file if mapped else None, exc.line if mapped else None)
                break
        else:
            return NativeServer([str(b.binary) for b in builds], code.engines, all(b.cached for b in builds))


def _plain(message: str) -> str:
    """Codon's message without where inside Conduit's runtime it surfaced (the user's line says)."""
    return re.sub(r" \(in conduit_runtime/[^)]*, reached from this line\)", "", message)


def _probed(app: Conduit, code: codegen.UserCode, forced: dict[str, Engine]) -> bool:
    """Run every native tool through Codon's JIT at once; the ones that fail run in CPython,
    each with Codon's message at its own line. True if any was found.

    What only the JIT lacks (inheritance, say) proves nothing, nor does a name left undefined by
    a failed cell before it: the tools whose code hits those are left to the real build."""
    cells = probe_cells(code, list(app))
    unprobed: set[str] = set()
    found = False
    leaves = [i for i, c in enumerate(cells) if c.leaf]
    for error in toolchain.probe([c.program for c in cells], leaves=leaves):
        owners = [
            n
            for n in _culprits(cells, error.index, error.where)
            if code.engines[n].native and not n.startswith("route ") and n not in unprobed
        ]
        if _INCONCLUSIVE.search(error.message):
            unprobed.update(owners)
            continue
        for name in owners:
            if name not in forced:
                forced[name] = Engine(
                    False, f"Codon cannot compile it: {_plain(error.message)}", error.file, error.line
                )
                found = True
    return found


def _culprits(cells: list[Cell], failed: int, where: tuple[int, int] | None) -> tuple[str, ...]:
    """The tools a failed cell convicts: those of the cell that owns the failing line too (a
    shared helper fails for the tool whose call realized it), else all the line's or the cell's."""
    of_cell = cells[failed].owners
    of_line = cells[where[0]].program.source_map.owners(where[1]) if where else ()
    return tuple(n for n in of_cell if n in of_line) or of_line or of_cell


_INCONCLUSIVE = re.compile(r"not (yet )?supported in JIT mode|name '[^']*' is not defined")


def _bisect(
    app: Conduit, settings: ServerSettings | None, forced: Mapping[str, Engine], engines: Mapping[str, Engine]
) -> list[str]:
    """The tool whose code makes Codon fail without a location (it crashed, say), by halving:
    a few builds of part of the tools natively, the rest in CPython. [] if no single tool does."""
    suspects = [name for name, engine in engines.items() if engine.native and not name.startswith("route ")]
    others_python = Engine(False, "left out while looking for the tool Codon fails on")

    def fails(native: list[str]) -> bool:
        trial = dict(forced)
        trial.update({name: others_python for name in suspects if name not in native})
        code = codegen.analyze_app(app, trial, toolchain.stdlib_index())
        program = codegen.generate(app, settings, code)
        try:
            toolchain.build(program.text, source_map=program.source_map)
        except BuildError:
            return True
        return False

    while len(suspects) > 1:
        half = suspects[: len(suspects) // 2]
        if fails(half):
            suspects = half
        elif fails(suspects[len(half) :]):
            suspects = suspects[len(half) :]
        else:
            return []
    return suspects if suspects and fails(suspects) else []


def _require_native(engines: Mapping[str, Engine]) -> None:
    python = {name: e for name, e in engines.items() if not e.native}
    if python:
        name, engine = next(iter(python.items()))
        more = f" (and {len(python) - 1} more: {', '.join(list(python)[1:])})" if len(python) > 1 else ""
        raise NativeRequiredError(
            f"tool {name!r} would run in CPython: {engine.reason}{more}",
            file=engine.file,
            line=engine.line,
            hint='Conduit(..., native="require") makes this an error; drop it to serve such tools in CPython',
        )


def describe_engines(engines: Mapping[str, Engine]) -> str:
    """One line per tool: which engine answers it and, for CPython, why, at the user's line."""
    width = max((len(n) for n in engines), default=0)
    return "\n".join(
        f"  {name:<{width}}  {engine.describe()}" for name, engine in engines.items() if not name.startswith("route ")
    )


def _owners(error: BuildError, program: codegen.Program) -> tuple[str, ...]:
    """The tools whose code the innermost owned line of Codon's error chain belongs to."""
    for line in error.program_lines:
        owners = program.source_map.owners(line)
        if owners:
            return owners
    return ()


def resolve_backend(backend: Backend, out: TextIO | None = None) -> Backend:
    """`native` where Codon can run here; otherwise say why in one line and use `python`."""
    if backend == "native":
        reason = toolchain.native_unavailable_reason()
        if reason is not None:
            if out is not None:
                print(f"conduit: {reason}; serving with the python backend instead", file=out, flush=True)
            return "python"
    return backend


def start_server(
    app: Conduit, settings: ServerSettings, backend: Backend, *, app_spec: str | None = None
) -> Supervisor:
    """Start the app's server in the background on `settings.host:port`; returns once it answers.

    The returned supervisor owns the socket and the process: `close()` stops both.

    `app_spec` (FILE[:ATTR]) tells the python backend's process where the app is defined; by
    default it is found among the loaded modules.
    """
    worker: PythonWorker | None = None
    env: dict[str, str] = {}
    warning = unauthenticated_public_warning(settings.host, settings.auth_tokens + auth_tokens_from_env())
    if warning:  # once, before binding: the server process under the supervisor does not repeat it
        print(warning, file=sys.stderr, flush=True)
    supervisor = Supervisor(settings.host, settings.port, restart=True)  # a crashed server starts again
    if backend == "native":
        try:
            server = native_build(app, settings)
        except BaseException:
            supervisor.close()
            raise
        argv = server.argv
        spec = app_spec or _app_reference_or_none(app)
        if spec is not None:
            worker = PythonWorker(spec, supervisor.run_dir, eager=bool(server.python_tools))
            supervisor.attach(worker)
            env = dict(os.environ, **worker.env)
        supervisor.engines = server.engines  # type: ignore[attr-defined]
    else:
        spec = app_spec or app_reference(app)
        argv = [
            sys.executable,
            "-m",
            "conduit.python_backend",
            spec,
            "--host",
            settings.host,
            "--port",
            str(settings.port),
        ]
    if settings.auth_tokens:  # passed in the environment, never compiled in
        env = {**(env or os.environ), AUTH_TOKENS_ENV: ",".join(settings.auth_tokens)}
    try:
        supervisor.start(argv, env=env or None)
    except BaseException:
        supervisor.close()
        raise
    return supervisor


def _app_reference_or_none(app: Conduit) -> str | None:
    try:
        return app_reference(app)
    except ConduitError:
        return None  # an app built in a function: CPython-run calls then say there is no worker


def serve_stdio(app: Conduit, backend: Backend, *, app_spec: str | None = None) -> None:
    """Become the app's MCP server on stdin/stdout (exec), so a desktop client's pipes reach it
    directly. Natively when every tool is native; otherwise the python backend serves it all
    (the CPython worker beside a native server is an HTTP-server feature). Logs go to stderr."""
    backend = resolve_backend(backend, sys.stderr)
    if backend == "native":
        server = native_build(app)
        if not server.python_tools:
            os.execv(server.binary, [str(server.binary), "--stdio"])
        print(
            f"conduit: {', '.join(server.python_tools)} run(s) in CPython: serving stdio with the python backend",
            file=sys.stderr,
            flush=True,
        )
    spec = app_spec or app_reference(app)
    os.execv(sys.executable, [sys.executable, "-m", "conduit.python_backend", spec, "--stdio"])


def run_forever(
    app: Conduit, settings: ServerSettings, backend: Backend, *, out: TextIO, app_spec: str | None = None
) -> None:
    """Serve until Ctrl-C (or SIGTERM), printing where; the server process never outlives this call.

    A server (or CPython worker) that dies is started again by the supervisor, and a line on
    `out` says how it ended, its last log lines and how soon it answered again."""
    backend = resolve_backend(backend, out)
    if backend == "native":
        print(f"conduit: compiling {len(app.tools)} tool(s) with Codon...", file=out, flush=True)
    try:
        server = start_server(app, settings, backend, app_spec=app_spec)
    except KeyboardInterrupt:
        print("conduit: interrupted", file=out)
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    engines = getattr(server, "engines", None)
    if engines:
        native = sum(1 for n, e in engines.items() if e.native and not n.startswith("route "))
        print(f"conduit: {native} of {len(app.tools)} tool(s) native; each tool's engine:", file=out)
        print(describe_engines(engines), file=out, flush=True)
    print(f"conduit: serving {app.name!r} ({backend}) at {server.url}  (Ctrl-C to stop)", file=out, flush=True)
    # A server (or CPython worker) that dies is started again by the supervisor: say so.
    server.on_restart(lambda restart: print(f"conduit: {restart.line}", file=out, flush=True))
    try:
        while not stop.wait(0.5):
            if not server.alive and not server.restarting:  # stopped for good: not by a crash
                print(f"conduit: the server exited with code {server.returncode}\n{server.logs()}", file=out)
                raise SystemExit(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        print("conduit: stopped", file=out)
