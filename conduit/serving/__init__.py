"""Serving: the processes that answer, on a socket that outlives them.

Supervisor       owns the listening socket; starts, swaps and stops server processes (.supervisor)
ServerProcess    one process: its pid, log and exit (.process)
start_server, run_forever, native_build, resolve_backend   from an app to a running server (.run)
"""

from .process import LISTEN_FD, ServerProcess
from .run import native_build, resolve_backend, run_forever, serve_stdio, start_server
from .supervisor import Supervisor

__all__ = [
    "LISTEN_FD",
    "ServerProcess",
    "Supervisor",
    "native_build",
    "resolve_backend",
    "run_forever",
    "serve_stdio",
    "start_server",
]
