"""One server process: started on the supervisor's socket, logged, stopped, never orphaned.

The child gets the listening socket as fd 3 (`LISTEN_FDS=1`, `LISTEN_PID=<its pid>`, systemd's
convention), leads its own process group, and on Linux gets PR_SET_PDEATHSIG(SIGTERM), so it
dies with the Python process even on SIGKILL; every child is forked from one long-lived thread,
for the reason `_Spawner` gives.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from queue import SimpleQueue
from typing import TypeVar

__all__ = ["LISTEN_FD", "ServerProcess", "spawn", "stop_all_processes"]

LISTEN_FD = 3  # SD_LISTEN_FDS_START
_LINUX = sys.platform.startswith("linux")
# `$$` is the shell's pid, which `exec` hands on to the server: the only way to put the
# child's own pid into its environment before it starts.
_EXEC_WITH_LISTEN_PID = 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"'

T = TypeVar("T")


# -- child setup -----------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_prctl: Callable[..., int] | None = None
if _LINUX:
    try:
        import ctypes

        _prctl = ctypes.CDLL(None, use_errno=True).prctl
        _prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        _prctl.restype = ctypes.c_int
    except (ImportError, OSError, AttributeError):  # pragma: no cover - exotic libc
        _prctl = None


def _child_setup(listen_fd: int, parent_pid: int) -> Callable[[], None]:
    """Runs in the forked child before exec: socket to fd 3, die with the parent."""

    def setup() -> None:
        if listen_fd != LISTEN_FD:
            os.dup2(listen_fd, LISTEN_FD)  # the duplicate is inheritable
        else:
            os.set_inheritable(LISTEN_FD, True)
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
            if os.getppid() != parent_pid:  # the parent died before prctl took effect
                os._exit(1)

    return setup


class _Spawner:
    """Forks every child from one long-lived thread.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process:
    a child forked from a short-lived thread (a background build, an executor) would get
    SIGTERM as soon as that thread ended. This thread lives as long as the process.
    """

    def __init__(self) -> None:
        self._queue: SimpleQueue[tuple[Callable[[], object], Future[object]]] = SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, fn: Callable[[], T]) -> T:
        if not _LINUX:
            return fn()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="conduit-spawner", daemon=True)
                self._thread.start()
        future: Future[object] = Future()
        self._queue.put((fn, future))
        return future.result()  # type: ignore[return-value]

    def _loop(self) -> None:
        while True:
            fn, future = self._queue.get()
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)


_spawner = _Spawner()
_running: set[ServerProcess] = set()  # strong refs: a dropped handle must still be stopped at exit
_running_lock = threading.Lock()


def spawn(
    argv: Sequence[str], env: Mapping[str, str], cwd: str | os.PathLike[str] | None, listen_fd: int, log_path: Path
) -> ServerProcess:
    """Start `argv` with `listen_fd` as its fd 3, its own process group, output to `log_path`.

    `LISTEN_PID` is set to the child's own pid by the shell that execs it (`$$`), the only way
    to know a pid before the process starts.
    """
    parent_pid = os.getpid()

    def popen() -> subprocess.Popen[bytes]:
        with open(log_path, "ab") as log:
            return subprocess.Popen(
                ["/bin/sh", "-c", _EXEC_WITH_LISTEN_PID, *argv],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env),
                cwd=cwd,
                # fd 3 is placed by the preexec hook, after which close_fds would close
                # it; everything Python opens is non-inheritable anyway (PEP 446).
                close_fds=False,
                start_new_session=True,
                preexec_fn=_child_setup(listen_fd, parent_pid),
            )

    return ServerProcess(_spawner.run(popen), argv, log_path)


def stop_all_processes(timeout: float = 2.0) -> None:
    """Stop every process still running (at exit: a dropped handle must not leave an orphan)."""
    with _running_lock:
        processes = list(_running)
    for process in processes:
        process.stop(timeout=timeout)


class ServerProcess:
    """One server process: its pid, its log, and how to stop it."""

    def __init__(self, popen: subprocess.Popen[bytes], argv: Sequence[str], log_path: Path) -> None:
        self._popen = popen
        self.started_at = time.monotonic()
        self.argv = list(argv)
        self.log_path = log_path
        with _running_lock:
            _running.add(self)

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def alive(self) -> bool:
        return self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._popen.poll()

    def logs(self, lines: int = 50) -> str:
        """The last `lines` lines the process wrote to stdout and stderr."""
        return _tail(self.log_path, lines)

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the process to exit; None if it still runs after `timeout`."""
        try:
            return self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM (the server drains and exits), then SIGKILL after `timeout`. Idempotent."""
        if self._popen.poll() is None:
            self._signal(signal.SIGTERM)
            if self.wait(timeout) is None:
                self._signal(signal.SIGKILL)
                self._popen.wait()
        with _running_lock:
            _running.discard(self)
        return self._popen.returncode

    def _signal(self, signum: int) -> None:
        # The child leads its own process group: signal the group, so that anything the
        # server started goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            try:
                os.killpg(self._popen.pid, signum)
            except (ProcessLookupError, PermissionError):
                self._popen.send_signal(signum)

    def __repr__(self) -> str:
        state = "running" if self.alive else f"exited {self.returncode}"
        return f"<ServerProcess pid={self.pid} {state} {self.argv[0]!r}>"


def _tail(path: Path, lines: int) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 256 * 1024))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:]) if lines > 0 else ""
