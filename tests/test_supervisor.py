"""The supervisor against real processes on real sockets.

The servers here are tiny Python programs that follow the same contract as Conduit's native
server: serve HTTP on the inherited fd 3 (LISTEN_FDS), drain and exit on SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from conduit import toolchain
from conduit.errors import ServerStartError
from conduit.loader import load_app
from conduit.serving import Supervisor, start_server
from conduit.serving.process import Backoff, Restart
from conduit.serving.python_worker import PythonWorker
from conftest import BACKENDS

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]

SERVER = r"""
import os, signal, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

tag = sys.argv[1] if len(sys.argv) > 1 else "a"
if os.path.exists(os.environ.get("CRASH_IF", "/nonexistent")):  # a crash loop, for the restart tests
    print("boom: crashing at start", flush=True)
    sys.exit(5)
print(f"pid={os.getpid()} listen_pid={os.environ.get('LISTEN_PID')} "
      f"listen_fds={os.environ.get('LISTEN_FDS')} "
      f"openblas_threads={os.environ.get('OPENBLAS_NUM_THREADS')}", flush=True)
time.sleep(float(os.environ.get("START_DELAY", "0")))
sock = socket.socket(fileno=3)
print(f"fd3 port={sock.getsockname()[1]}", flush=True)
# Two processes share this socket during a swap: never block in accept().
sock.setblocking(False)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection, so draining = finishing them

    def do_GET(self):
        body = f"{tag} {os.getpid()}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for requests in flight
    block_on_close = True


server = Server(sock.getsockname(), Handler, bind_and_activate=False)
server.socket.close()
server.socket = sock
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *args: stop.set())
threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
print("serving", flush=True)
stop.wait()
server.shutdown()
server.server_close()
print("drained", flush=True)
"""


# Accepts like the native runtime: an epoll set with the socket registered EPOLLEXCLUSIVE, so
# the kernel wakes the process that registered first, and an old process wins every connection
# for as long as it is registered.
EXCLUSIVE_SERVER = r"""
import os, select, signal, socket, sys, time

tag = sys.argv[1] if len(sys.argv) > 1 else "a"
time.sleep(float(os.environ.get("START_DELAY", "0")))
listener = socket.socket(fileno=3)
listener.setblocking(False)
epoll = select.epoll()
epoll.register(listener.fileno(), select.EPOLLIN | select.EPOLLEXCLUSIVE)
stopping = False


def on_term(*args):
    global stopping
    stopping = True


def answer(conn):
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    body = f"{tag} {os.getpid()}".encode()
    head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    conn.sendall(head.encode() + body)


signal.signal(signal.SIGTERM, on_term)
print("serving", flush=True)
while not stopping:
    for _ in epoll.poll(0.05):
        while True:
            try:
                conn, _ = listener.accept()
            except BlockingIOError:
                break
            with conn:
                try:
                    answer(conn)
                except OSError:
                    pass
