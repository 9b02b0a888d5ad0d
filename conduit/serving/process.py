"""One server process: started on the supervisor's socket, logged, stopped, never orphaned.

The child gets the listening socket as fd 3 (`LISTEN_FDS=1`, `LISTEN_PID=<its pid>`, systemd's
convention), leads its own process group, and on Linux gets PR_SET_PDEATHSIG(SIGTERM), so it
dies with the Python process even on SIGKILL; every child is forked from one long-lived thread,
for the reason `_Spawner` gives.

A child that dies unasked is started again by its owner (the supervisor, the CPython worker):
`ServerProcess.wait_exit` notices the exit at once (a pidfd on Linux), `stop_requested` tells
an intended stop from a crash, `Backoff` spaces out the restarts of a crash loop, and a
`Restart` records each one (exit status, last log lines, how long the new process took).
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue
from typing import Literal, TypeVar

from ..errors import ServerStartError

__all__ = [
    "LISTEN_FD",
    "Backoff",
    "Restart",
    "ServerProcess",
    "exit_cause",
    "resolve_program",
    "spawn",
    "stop_all_processes",
]

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
        self.stop_requested = False  # stop() was called: its exit is no crash
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

    def wait_exit(self, timeout: float | None = None) -> bool:
        """Block until the process has exited (True, and it is reaped) or `timeout` passes.

        On Linux this sleeps on a pidfd, so an exit is seen at once, and unlike a blocking
        `Popen.wait()` it holds no lock that would make other threads' `poll()` guess.
        """
        if self._popen.returncode is not None:
            return True
        pidfd = _pidfd_open(self.pid)
        if pidfd is None:  # no pidfd (not Linux, or an old kernel): look often
            deadline = None if timeout is None else time.monotonic() + timeout
            while self._popen.poll() is None:
                if deadline is not None and time.monotonic() >= deadline:
                    return False
                time.sleep(0.01)
            return True
        try:
            if self._popen.returncode is not None:  # reaped meanwhile: the pid may be another's now
                return True
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            if not poller.poll(None if timeout is None else max(0, int(timeout * 1000))):
                return False
            self._popen.wait()  # it has exited: this reaps it without blocking
            return True
        finally:
            os.close(pidfd)

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM (the server drains and exits), then SIGKILL after `timeout`. Idempotent."""
        self.stop_requested = True
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


def _pidfd_open(pid: int) -> int | None:
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:  # ESRCH: reaped already (returncode is set); ENOSYS: a kernel before 5.3
        return None


def exit_cause(returncode: int | None) -> str:
    """'was killed by SIGKILL', 'exited with code 3': how a process ended, for a message."""
    if returncode is None:
        return "is still running"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with code {returncode}"


# -- restarts --------------------------------------------------------------------------------


class Backoff:
    """How long to wait before starting a crashed process again.

    The first crash restarts at once; each further crash of a process that had run less than
    `stable_after` seconds doubles the wait, from `first` up to `most` (0, 0.1, 0.2, 0.4 ... 5 s).
    A process that stayed up that long resets it: its crash restarts at once again.
    """

    def __init__(self, first: float = 0.1, most: float = 5.0, stable_after: float = 10.0) -> None:
        self.first = first
        self.most = most
        self.stable_after = stable_after
        self.streak = 0  # quick crashes in a row

    def crashed(self, uptime: float) -> float:
        """Count a crash of a process that had run `uptime` seconds; the delay before the restart."""
        if uptime >= self.stable_after:
            self.streak = 0
        delay = 0.0 if self.streak == 0 else min(self.first * 2 ** (self.streak - 1), self.most)
        self.streak += 1
        return delay

    def in_a_row(self, uptime: float) -> int:
        """Crashes in a row so far, unless the process now running (up `uptime` s) has outlived them."""
        return 0 if uptime >= self.stable_after else self.streak


RestartState = Literal["waiting", "starting", "restarted", "failed", "abandoned"]


