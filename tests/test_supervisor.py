"""The supervisor against real processes on real sockets.

The servers here are tiny Python programs that follow the same contract as Conduit's native
server: serve HTTP on the inherited fd 3 (LISTEN_FDS), drain and exit on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from conduit import toolchain
from conduit.errors import ServerStartError
from conduit.serving import Supervisor

ROOT = Path(__file__).resolve().parents[1]

SERVER = r"""
import os, signal, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

tag = sys.argv[1] if len(sys.argv) > 1 else "a"
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