epoll.unregister(listener.fileno())  # queued connections stay for the next process
print("drained", flush=True)
"""


@pytest.fixture(scope="module")
def server_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("servers") / "server.py"
    path.write_text(SERVER)
    return path


@pytest.fixture(scope="module", params=["threads", "epoll-exclusive"])
def any_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both ways a server may accept on a shared socket."""
    path = tmp_path_factory.mktemp("servers") / f"{request.param}.py"
    path.write_text(SERVER if request.param == "threads" else EXCLUSIVE_SERVER)
    return path


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def gone(pid: int) -> bool:
    """No such process, or a zombie nobody reaps (pid 1 in a container may not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if gone(pid):
            return True
        time.sleep(0.05)
    return gone(pid)


def test_start_serves_on_the_supervisors_socket(server_script: Path) -> None:
    with Supervisor() as sup:
        process = sup.start([sys.executable, server_script, "a"])
        assert sup.port > 0
        assert sup.url == f"http://127.0.0.1:{sup.port}/mcp"
        assert sup.pid == process.pid and sup.alive and sup.returncode is None
        response = httpx.get(sup.url, timeout=10)
        assert response.status_code == 200
        assert response.text == f"a {process.pid}"
        logs = sup.logs()
        assert f"fd3 port={sup.port}" in logs
        assert "serving" in logs


def test_child_gets_the_systemd_environment(server_script: Path) -> None:
    with Supervisor() as sup:
        process = sup.start([sys.executable, server_script])
        assert f"pid={process.pid} listen_pid={process.pid} listen_fds=1" in process.logs()


def test_child_starts_with_one_openblas_thread_unless_told_otherwise(server_script: Path) -> None:
    """Codon's runtime starts OpenBLAS's thread pool at load; servers use no BLAS."""
    unset = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    with Supervisor() as sup:
        assert "openblas_threads=1" in sup.start([sys.executable, server_script], env=unset).logs()
        env = {**unset, "OPENBLAS_NUM_THREADS": "4"}
        assert "openblas_threads=4" in sup.replace([sys.executable, server_script], env=env).logs()


def test_child_that_exits_at_once_reports_its_output() -> None:
    with Supervisor() as sup:
        with pytest.raises(ServerStartError) as info:
            sup.start(python("print('boom: no config'); raise SystemExit(3)"))
    error = info.value
    assert error.returncode == 3
    assert "boom: no config" in error.log
    assert "exited with code 3" in str(error)
    assert "boom: no config" in str(error)


def test_child_that_never_answers_times_out() -> None:
    with Supervisor() as sup:
        with pytest.raises(ServerStartError) as info:
            sup.start(python("import time; print('stuck', flush=True); time.sleep(60)"), timeout=1.5)
        assert "did not answer" in str(info.value)
        assert "stuck" in info.value.log
        assert sup.process is None or not sup.alive


def test_missing_program_is_a_clear_error(tmp_path: Path) -> None:
    with Supervisor() as sup:
        with pytest.raises(ServerStartError, match="not an executable file"):
            sup.start([str(tmp_path / "no-such-server")])


def test_stop_leaves_no_process(server_script: Path) -> None:
    with Supervisor() as sup:
        process = sup.start([sys.executable, server_script])
        pid = process.pid
        sup.stop()
        assert gone(pid)
        assert process.returncode == 0  # drained and exited on SIGTERM
        assert "drained" in process.logs()
        sup.stop()  # idempotent
        # The socket outlives the process: a new one can start on the same port.
        port = sup.port
        sup.start([sys.executable, server_script, "again"])
        assert httpx.get(sup.url, timeout=10).text.startswith("again")
        assert sup.port == port
    assert gone(sup.pid)


def test_stop_kills_a_child_that_ignores_sigterm(server_script: Path, tmp_path: Path) -> None:
    stubborn = tmp_path / "stubborn.py"
    handler = "signal.signal(signal.SIGTERM, lambda *args: stop.set())"
    assert handler in SERVER
    stubborn.write_text(SERVER.replace(handler, "signal.signal(signal.SIGTERM, signal.SIG_IGN)"))
    with Supervisor() as sup:
        process = sup.start([sys.executable, stubborn])
        assert process.stop(timeout=0.5) == -signal.SIGKILL
        assert gone(process.pid)


def test_closed_supervisor_refuses_to_start(server_script: Path) -> None:
    sup = Supervisor()
    sup.close()
    sup.close()
    with pytest.raises(RuntimeError, match="closed"):
        sup.start([sys.executable, server_script])


def test_start_twice_says_use_replace(server_script: Path) -> None:
    with Supervisor() as sup:
        sup.start([sys.executable, server_script])
        with pytest.raises(RuntimeError, match="replace"):
            sup.start([sys.executable, server_script])


def test_replace_loses_no_request(any_server: Path) -> None:
    """Requests sent continuously during a swap all succeed; afterwards only the new one serves."""
    env = {**os.environ, "START_DELAY": "0.5"}  # old keeps serving while the new one starts
    results: list[str] = []
    failures: list[BaseException] = []
    done = threading.Event()

    with Supervisor() as sup:
        old = sup.start([sys.executable, any_server, "old"])

        def load() -> None:
            with httpx.Client(timeout=10) as client:
                deadline = time.monotonic() + 60
                while not done.is_set() and time.monotonic() < deadline and len(results) < 5000:
                    try:
                        response = client.get(sup.url)
                        response.raise_for_status()
                        results.append(response.text)
                    except httpx.HTTPError as exc:
                        failures.append(exc)

        thread = threading.Thread(target=load)
        thread.start()
        try:
            time.sleep(0.2)
            # A generous drain: on a loaded machine the old process may need seconds to finish.
            new = sup.replace([sys.executable, any_server, "new"], env=env, drain_timeout=30)
            # `replace` returned only after the *new* process answered, so it had started
            # serving, although the old one answered all along.
            assert "serving" in new.logs()
            assert gone(old.pid)
            assert "drained" in old.logs()
            count_at_swap = len(results)
            time.sleep(0.3)
        finally:
            done.set()
            thread.join()

    assert failures == []
    assert any(text.startswith("old") for text in results)
    assert any(text.startswith("new") for text in results)
    assert all(text == f"new {new.pid}" for text in results[count_at_swap + 1 :])


def test_failed_replace_keeps_the_old_server(server_script: Path) -> None:
    with Supervisor() as sup:
        old = sup.start([sys.executable, server_script, "old"])
        with pytest.raises(ServerStartError):
            sup.replace(python("raise SystemExit('bad build')"))
        assert sup.process is old and old.alive
        assert httpx.get(sup.url, timeout=10).text == f"old {old.pid}"


UVICORN_APP = r"""
import os, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

