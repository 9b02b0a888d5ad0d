"""The CPython worker beside a native server: its socket, its process, restarted when it dies.

The native server hands the calls Python must answer to a CPython process over a Unix socket
(conduit/runtime/pyworker.codon, conduit/python_backend/worker.py). As with the server's TCP
socket, this object owns the listening socket and hands it to each worker process (fd 3,
`LISTEN_FDS`): a worker that dies is started again on the same socket, and calls that arrive
meanwhile wait in its backlog. Without `eager`, the worker starts only when the first call
connects (systemd-style socket activation): an app whose tools are all native pays nothing.

A dead worker is seen at once (a thread sleeps on its exit) and started again like a dead
server (conduit.serving.supervisor): at once the first time, with a growing delay in a crash
loop, each time recorded as a `Restart` in `restarts` and told to the `on_restart` callbacks
(printed to stderr when there are none). The native server never goes down with it: a call in
flight gets an error result, and later calls reach the new worker.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .process import Backoff, Restart, ServerProcess, spawn

__all__ = ["PythonWorker"]

_READY = "CPython worker for"  # conduit.python_backend.worker's line once the app is loaded: "... ready"


class PythonWorker:
    """The CPython worker process for an app, kept running while the native server runs.

    Args:
        app_spec: FILE[:ATTR] of the app (or of a notebook's tools module) the worker imports.
        run_dir: where the socket and the worker's log go.
        eager: start the worker now (the app has tools that run in CPython), not on first use.
        backoff: the delays between the restarts of a crash loop.
    """

    def __init__(
        self,
        app_spec: str,
        run_dir: Path,
        *,
        eager: bool,
        cwd: str | None = None,
        name: str = "python-worker",
        backoff: Backoff | None = None,
    ) -> None:
        self.app_spec = app_spec
        self.path = Path(run_dir) / f"{name}.sock"
        self._name = name
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.bind(str(self.path))
        self._socket.listen(256)
        self._log_dir = Path(run_dir)
        self._cwd = cwd
        self._process: ServerProcess | None = None
        self._starts = 0
        self.backoff = backoff or Backoff()
        self.exits: list[int | None] = []  # exit status of each worker that ended, in order
        self.restarts: list[Restart] = []
        self._listeners: list[Callable[[Restart], object]] = []
        self._recovering: Restart | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()
        if eager:
            self._start()
        self._thread = threading.Thread(target=self._watch, name="conduit-python-worker", daemon=True)
        self._thread.start()

    @property
    def env(self) -> dict[str, str]:
        """What the native server needs in its environment to reach the worker."""
        return {"CONDUIT_PYTHON_WORKER": str(self.path)}

    @property
    def process(self) -> ServerProcess | None:
        return self._process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.alive else None

    def logs(self, lines: int = 50) -> str:
        return self._process.logs(lines) if self._process is not None else ""

    @property
    def restarting(self) -> bool:
        """The worker died and is being started again (or waits out a backoff)."""
        process = self._process
        return self._recovering is not None or (
            process is not None and not process.alive and not process.stop_requested and not self._closed.is_set()
        )

    @property
    def last_exit(self) -> Restart | None:
        return self.restarts[-1] if self.restarts else None

    def on_restart(self, callback: Callable[[Restart], object]) -> None:
        """Call `callback(restart)` when the worker died: once a backoff begins, once it runs again."""
        self._listeners.append(callback)

    def _start(self) -> ServerProcess | None:
        with self._lock:
            if self._closed.is_set():
                return None
            self._starts += 1
            argv = [sys.executable, "-m", "conduit.python_backend.worker", self.app_spec]
            env = dict(os.environ, PYTHONUNBUFFERED="1", LISTEN_FDS="1")
            log = self._log_dir / f"{self._name}-{self._starts}.log"
            self._process = spawn(argv, env, self._cwd, self._socket.fileno(), log)
            return self._process

    def _watch(self) -> None:
        """Start the worker on first use; start it again, with a backoff, when it exits."""
        while not self._closed.is_set():
            process = self._process
            if process is None:
                readable, _, _ = select.select([self._socket], [], [], 0.2)
                if readable and not self._closed.is_set():
                    self._start()
                continue
            if not process.wait_exit(timeout=1.0) or self._closed.is_set() or process.stop_requested:
                continue
            self.exits.append(process.returncode)
            record = Restart.of(process, "CPython worker", len(self.restarts) + 1, self.backoff)
            self.restarts.append(record)
            self._recovering = record
            if record.delay:
                self._tell(record)
                if self._closed.wait(record.delay):
                    record.state = "abandoned"
                    self._recovering = None
                    return
            record.state = "starting"
            new = self._start()
            if new is None:
                record.state = "abandoned"
                self._recovering = None
                return
            record.new_pid = new.pid
            # Calls wait in the socket's backlog meanwhile; the worker says when it has loaded the app.
            ready = self._await_ready(new)
            record.state = "restarted" if ready or new.alive else "failed"
            record.seconds = time.monotonic() - record.noticed if ready else None
            self._recovering = None
            if record.state == "restarted":
                self._tell(record)  # a failed one: the next record, about the new worker, tells

    def _await_ready(self, process: ServerProcess, timeout: float = 30.0) -> bool:
        """Until the worker has loaded the app (its log says `ready`); False if it exits first."""
        deadline = time.monotonic() + timeout
        while process.alive and not self._closed.is_set() and time.monotonic() < deadline:
            if _READY in process.logs(5):
                return True
            time.sleep(0.005)
        return False

    def _tell(self, record: Restart) -> None:
        if not self._listeners:
            print(f"conduit: {record.line}", file=sys.stderr, flush=True)
        for callback in list(self._listeners):
            with contextlib.suppress(Exception):
                callback(record)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker and remove its socket. Idempotent."""
        self._closed.set()
        with self._lock:
            process = self._process
        if process is not None:
            process.stop(timeout)
        self._socket.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
