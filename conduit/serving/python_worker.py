"""The CPython worker beside a native server: its socket, its process, restarted when it dies.

The native server hands the calls Python must answer to a CPython process over a Unix socket
(conduit/runtime/pyworker.codon, conduit/python_backend/worker.py). As with the server's TCP
socket, this object owns the listening socket and hands it to each worker process (fd 3,
`LISTEN_FDS`): a worker that dies is started again on the same socket, and calls that arrive
meanwhile wait in its backlog. Without `eager`, the worker starts only when the first call
connects (systemd-style socket activation): an app whose tools are all native pays nothing.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import sys
import threading
import time
from pathlib import Path

from .process import ServerProcess, spawn

__all__ = ["PythonWorker"]

RESTART_DELAYS = (0.0, 0.1, 0.5, 1.0, 2.0, 5.0)  # after each crash in a row


class PythonWorker:
    """The CPython worker process for an app, kept running while the native server runs.

    Args:
        app_spec: FILE[:ATTR] of the app (or of a notebook's tools module) the worker imports.
        run_dir: where the socket and the worker's log go.
        eager: start the worker now (the app has tools that run in CPython), not on first use.
    """

    def __init__(
        self, app_spec: str, run_dir: Path, *, eager: bool, cwd: str | None = None, name: str = "python-worker"
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
        self._crashes = 0
        self.exits: list[int | None] = []  # exit status of each worker that ended, in order
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

    def _start(self) -> None:
        with self._lock:
            if self._closed.is_set():
                return
            self._starts += 1
            argv = [sys.executable, "-m", "conduit.python_backend.worker", self.app_spec]
            env = dict(os.environ, PYTHONUNBUFFERED="1", LISTEN_FDS="1")
            log = self._log_dir / f"{self._name}-{self._starts}.log"
            self._process = spawn(argv, env, self._cwd, self._socket.fileno(), log)

    def _watch(self) -> None:
        """Start the worker on first use; start it again, with a backoff, when it exits."""
        while not self._closed.is_set():
            process = self._process
            if process is None:
                readable, _, _ = select.select([self._socket], [], [], 0.2)
                if readable and not self._closed.is_set():
                    self._start()
                continue
            if process.wait(0.2) is None:
                if self._crashes and time.monotonic() - self._started_at > 10:
                    self._crashes = 0  # it stayed up: the next crash restarts at once
                continue
            if self._closed.is_set():
                return
            self.exits.append(process.returncode)
            print(
                f"conduit: the CPython worker exited with code {process.returncode}; starting it again\n"
                + process.logs(10),
                file=sys.stderr,
                flush=True,
            )
            time.sleep(RESTART_DELAYS[min(self._crashes, len(RESTART_DELAYS) - 1)])
            self._crashes += 1
            self._start()

    @property
    def _started_at(self) -> float:
        return self._process.started_at if self._process is not None else time.monotonic()

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