async def mcp(request):
    return PlainTextResponse(f"{sys.argv[1]} {os.getpid()}")

app = Starlette(routes=[Route("/mcp", mcp, methods=["GET", "POST"])])
uvicorn.run(app, fd=3, log_level="warning")  # how the python backend serves the socket
"""


def test_uvicorn_on_the_inherited_socket_swaps(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    app = tmp_path / "app.py"
    app.write_text(UVICORN_APP)
    with Supervisor() as sup:
        old = sup.start([sys.executable, app, "old"])
        assert httpx.get(sup.url, timeout=10).text == f"old {old.pid}"
        new = sup.replace([sys.executable, app, "new"])
        assert gone(old.pid)
        assert old.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM after draining
        assert httpx.get(sup.url, timeout=10).text == f"new {new.pid}"


HELPER = r"""
import sys, threading, time
from conduit.serving import Supervisor

sup = Supervisor(run_dir=sys.argv[3])
# Start from a short-lived thread: PDEATHSIG must not fire when that thread ends.
thread = threading.Thread(target=sup.start, args=([sys.executable, sys.argv[1]],))
thread.start()
thread.join()
print(sup.pid, flush=True)
if sys.argv[2] == "wait":
    time.sleep(60)
"""


def run_helper(tmp_path: Path, server_script: Path, mode: str) -> tuple[subprocess.Popen[str], int]:
    helper = tmp_path / "helper.py"
    helper.write_text(HELPER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, helper, server_script, mode, tmp_path / "run"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip().isdigit(), f"helper printed {line!r}"
    return proc, int(line)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_child_dies_when_the_parent_is_killed(server_script: Path, tmp_path: Path) -> None:
    helper, child = run_helper(tmp_path, server_script, "wait")
    with helper:
        try:
            time.sleep(0.3)
            assert not gone(child), "the child died with the thread that started it"
            helper.send_signal(signal.SIGKILL)
            helper.wait(timeout=10)
            assert wait_gone(child), "the server outlived its SIGKILLed parent"
        finally:
            helper.kill()
            if not gone(child):
                os.kill(child, signal.SIGKILL)


def test_child_is_stopped_when_the_parent_exits_normally(server_script: Path, tmp_path: Path) -> None:
    helper, child = run_helper(tmp_path, server_script, "exit")
    with helper:
        try:
            assert helper.wait(timeout=30) == 0
            assert wait_gone(child)
        finally:
            if not gone(child):
                os.kill(child, signal.SIGKILL)


NATIVE = """
import os
import sys
from C import getpid() -> i32 as c_getpid
print("native pid=" + str(int(c_getpid())) + " listen_pid=" + os.environ["LISTEN_PID"]
      + " listen_fds=" + os.environ["LISTEN_FDS"])
sys.exit(7)
"""


@pytest.mark.native
def test_native_binary_gets_the_socket_environment(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A Codon-built binary sees LISTEN_PID == its own pid; its output reaches the error."""
    build = toolchain.build(NATIVE, name="envprobe", cache_dir=tmp_path_factory.mktemp("cache"))
    with Supervisor() as sup:
        with pytest.raises(ServerStartError) as info:
            sup.start([build.binary])
    error = info.value
    assert error.returncode == 7
    pid = error.log.split("native pid=")[1].split()[0]
    assert f"native pid={pid} listen_pid={pid} listen_fds=1" in error.log


# -- restarts: a server that dies unasked is started again on the same socket ------------------

APPS = ROOT / "tests" / "apps"
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def wait_for(condition: Callable[[], T | None], timeout: float = 60.0, what: str = "the condition") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def restarted(sup: Supervisor | PythonWorker, number: int = 1) -> Restart | None:
    """Restart `number`, once the new process answers."""
    if len(sup.restarts) >= number and sup.restarts[number - 1].state == "restarted":
        return sup.restarts[number - 1]
    return None


