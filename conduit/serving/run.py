"""From an app to a running server: pick the backend, build if native, start it under the supervisor."""

from __future__ import annotations

import signal
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from .. import codegen, toolchain
from ..loader import app_reference
from ..settings import Backend, ServerSettings
from .supervisor import Supervisor

if TYPE_CHECKING:
    from ..app import Conduit


def native_build(app: Conduit, settings: ServerSettings | None = None) -> toolchain.Build:
    """Generate and compile the app's native server (a cache hit when nothing changed)."""
    program = codegen.generate(app, settings)
    return toolchain.build(program.text, source_map=program.source_map)


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
    if backend == "native":
        argv = [str(native_build(app, settings).binary)]
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
    supervisor = Supervisor(settings.host, settings.port)
    try:
        supervisor.start(argv)
    except BaseException:
        supervisor.close()
        raise
    return supervisor


def run_forever(
    app: Conduit, settings: ServerSettings, backend: Backend, *, out: TextIO, app_spec: str | None = None
) -> None:
    """Serve until Ctrl-C (or SIGTERM), printing where; the server process never outlives this call."""
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
    print(f"conduit: serving {app.name!r} ({backend}) at {server.url}  (Ctrl-C to stop)", file=out, flush=True)
    try:
        while not stop.wait(0.5):
            if not server.alive:
                print(f"conduit: the server exited with code {server.returncode}\n{server.logs()}", file=out)
                raise SystemExit(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        print("conduit: stopped", file=out)
