"""The CPython worker: answers the calls the native server hands to Python, in the same app.

A tool that cannot run natively with Python's meaning (it imports json, uses a big integer, meets
text beyond ASCII in `s.upper()`...) is still served by the native front end: tools/list,
dispatch, HTTP and both protocol eras stay native, and the call itself comes here over a Unix
socket (conduit/runtime/pyworker.codon, which documents the framing). Each connection is one
native pool thread, served by a thread of its own here, so slow Python calls overlap.

The answer is what the native call wrappers write: the result's members as compact JSON
(`"content":[...],"isError":false,...`), or an error message, with calls.codon's codes.

Run as `python -m conduit.python_backend.worker FILE[:ATTR]` on a listening socket inherited as
fd 3 (`LISTEN_FDS`, as the supervisor starts it), or on `--socket PATH`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import struct
import sys
import threading
from typing import Any

from ..app import Conduit
from ..loader import load_app
from .arguments import ArgumentError, decode_arguments
from .results import exception_message, tool_result

__all__ = ["answer", "serve_calls"]

CALL_OK = 0
CALL_BAD_ARGUMENTS = 1
CALL_FAILED = 2
LISTEN_FD = 3


def answer(app: Conduit, tool_name: str, arguments: str) -> tuple[int, str]:
    """(code, text) for one call: the result members on success, else the message."""
    tool = app.tools.get(tool_name)
    if tool is None:
        return CALL_FAILED, f"Unknown tool: {tool_name}"
    try:
        kwargs = decode_arguments(tool, json.loads(arguments) if arguments else None)
    except ArgumentError as exc:
        return CALL_BAD_ARGUMENTS, str(exc)
    except ValueError as exc:
        return CALL_BAD_ARGUMENTS, f"Invalid arguments: {exc}"
    try:
        value = tool.fn(**kwargs)
        result = tool_result(tool, value)
        if "structuredContent" in result:  # NaN and infinities travel as null, as the SDK sends them
            result["structuredContent"] = _finite(result["structuredContent"])
        members = json.dumps(result, separators=(",", ":"))
    except Exception as exc:  # a tool's failure is its result, not the worker's
        return CALL_FAILED, exception_message(exc)
    return CALL_OK, members[1:-1]


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _read_exactly(conn: socket.socket, n: int) -> bytes | None:
    chunks = []
    while n:
        chunk = conn.recv(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _serve_connection(app: Conduit, conn: socket.socket) -> None:
    with conn:
        while True:
            head = _read_exactly(conn, 4)
            if head is None:
                return
            (length,) = struct.unpack("<I", head)
            body = _read_exactly(conn, length)
            if body is None:
                return
            name, _, arguments = body.decode("utf-8", "replace").partition("\n")
            code, text = answer(app, name, arguments)
            data = text.encode("utf-8", "surrogatepass")
            try:
                conn.sendall(struct.pack("<II", code, len(data)) + data)
            except OSError:  # the pool thread stopped waiting (the call's time limit): nobody to tell
                return


def serve_calls(app: Conduit, listener: socket.socket) -> None:
    """Answer calls on `listener` until the process is stopped; one thread per connection."""
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_serve_connection, args=(app, conn), daemon=True).start()


def _listener(path: str | None) -> socket.socket:
    inherited = os.environ.get("LISTEN_FDS") == "1" and os.environ.get("LISTEN_PID", str(os.getpid())) == str(
        os.getpid()
    )
    if inherited:
        return socket.socket(fileno=LISTEN_FD)
    if path is None:
        raise SystemExit("conduit worker: no socket: give --socket PATH, or start it with LISTEN_FDS")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    sock.bind(path)
    sock.listen(128)
    return sock


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m conduit.python_backend.worker", description=__doc__)
    parser.add_argument("app", help="FILE[:ATTR], the Python file that defines the Conduit app")
    parser.add_argument("--socket", help="the Unix socket to listen on (default: inherited fd 3)")
    args = parser.parse_args(argv)
    listener = _listener(args.socket)
    app = load_app(args.app)
    print(f"conduit: CPython worker for {app.name!r} ready (pid {os.getpid()})", file=sys.stderr, flush=True)
    try:
        serve_calls(app, listener)
    except KeyboardInterrupt:
        pass


def _main_guard(*_: Any) -> None:  # pragma: no cover - signal handler
    raise SystemExit(0)


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGTERM, _main_guard)
    main()