class Load:
    """Clients sending requests back to back, each one timed: what a user of the server observes.

    A result is (sent, done, the answer or the exception). Each client has one request in flight
    at a time, so at most `clients` requests are in flight at any moment.
    """

    def __init__(self, send: Callable[[httpx.Client], str], clients: int = 2) -> None:
        self.send = send
        self.results: list[tuple[float, float, str | Exception]] = []
        self._done = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(clients)]

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._done.is_set():
                sent = time.monotonic()
                try:
                    outcome: str | Exception = self.send(client)
                except httpx.HTTPError as exc:
                    outcome = exc
                self.results.append((sent, time.monotonic(), outcome))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        for thread in self._threads:
            thread.join()


def kill_under_load(sup: Supervisor, send: Callable[[httpx.Client], str]) -> tuple[Load, Restart, float]:
    """SIGKILL the server while two clients send requests; (the load, the restart, when it was killed)."""
    with Load(send) as load:
        wait_for(lambda: len(load.results) >= 20, what="20 answers before the kill")
        victim = sup.pid
        assert victim is not None
        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        restart = wait_for(lambda: restarted(sup), what="the restart")
        # Some requests sent after the new process answered, so that every kind of request is seen.
        wait_for(lambda: sum(1 for sent, *_ in load.results if sent > restart.noticed + restart.seconds) >= 20)
    assert restart.pid == victim and restart.returncode == -signal.SIGKILL
    return load, restart, killed


def assert_no_request_lost(load: Load, restart: Restart, killed: float) -> None:
    """No connection refused; only a request in flight when the process died failed (its
    connection reset: one per client at most); the first request after the kill was answered."""
    refused = [outcome for *_, outcome in load.results if isinstance(outcome, httpx.ConnectError)]
    assert refused == []
    failures = [(sent, done, outcome) for sent, done, outcome in load.results if isinstance(outcome, Exception)]
    assert len(failures) <= 2, failures
    for sent, done, outcome in failures:
        # Sent before the death was seen, and still unanswered when the kill was sent.
        assert sent < restart.noticed and done >= killed, (sent, done, killed, restart.noticed, outcome)
        assert isinstance(outcome, (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)), outcome
    assert all(isinstance(outcome, str) for sent, _, outcome in load.results if sent >= restart.noticed)
    first = min(done for sent, done, outcome in load.results if sent >= killed and isinstance(outcome, str))
    assert first - killed < 10  # generous on a shared machine; benchmarks/crash_recovery.py has the figure


def test_a_killed_server_is_restarted_at_once_and_no_request_is_refused(any_server: Path) -> None:
    with Supervisor(restart=True) as sup:
        old = sup.start([sys.executable, any_server, "a"])

        def send(client: httpx.Client) -> str:
            response = client.get(sup.url)
            response.raise_for_status()
            return response.text

        load, restart, killed = kill_under_load(sup, send)
        new = sup.process
        assert new is not None and new.alive and restart.new_pid == new.pid != old.pid
        assert sup.restarts == [restart] and sup.last_exit is restart and not sup.restarting
        assert restart.delay == 0 and restart.crashes == 1 and restart.seconds is not None
        assert restart.line.startswith(f"the server (pid {old.pid}) was killed by SIGKILL after running ")
        assert "(last log: " in restart.line and "restarted in " in restart.line
        assert restart.line.endswith("(restart 1)")
        assert "serving" in restart.log  # the dead process's output, not the new one's
        assert sup.status == f"serving at {sup.url} (pid {new.pid}) (restarted 1 time)"
    assert_no_request_lost(load, restart, killed)
    # Answered by the old process until it died, by the new one after.
    assert all(outcome == f"a {new.pid}" for sent, _, outcome in load.results if sent >= restart.noticed)
    assert any(outcome == f"a {old.pid}" for *_, outcome in load.results)


def test_without_restart_a_killed_server_stays_down(server_script: Path) -> None:
    with Supervisor() as sup:  # restart=False: the notebook's supervisor, for now
        process = sup.start([sys.executable, server_script])
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait_exit(timeout=10)
        time.sleep(0.2)
        assert not sup.alive and not sup.restarting and sup.restarts == [] and sup.process is process
        assert sup.status == "down: the server was killed by SIGKILL and restarts are off"