@dataclass
class Restart:
    """One process that died unasked, and its restart.

    `state`: `waiting` out the backoff, `starting` the new process, `restarted` (it answers:
    `seconds` after the exit was seen), `failed` (the new process died or hung before answering;
    the next record is about it), or `abandoned` (the supervisor closed, or another server
    replaced it, first).
    """

    number: int  # 1 for the first restart of its owner
    what: str  # "server", "CPython worker"
    pid: int  # the process that died
    returncode: int | None  # negative: killed by that signal (-9: SIGKILL)
    uptime: float  # how long it had run, in seconds
    at: float  # when its exit was seen (time.time())
    log: str  # its last log lines
    delay: float = 0.0  # the backoff waited before starting it again
    crashes: int = 1  # quick crashes in a row, this one included: more than 1 is a crash loop
    state: RestartState = "waiting"
    new_pid: int | None = None
    seconds: float | None = None  # from its exit seen to the new server answering (a worker: started)
    reason: str | None = None  # instead of the exit status: how it failed to come up
    error: str | None = None  # why a start failed (a retry follows, after a backoff)
    noticed: float = field(default=0.0, repr=False)  # time.monotonic() when the exit was seen

    @classmethod
    def of(cls, dead: ServerProcess, what: str, number: int, backoff: Backoff, reason: str | None = None) -> Restart:
        """The record of `dead`, whose exit was just seen; `backoff` learns of the crash (a
        process that failed to come up, `reason`, counts as a quick one)."""
        seen = time.monotonic()
        uptime = seen - dead.started_at
        return cls(
            number=number,
            what=what,
            pid=dead.pid,
            returncode=dead.returncode,
            uptime=uptime,
            at=time.time(),
            log=dead.logs(20),
            delay=backoff.crashed(0.0 if reason else uptime),
            crashes=backoff.streak,
            reason=reason,
            noticed=seen,
        )

    @property
    def cause(self) -> str:
        return self.reason or exit_cause(self.returncode)

    @property
    def last_log(self) -> str:
        """The last non-empty log lines, on one line, short."""
        lines = [line.strip() for line in self.log.splitlines() if line.strip()][-3:]
        text = " | ".join(lines)
        return text if len(text) <= 200 else "..." + text[-197:]

    @property
    def line(self) -> str:
        """One line for a log or a terminal: what died, how, and what was done about it."""
        up = f" after running {_duration(self.uptime)}" if self.uptime < 60 else ""
        head = f"the {self.what} (pid {self.pid}) {self.cause}{up}"
        if self.last_log:
            head += f" (last log: {self.last_log})"
        loop = f"; crashed {self.crashes} times in a row, retried with a backoff" if self.crashes > 1 else ""
        if self.state == "restarted":
            waited = f" after a {_duration(self.delay)} backoff" if self.delay else ""
            return f"{head}; restarted in {_duration(self.seconds or 0.0)}{waited} (restart {self.number}{loop})"
        if self.state == "waiting":
            error = f"; it could not be started: {self.error}" if self.error else ""
            return f"{head}{error}; restarting in {_duration(self.delay)} (restart {self.number}{loop})"
        if self.state == "starting":
            return f"{head}; restarting (restart {self.number}{loop})"
        if self.state == "failed":
            return f"{head}; its restart (pid {self.new_pid}) failed too (restart {self.number}{loop})"
        return f"{head}; not restarted, as the {self.what} was stopped or replaced first"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


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


def resolve_program(program: str, env: Mapping[str, str], cwd: str | os.PathLike[str] | None) -> str:
    if os.sep in program:
        path = Path(cwd or ".", program) if not os.path.isabs(program) else Path(program)
        if os.access(path, os.X_OK) and path.is_file():
            return program
    else:
        found = shutil.which(program, path=env.get("PATH", os.defpath))
        if found:
            return found
    raise ServerStartError(
        f"Cannot start the server: {program!r} is not an executable file"
        + ("" if os.sep in program else " on PATH")
        + ": build it first, or check the path.",
        argv=[program],
    )
