"""Run a server process on a listening socket the supervisor owns, and swap it without loss.

The supervisor binds the socket once and keeps it open for its whole life. Each server process
gets it as fd 3 with the systemd socket-activation convention (`LISTEN_FDS=1`,
`LISTEN_PID=<its pid>`), so the same binary also runs under systemd. Because the socket never
closes, a new process can start on it while the old one still serves: connections wait in the
kernel's accept queue and whichever process accepts them answers. `replace()` starts the new
process, waits until *it* (not the old one) serves the socket, then stops the old one, which
drains on SIGTERM.

    with Supervisor(port=0) as sup:
        sup.start([binary])
        print(sup.url)               # http://127.0.0.1:<port>/mcp
        sup.replace([new_binary])    # no request fails in between

No orphans: on Linux every child gets PR_SET_PDEATHSIG(SIGTERM), so it dies with the Python
process even on SIGKILL, and an atexit hook stops children on a normal exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from queue import SimpleQueue
from typing import TypeVar

from .errors import ServerStartError

__all__ = ["ServerProcess", "Supervisor"]

LISTEN_FD = 3  # SD_LISTEN_FDS_START
_LINUX = sys.platform.startswith("linux")
# `$$` is the shell's pid, which `exec` hands on to the server: the only way to put the
# child's own pid into its environment before it starts.
_EXEC_WITH_LISTEN_PID = 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"'
_STATUS_LINE = re.compile(rb"HTTP/\d(?:\.\d)? \d{3}")

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
_supervisors: weakref.WeakSet[Supervisor] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for supervisor in list(_supervisors):
        with contextlib.suppress(Exception):
            supervisor.close(timeout=2.0)
    with _running_lock:
        processes = list(_running)
    for process in processes:
        process.stop(timeout=2.0)


# -- one process -----------------------------------------------------------------------------


class ServerProcess:
    """One server process: its pid, its log, and how to stop it."""

    def __init__(self, popen: subprocess.Popen[bytes], argv: Sequence[str], log_path: Path) -> None:
        self._popen = popen
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


# -- the supervisor --------------------------------------------------------------------------


class Supervisor:
    """Owns a listening socket and the server process that serves it.

    Args:
        host: address to bind; 127.0.0.1 unless the server must be reachable from elsewhere.
        port: port to bind; 0 picks a free one (read it back from `port`).
        run_dir: where the processes' log files go; a temporary directory (removed on
            `close()`) by default.
        backlog: the listen queue, which holds connections while processes are swapped.

    Example:
        with Supervisor() as sup:
            sup.start(["./server"])
            httpx.post(sup.url, json=...)
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        run_dir: str | os.PathLike[str] | None = None,
        backlog: int = 1024,
    ) -> None:
        self._socket = _listen(host, port, backlog)
        self._host = host
        self._port: int = self._socket.getsockname()[1]
        self._inode = os.fstat(self._socket.fileno()).st_ino
        self._own_run_dir = run_dir is None
        self.run_dir = Path(tempfile.mkdtemp(prefix="conduit-run-") if run_dir is None else run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._process: ServerProcess | None = None
        self._count = 0
        self._closed = False
        self._lock = threading.RLock()
        _supervisors.add(self)

    # addresses

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        host = _connect_host(self._host)
        return f"http://{f'[{host}]' if ':' in host else host}:{self._port}/mcp"

    @property
    def listener(self) -> socket.socket:
        """The listening socket, for callers that hand it on themselves."""
        return self._socket

    # the current process

    @property
    def process(self) -> ServerProcess | None:
        return self._process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.alive

    @property
    def returncode(self) -> int | None:
        return self._process.returncode if self._process else None

    def logs(self, lines: int = 50) -> str:
        """The last lines of the current (or last started) process's output."""
        return self._process.logs(lines) if self._process else ""

    # lifecycle

    def start(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
    ) -> ServerProcess:
        """Start `argv` on the socket and return once it answers HTTP.

        Raises:
            ServerStartError: it exited, or did not answer within `timeout` seconds.
        """
        with self._lock:
            if self.alive:
                raise RuntimeError(
                    f"A server is already running on {self.url} (pid {self.pid}): use replace(argv) to swap it."
                )
            return self.replace(argv, env=env, cwd=cwd, timeout=timeout)

    def replace(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
        drain_timeout: float = 10.0,
    ) -> ServerProcess:
        """Start `argv` on the same socket, wait until it serves, then retire the old process.

        Returns once the old process has drained and exited and the new one answers. If the
        new one fails before the old one is told to stop, it is stopped and the old one keeps
        serving.

        How "it serves" is told apart from "the old one answered": a new process counts as
        ready when it has the socket in an epoll set (it is in its accept loop) or when it
        answered a probe that it accepted itself (found through /proc). Only then is the old
        one sent SIGTERM; once it has exited, one more probe checks that the new one answers
        HTTP, and wakes it for any connection that arrived while the old one was leaving (with
        EPOLLEXCLUSIVE, as the native runtime uses, a wake-up can go to a process that then
        stops accepting).
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("Cannot start a server, as the supervisor has been closed.")
            old = self._process if self._process is not None and self._process.alive else None
            new = self._spawn(argv, env, cwd)
            try:
                self._wait_ready(new, timeout, rival=old)
            except BaseException:
                new.stop(timeout=2.0)  # also on KeyboardInterrupt: no half-started server
                raise
            self._process = new
            if old is not None:
                old.stop(drain_timeout)
                try:
                    self._wait_ready(new, timeout, rival=None, retired=old)
                except BaseException:
                    new.stop(timeout=2.0)
                    raise
            return new

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the current process (SIGTERM, then SIGKILL); the socket stays open."""
        with self._lock:
            if self._process is not None:
                self._process.stop(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the process and close the socket. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self.stop(timeout)
            self._closed = True
            self._socket.close()
            if self._own_run_dir:
                shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Supervisor {self.url} process={self._process!r}>"

    # internals

    def _spawn(
        self,
        argv: Sequence[str | os.PathLike[str]],
        env: Mapping[str, str] | None,
        cwd: str | os.PathLike[str] | None,
    ) -> ServerProcess:
        args = [os.fspath(arg) for arg in argv]
        if not args:
            raise ValueError("argv is empty: pass the server command, e.g. [str(build.binary)]")
        child_env = dict(os.environ if env is None else env)
        args[0] = _resolve_program(args[0], child_env, cwd)
        child_env.update(LISTEN_FDS="1", LISTEN_FDNAMES="conduit")
        child_env.pop("LISTEN_PID", None)
        child_env.setdefault("PYTHONUNBUFFERED", "1")  # python servers: logs appear as written
        # Codon's runtime links OpenBLAS, whose thread pool starts (and spins) at load time: a
        # server uses no BLAS, and one thread halves a native server's cold start (21 -> 10 ms).
        child_env.setdefault("OPENBLAS_NUM_THREADS", "1")
        self._count += 1
        log_path = self.run_dir / f"server-{self._count}.log"
        parent_pid = os.getpid()

        def popen() -> subprocess.Popen[bytes]:
            with open(log_path, "ab") as log:
                return subprocess.Popen(
                    ["/bin/sh", "-c", _EXEC_WITH_LISTEN_PID, *args],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=child_env,
                    cwd=cwd,
                    # fd 3 is placed by the preexec hook, after which close_fds would close
                    # it; everything Python opens is non-inheritable anyway (PEP 446).
                    close_fds=False,
                    start_new_session=True,
                    preexec_fn=_child_setup(self._socket.fileno(), parent_pid),
                )

        return ServerProcess(_spawner.run(popen), args, log_path)

    def _wait_ready(
        self,
        new: ServerProcess,
        timeout: float,
        rival: ServerProcess | None,
        retired: ServerProcess | None = None,
    ) -> None:
        """Until `new` serves the socket: it answers HTTP, or (while `rival` still serves the
        socket) it sits in its accept loop. `retired` only words the error."""
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            if rival is not None and _LINUX and _watches(new.pid, self._inode):
                return
            if self._answers(new, deadline, rival):
                return
            if not new.alive or time.monotonic() >= deadline:
                break
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        if new.alive:
            new.stop(timeout=2.0)  # first, so that the log below is complete
            what = (
                f"did not answer on {self.url} within {timeout:g} s and was stopped: check that it "
                "serves HTTP on the inherited socket (fd 3, LISTEN_FDS), or raise the timeout"
            )
        else:
            code = new.returncode
            how = (
                f"was killed by {_signal_name(-code)}" if code is not None and code < 0 else f"exited with code {code}"
            )
            what = f"{how} before answering on {self.url}: see its output below"
        if retired is not None:
            what += f"; the previous server (pid {retired.pid}) had already been stopped, so none is running"
        raise ServerStartError(
            f"The server {what} ({new.argv[0]}).",
            argv=new.argv,
            returncode=new.returncode,
            log=new.logs(30),
        )

    def _answers(self, new: ServerProcess, deadline: float, rival: ServerProcess | None) -> bool:
        """One probe: a complete HTTP status line from `new` (any status, e.g. 405, counts)."""
        host = _connect_host(self._host)
        try:
            conn = socket.create_connection((host, self._port), timeout=1.0)
        except OSError:
            return False
        with conn:
            # While an old process still serves the socket, either may accept the probe;
            # only an answer from the new one proves it is ready.
            if rival is not None and _LINUX and not self._accepted_by(conn, new, rival, deadline):
                return False
            request = (
                # No `Accept: text/event-stream`: an MCP server must not open a stream for this.
                f"GET /mcp HTTP/1.1\r\nHost: {host}:{self._port}\r\nConnection: close\r\n\r\n"
            )
            data = b""
            try:
                conn.sendall(request.encode())
                conn.settimeout(0.1)
                while b"\r\n" not in data and len(data) < 64:
                    if time.monotonic() >= deadline or not new.alive:
                        return False
                    try:
                        chunk = conn.recv(256)
                    except socket.timeout:
                        continue
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                return False
            return _STATUS_LINE.match(data) is not None

    def _accepted_by(self, conn: socket.socket, new: ServerProcess, rival: ServerProcess, deadline: float) -> bool:
        """Whether `new` (not a rival) accepted `conn`: find who holds its server-side socket."""
        client_port = conn.getsockname()[1]
        give_up = min(deadline, time.monotonic() + 2.0)
        while time.monotonic() < give_up and new.alive:
            inode = _accepted_inode(self._port, client_port)
            if inode:
                if _holds_socket(new.pid, inode):
                    return True
                if _holds_socket(rival.pid, inode):
                    return False
            time.sleep(0.005)
        return False


# -- sockets and /proc -----------------------------------------------------------------------


def _listen(host: str, port: int, backlog: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise OSError(
            exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}; pick another port or port=0"
        ) from None
    if sock.fileno() <= 2:  # stdio closed in this process: Popen would overwrite the socket
        import fcntl

        high = fcntl.fcntl(sock.fileno(), fcntl.F_DUPFD_CLOEXEC, 10)
        sock.close()
        sock = socket.socket(fileno=high)
    return sock


def _connect_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def _resolve_program(program: str, env: Mapping[str, str], cwd: str | os.PathLike[str] | None) -> str:
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


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


_TCP_ESTABLISHED = "01"


def _accepted_inode(server_port: int, client_port: int) -> int:
    """Inode of the server side of our probe connection; 0 while it waits to be accepted.

    Under load the same port pair can also appear as an earlier connection in TIME_WAIT
    (inode 0): only an established entry is ours.
    """
    server_hex = f":{server_port:04X}"
    client_hex = f":{client_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                next(handle, None)
                for row in handle:
                    fields = row.split()
                    if (
                        len(fields) >= 10
                        and fields[3] == _TCP_ESTABLISHED
                        and fields[1].endswith(server_hex)
                        and fields[2].endswith(client_hex)
                    ):
                        return int(fields[9])
        except OSError:
            continue
    return 0


def _fd_links(pid: int) -> Iterator[tuple[str, str]]:
    """(fd, what it points at) for each of `pid`'s open descriptors; nothing if it is gone."""
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return
    for name in names:
        with contextlib.suppress(OSError):
            yield name, os.readlink(f"{fd_dir}/{name}")


def _watches(pid: int, inode: int) -> bool:
    """Whether `pid` has the socket `inode` in one of its epoll sets: it is in its accept loop."""
    needle = f" ino:{inode:x} "
    for name, link in _fd_links(pid):
        if link != "anon_inode:[eventpoll]":
            continue
        with contextlib.suppress(OSError), open(f"/proc/{pid}/fdinfo/{name}") as info:
            if any(line.startswith("tfd:") and needle in line + " " for line in info):
                return True
    return False


def _holds_socket(pid: int, inode: int) -> bool:
    target = f"socket:[{inode}]"
    return any(link == target for _, link in _fd_links(pid))