def test_replace_and_stop_are_no_crash(server_script: Path) -> None:
    with Supervisor(restart=True) as sup:
        first = sup.start([sys.executable, server_script, "old"])
        retired = [first]
        for _ in range(3):
            retired.append(sup.replace([sys.executable, server_script, "new"]))
        current = retired.pop()
        time.sleep(0.3)  # the watcher has seen the retired processes exit
        assert all(gone(p.pid) for p in retired)
        assert sup.restarts == [] and not sup.restarting
        assert httpx.get(sup.url, timeout=10).text == f"new {current.pid}"
        # A crash after the swaps starts what replaced the first server, not the first one.
        os.kill(current.pid, signal.SIGKILL)
        wait_for(lambda: restarted(sup), what="the restart")
        assert httpx.get(sup.url, timeout=10).text == f"new {sup.pid}" and sup.pid != current.pid
        pid = sup.pid
        sup.stop()
        time.sleep(0.3)
        assert gone(pid) and not sup.alive and not sup.restarting and len(sup.restarts) == 1
        assert sup.status == "stopped (the server exited with code 0)"


def test_a_crash_loop_is_retried_with_a_growing_delay_until_it_serves(server_script: Path, tmp_path: Path) -> None:
    crash = tmp_path / "crash"
    env = {**os.environ, "CRASH_IF": str(crash)}
    told: list[Restart] = []
    with Supervisor(restart=True, backoff=Backoff(first=0.1, most=0.4)) as sup:
        sup.on_restart(told.append)
        first = sup.start([sys.executable, server_script, "a"], env=env)
        crash.touch()  # from now on, every server exits at once
        os.kill(first.pid, signal.SIGKILL)
        wait_for(lambda: len(sup.restarts) >= 6, what="6 restarts")
        assert sup.restarting
        records = sup.restarts[:6]
        assert records[0].returncode == -signal.SIGKILL
        assert all(r.returncode == 5 and "boom: crashing at start" in r.log for r in records[1:])
        assert [r.delay for r in records] == [0, 0.1, 0.2, 0.4, 0.4, 0.4]
        assert [r.crashes for r in records] == [1, 2, 3, 4, 5, 6]
        assert all(r.state == "failed" for r in records[:5])
        for before, after in zip(records, records[1:]):
            # The process whose death `after` records was started `before.delay` after `before`'s death.
            assert after.noticed - before.noticed >= before.delay
            assert after.pid == before.new_pid
        # Each delay is told as it begins: "... restarting in 0.2 s (restart 3; crashed 3 times in a row ...)".
        assert [r.number for r in told[:5]] == [2, 3, 4, 5, 6]
        assert "exited with code 5" in told[0].line and "boom: crashing at start" in told[0].line
        # Still retried, and usable: once the cause is gone, the next retry serves.
        crash.unlink()
        restart = wait_for(lambda: sup.last_exit if sup.last_exit.state == "restarted" else None)
        assert httpx.get(sup.url, timeout=10).text == f"a {sup.pid}"
        assert told[-1] is restart and restart.delay == 0.4
        assert "restarted in " in restart.line and "after a 400 ms backoff" in restart.line
        assert "times in a row" in restart.line
        count = len(sup.restarts)
        assert sup.crashes_in_a_row == count
        loop = f"restarted {count} times, after {count} crashes in a row"
        assert sup.status == f"serving at {sup.url} (pid {sup.pid}) ({loop})"


@pytest.mark.parametrize("how", ["close", "stop"])
def test_close_or_stop_during_a_backoff_returns_at_once(how: str, server_script: Path, tmp_path: Path) -> None:
    crash = tmp_path / "crash"
    env = {**os.environ, "CRASH_IF": str(crash)}
    sup = Supervisor(restart=True, backoff=Backoff(first=60.0, most=60.0))
    try:
        first = sup.start([sys.executable, server_script, "a"], env=env)
        crash.touch()
        os.kill(first.pid, signal.SIGKILL)
        # At once the first time (that server exits at once too), then 60 s.
        waiting = wait_for(lambda: sup.last_exit if sup.last_exit and sup.last_exit.delay == 60 else None)
        assert waiting.state == "waiting" and sup.restarting
        assert "restarting in 60.0 s (restart 2; crashed 2 times in a row" in sup.status
        started = time.monotonic()
        getattr(sup, how)()
        assert time.monotonic() - started < 2
        assert waiting.state == "abandoned" and not sup.restarting
        assert all(gone(r.pid) for r in sup.restarts)
        if how == "stop":  # the supervisor is usable: a start serves again
            crash.unlink()
            sup.start([sys.executable, server_script, "b"])
            assert httpx.get(sup.url, timeout=10).text == f"b {sup.pid}"
            assert len(sup.restarts) == 2
    finally:
        sup.close()


