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

With `restart=True` (as `start_server` and `conduit serve` use it), a process that dies unasked
(a crash, `kill -9`, the OOM killer) is started again at once with the same argv and
environment on the same socket: a watcher thread sleeps on the process's exit (a pidfd), so the
connections that arrive meanwhile wait in the listen backlog and are answered by the new one.
A crash loop is retried with a growing delay (`Backoff`), never given up on; each restart is a
`Restart` in `restarts` (exit status, last log lines, how long the new process took to
answer), and `on_restart(callback)` hears of them as they happen. An intended stop (`stop()`,
`close()`, the old process of a `replace()`) is no crash.

No orphans: every child dies with the Python process (conduit.serving.process), and an atexit
hook stops children on a normal exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..errors import ServerStartError
from .process import Backoff, Restart, ServerProcess, exit_cause, resolve_program, spawn, stop_all_processes
from .procfs import accepted_inode, holds_socket, watches
from .sockets import connect_host, listen

__all__ = ["Restart", "ServerProcess", "Supervisor"]

_LINUX = sys.platform.startswith("linux")
_STATUS_LINE = re.compile(rb"HTTP/\d(?:\.\d)? \d{3}")
_supervisors: weakref.WeakSet[Supervisor] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for supervisor in list(_supervisors):
        with contextlib.suppress(Exception):
            supervisor.close(timeout=2.0)
    stop_all_processes()


# -- the supervisor --------------------------------------------------------------------------