def worker_call(path: Path, tool: str, arguments: dict) -> tuple[int, str]:
    """One call over the CPython worker's socket, framed as conduit/runtime/pyworker.codon does."""
    body = f"{tool}\n{json.dumps(arguments)}".encode()
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(30)
        conn.connect(str(path))
        conn.sendall(struct.pack("<I", len(body)) + body)
        data = b""
        while len(data) < 8 or len(data) < 8 + struct.unpack("<II", data[:8])[1]:
            chunk = conn.recv(65536)
            assert chunk, "the worker closed the connection"
            data += chunk
    code, length = struct.unpack("<II", data[:8])
    return code, data[8 : 8 + length].decode()


def test_a_killed_python_worker_is_restarted_and_told(tmp_path: Path) -> None:
    told: list[Restart] = []
    with Supervisor(restart=True) as sup:
        worker = PythonWorker(str(APPS / "protocol_app.py"), sup.run_dir, eager=True)
        sup.attach(worker)
        sup.on_restart(told.append)
        assert worker_call(worker.path, "add", {"a": 1, "b": 2})[0] == 0
        old = worker.pid
        assert old is not None
        os.kill(old, signal.SIGKILL)
        wait_for(lambda: worker.restarts, what="the worker's death seen")
        # A call sent meanwhile (the new worker may not have loaded the app yet) waits in the
        # socket's backlog and is answered by the new worker.
        code, text = worker_call(worker.path, "add", {"a": 2, "b": 3})
        assert code == 0 and '"result":5' in text.replace(" ", "")
        restart = wait_for(lambda: restarted(worker), what="the worker's restart")
        assert restart.what == "CPython worker" and restart.pid == old and restart.returncode == -signal.SIGKILL
        assert restart.new_pid == worker.pid != old and restart.seconds is not None
        assert worker.exits == [-signal.SIGKILL] and told == [restart]
        assert restart.line.startswith(f"the CPython worker (pid {old}) was killed by SIGKILL")
        assert "ready" in restart.log and "restarted in " in restart.line
    assert gone(restart.new_pid)


@pytest.mark.native
def test_a_killed_native_server_is_restarted_and_no_request_is_refused() -> None:
    app = load_app(str(APPS / "protocol_app.py"))
    sup = start_server(app, app.settings.with_address("127.0.0.1", 0), "native", app_spec=str(APPS / "protocol_app.py"))
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}
    try:

        def send(client: httpx.Client) -> str:  # keep-alive connections, as an MCP client's pool
            response = client.post(sup.url, json=body, headers=MCP_HEADERS)
            response.raise_for_status()
            assert response.json()["result"]["structuredContent"]["result"] == 5
            return "ok"

        old = sup.pid
        load, restart, killed = kill_under_load(sup, send)
        assert sup.alive and restart.new_pid == sup.pid != old
        assert "was killed by SIGKILL" in restart.line and "restarted in " in restart.line
    finally:
        sup.close()
    assert_no_request_lost(load, restart, killed)


def child_pids(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return children


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the server through /proc")
@pytest.mark.parametrize("backend", BACKENDS)
def test_conduit_serve_restarts_a_killed_server_and_says_so(backend: str) -> None:
    # Port 0 (the supervisor picks one), as the test above: the same native program, built once.
    cli = [sys.executable, "-m", "conduit.cli", "serve", str(APPS / "protocol_app.py"), "--port", "0"]
    proc = subprocess.Popen([*cli, "--backend", backend], stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    output: list[str] = []

    def line_with(needle: str) -> str:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stderr.readline()  # type: ignore[union-attr]
            if not line:
                break
            output.append(line)
            if needle in line:
                return line
        raise AssertionError(f"never printed {needle!r}; output: {''.join(output)}")

    tools_list = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    try:
        url = line_with("serving").split(" at ")[1].split()[0]
        (server,) = child_pids(proc.pid)  # protocol_app needs no CPython worker
        os.kill(server, signal.SIGKILL)
        line = line_with("restarted in")
        assert line.startswith(f"conduit: the server (pid {server}) was killed by SIGKILL after running ")
        assert line.rstrip().endswith("(restart 1)")
        assert len(httpx.post(url, json=tools_list, headers=MCP_HEADERS, timeout=10).json()["result"]["tools"]) == 7
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