class Supervisor:
    """Owns a listening socket and the server process that serves it.

    Args:
        host: address to bind; 127.0.0.1 unless the server must be reachable from elsewhere.
        port: port to bind; 0 picks a free one (read it back from `port`).
        run_dir: where the processes' log files go; a temporary directory (removed on
            `close()`) by default.
        backlog: the listen queue, which holds connections while processes are swapped.
        restart: start the server again when it dies unasked (see the module's doc).
        backoff: the delays between the restarts of a crash loop.

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
        restart: bool = False,
        backoff: Backoff | None = None,
    ) -> None:
        self._socket = listen(host, port, backlog)
        self._host = host
        self._port: int = self._socket.getsockname()[1]
        self._inode = os.fstat(self._socket.fileno()).st_ino
        self._own_run_dir = run_dir is None
        self.run_dir = Path(tempfile.mkdtemp(prefix="conduit-run-") if run_dir is None else run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._process: ServerProcess | None = None
        self._companions: list = []  # things that live and die with the server (its CPython worker)
        self._count = 0
        self._closed = False
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # the current process changed, or closing
        self._closing = threading.Event()
        self.restart = restart
        self.backoff = backoff or Backoff()
        self.restarts: list[Restart] = []  # every unasked exit of a server, oldest first
        self._listeners: list[Callable[[Restart], object]] = []
        self._recovering: Restart | None = None  # the restart under way
        self._spec: tuple | None = None  # (argv, env, cwd, timeout) of the server to keep running
        self._watcher: threading.Thread | None = None
        self._stopped = False  # stop() was called: no restart until the next start
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
        host = connect_host(self._host)
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

    # restarts

    @property
    def restarting(self) -> bool:
        """The server died unasked and is being started again (or waits out a backoff)."""
        if self._recovering is not None:
            return True
        process = self._process
        return (
            self.restart
            and not self._closing.is_set()
            and process is not None
            and not process.stop_requested
            and not process.alive
        )

    @property
    def last_exit(self) -> Restart | None:
        """The last time the server died unasked, and what became of its restart."""
        return self.restarts[-1] if self.restarts else None

    @property
    def crashes_in_a_row(self) -> int:
        """Quick crashes in a row (a crash loop when above 1); 0 once a server has stayed up."""
        process = self._process
        if process is None or not self.restarts:
            return 0
        if process.alive:
            return self.backoff.in_a_row(time.monotonic() - process.started_at)
        return self.backoff.streak

    @property
    def status(self) -> str:
        """One line: serving, restarting (in a crash loop?), stopped or closed."""
        if self._closed:
            return "closed"
        recovering = self._recovering
        if recovering is not None:
            return recovering.line
        if self.alive:
            crashes = self.crashes_in_a_row
            loop = f", after {crashes} crashes in a row" if crashes > 1 else ""
            count = len(self.restarts)
            restarted = f" (restarted {count} time{'s' if count != 1 else ''}{loop})" if count else ""
            return f"serving at {self.url} (pid {self.pid}){restarted}"
        if self.restarting:
            return f"the server {exit_cause(self.returncode)}; restarting"
        if self._process is None:
            return "not started"
        if not self._process.stop_requested:  # restart=False: nothing starts it again
            return f"down: the server {exit_cause(self.returncode)} and restarts are off"
        return f"stopped (the server {exit_cause(self.returncode)})"

    def on_restart(self, callback: Callable[[Restart], object]) -> None:
        """Call `callback(restart)` (from the watcher thread) when a server or an attached
        companion (the CPython worker) dies and is started again: once a backoff begins
        (`state == "waiting"`), and once it answers again (`"restarted"`)."""
        self._listeners.append(callback)
        for companion in self._companions:
            if hasattr(companion, "on_restart"):
                companion.on_restart(callback)

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
            self._set_process(new)
            self._spec = (list(argv), env, cwd, timeout)  # what a restart starts again
            self._stopped = False
            if old is not None:
                old.stop(drain_timeout)
                try:
                    self._wait_ready(new, timeout, rival=None, retired=old)
                except BaseException:
                    new.stop(timeout=2.0)
                    raise
            if self.restart and self._watcher is None:
                self._watcher = threading.Thread(target=self._watch, name="conduit-supervisor", daemon=True)
                self._watcher.start()
            return new

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the current process (SIGTERM, then SIGKILL); the socket stays open, and nothing
        restarts the server until the next `start()`."""
        with self._lock:
            self._stopped = True
            self._abandon()  # a restart waiting out its backoff gives up
            if self._process is not None:
                self._process.stop(timeout)

    def attach(self, companion) -> None:
        """Close `companion` (anything with `close(timeout)`) when the supervisor closes; its
        restarts (if it has `on_restart`) reach this supervisor's `on_restart` callbacks."""
        self._companions.append(companion)
        if hasattr(companion, "on_restart"):
            for callback in self._listeners:
                companion.on_restart(callback)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the process and close the socket. Idempotent; a restart under way (or its
        backoff) is cut short."""
        self._closing.set()  # first: a restart waiting for its process to answer gives up
        with self._lock:
            if self._closed:
                return
            self.stop(timeout)
            for companion in self._companions:
                with contextlib.suppress(Exception):
                    companion.close(timeout)
            self._closed = True
            self._socket.close()
            if self._own_run_dir:
                shutil.rmtree(self.run_dir, ignore_errors=True)
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Supervisor {self.url} process={self._process!r}>"

    # internals

    def _set_process(self, process: ServerProcess) -> None:
        self._process = process
        self._changed.notify_all()

    def _watch(self) -> None:
        """The watcher thread: sleep on the current process's exit; start it again if it died unasked."""
        seen: ServerProcess | None = None
        while True:
            with self._lock:
                self._changed.wait_for(
                    lambda: self._closing.is_set() or (self._process is not None and self._process is not seen)
                )
                if self._closing.is_set():
                    return
                process = seen = self._process
            assert process is not None
            while not process.wait_exit(timeout=1.0):
                if self._closing.is_set() or self._process is not process:
                    break
            else:
                if not process.stop_requested and not self._closing.is_set():
                    try:
                        self._recover(process)
                    except Exception:  # a bug here must not end the watching: say so, go on
                        self._recovering = None
                        traceback.print_exc()

    def _recover(self, dead: ServerProcess) -> None:
        """Start the server again on the same socket, after a backoff in a crash loop, until one
        answers or the supervisor closes or another server replaces the dead one."""
        with self._lock:  # a replace() under way finishes first: its retired processes are no crash
            if dead.stop_requested or self._given_up(dead):
                return
            record = self._record(dead)
        while True:
            if record.delay:
                self._tell(record)
                with self._lock:
                    self._changed.wait_for(lambda: self._given_up(dead), record.delay)
            with self._lock:
                if self._given_up(dead) or self._spec is None:
                    self._abandon()
                    return
                argv, env, cwd, timeout = self._spec
                record.state = "starting"
                try:
                    new = self._spawn(argv, env, cwd)
                except (ServerStartError, OSError) as exc:  # the binary went away, say: retried
                    record.error = str(exc)
                    record.delay = self.backoff.crashed(0.0)
                    record.crashes = self.backoff.streak
                    record.state = "waiting"
                    continue
                self._set_process(new)
                try:
                    self._wait_ready(new, timeout, rival=None)
                except ServerStartError:
                    record.state = "failed"
                    record.new_pid = new.pid
                    if self._closing.is_set():
                        self._recovering = None
                        return
                    hung = new.stop_requested  # stopped for not answering, rather than dead
                    new.wait_exit(5.0)
                    reason = f"did not answer within {timeout:g} s and was stopped" if hung else None
                    dead = new  # it died (or hung) before answering: the next record is about it
                    record = self._record(new, reason=reason)
                    continue
                record.state = "restarted"
                record.new_pid = new.pid
                record.seconds = time.monotonic() - record.noticed
                self._recovering = None
            self._tell(record)
            return

    def _abandon(self) -> None:
        """Under the lock: the restart under way (in its backoff) will not happen."""
        if self._recovering is not None:
            self._recovering.state = "abandoned"
            self._recovering = None
        self._changed.notify_all()

    def _given_up(self, dead: ServerProcess) -> bool:
        """No restart for `dead` after all: closing, stopped, restarts turned off, or another
        server replaced it."""
        return self._closing.is_set() or self._stopped or not self.restart or self._process is not dead

    def _record(self, dead: ServerProcess, reason: str | None = None) -> Restart:
        record = Restart.of(dead, "server", len(self.restarts) + 1, self.backoff, reason)
        self.restarts.append(record)
        self._recovering = record
        return record

    def _tell(self, record: Restart) -> None:
        for callback in list(self._listeners):
            with contextlib.suppress(Exception):
                callback(record)

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
        args[0] = resolve_program(args[0], child_env, cwd)
        child_env.update(LISTEN_FDS="1", LISTEN_FDNAMES="conduit")
        child_env.pop("LISTEN_PID", None)
        child_env.setdefault("PYTHONUNBUFFERED", "1")  # python servers: logs appear as written
        # Codon's runtime links OpenBLAS, whose thread pool starts (and spins) at load time: a
        # server uses no BLAS, and one thread halves a native server's cold start (21 -> 10 ms).
        child_env.setdefault("OPENBLAS_NUM_THREADS", "1")
        self._count += 1
        log_path = self.run_dir / f"server-{self._count}.log"
        return spawn(args, child_env, cwd, self._socket.fileno(), log_path)

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
            if rival is not None and _LINUX and watches(new.pid, self._inode):
                return
            if self._answers(new, deadline, rival):
                return
            if not new.alive or time.monotonic() >= deadline or self._closing.is_set():
                break
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        if new.alive and self._closing.is_set():
            new.stop(timeout=2.0)
            what = "was stopped before it answered, as the supervisor is closing"
        elif new.alive:
            new.stop(timeout=2.0)  # first, so that the log below is complete
            what = (
                f"did not answer on {self.url} within {timeout:g} s and was stopped: check that it "
                "serves HTTP on the inherited socket (fd 3, LISTEN_FDS), or raise the timeout"
            )
        else:
            what = f"{exit_cause(new.returncode)} before answering on {self.url}: see its output below"
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
        host = connect_host(self._host)
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
                    if time.monotonic() >= deadline or not new.alive or self._closing.is_set():
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
            inode = accepted_inode(self._port, client_port)
            if inode:
                if holds_socket(new.pid, inode):
                    return True
                if holds_socket(rival.pid, inode):
                    return False
            time.sleep(0.005)
        return False
