"""The Codon HTTP runtime (conduit/runtime/net, http, loop) over real sockets.

echo_server.codon is built once per session; each test talks to a running instance of it
on 127.0.0.1 with raw sockets, so every byte on the wire is the test's choice.
"""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
RUNTIME = HERE.parent.parent / "conduit" / "runtime"
TIMEOUT = 10.0


@pytest.fixture(scope="session")
def echo_binary(build_codon) -> Path:
    return build_codon((HERE / "echo_server.codon").read_text(), "echo_server")


class Server:
    """A running echo server; `port` is read from its "serving on" line."""

    def __init__(
        self, binary: Path, *args: str, env: dict | None = None, listen_sock: socket.socket | None = None
    ) -> None:
        preexec = None
        if listen_sock is not None:
            fd = listen_sock.fileno()

            def preexec() -> None:  # the inherited socket becomes fd 3
                os.dup2(fd, 3)

        self.proc = subprocess.Popen(
            [str(binary), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            preexec_fn=preexec,
            close_fds=listen_sock is None,
        )
        self.log: list[str] = []
        line = self._readline()
        m = re.search(r"serving on http://[^ ]*:(\d+) ", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"unexpected first line: {line!r}")
        self.port = int(m.group(1))
        self.first_line = line
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _readline(self) -> str:
        assert self.proc.stderr is not None
        ready, _, _ = select.select([self.proc.stderr], [], [], TIMEOUT)
        if not ready:
            self.proc.kill()
            raise AssertionError("server printed nothing")
        return self.proc.stderr.readline().decode()

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.log.append(raw.decode())

    def connect(self) -> "Client":
        return Client(self.port)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server did not exit after SIGTERM")


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Client:
    """A raw HTTP/1.1 client over one socket, reading exactly what the server sends."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def get(self, target: str, extra: str = "") -> Response:
        self.send(f"GET {target} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode())
        return self.read_response()

    def _fill(self) -> None:
        data = self.sock.recv(1 << 16)
        if not data:
            raise EOFError("connection closed by server")
        self.buf += data

    def _until(self, sep: bytes) -> bytes:
        while True:
            i = self.buf.find(sep)
            if i >= 0:
                out = bytes(self.buf[: i + len(sep)])
                del self.buf[: i + len(sep)]
                return out
            self._fill()

    def _exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_head(self) -> tuple[int, list[tuple[str, str]]]:
        head = self._until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        m = re.match(r"HTTP/1\.1 (\d{3}) ", lines[0])
        assert m, f"bad status line {lines[0]!r}"
        headers = []
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                headers.append((k, v.strip()))
        return int(m.group(1)), headers

    def read_response(self, head_request: bool = False) -> Response:
        status, headers = self.read_head()
        resp = Response(status, headers, b"")
        if head_request or status in (204, 304) or status < 200:
            return resp
        if (resp.header("transfer-encoding") or "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self._until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._until(b"\r\n")
                    break
                body += self._exact(size)
                assert self._exact(2) == b"\r\n"
            resp.body = bytes(body)
            return resp
        length = resp.header("content-length")
        assert length is not None, "response without Content-Length"
        resp.body = self._exact(int(length))
        return resp

    def read_chunk(self) -> bytes:
        """One chunk of a chunked body (b"" for the last one)."""
        size = int(self._until(b"\r\n").split(b";")[0], 16)
        if size == 0:
            self._until(b"\r\n")
            return b""
        data = self._exact(size)
        assert self._exact(2) == b"\r\n"
        return data

    def closed_by_server(self) -> bool:
        """True when the server closed the connection cleanly (EOF, no reset, no extra bytes)."""
        if self.buf:
            return False
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, TimeoutError, socket.timeout):
            return False


@pytest.fixture(scope="module")
def server(echo_binary: Path):
    s = Server(echo_binary, "--workers", "2")
    yield s
    assert s.stop() == 0


# ---------------------------------------------------------------- basics


def test_fixed_body(server: Server) -> None:
    c = server.connect()
    r = c.get("/fixed")
    assert r.status == 200
    assert r.body == b"Hello, World!"
    assert r.header("content-type") == "text/plain"
    assert r.header("content-length") == "13"
    assert r.header("connection") is None
    c.close()


def test_request_view(server: Server) -> None:
    c = server.connect()
    c.send(
        b"POST /echo/x?a=1&b=2 HTTP/1.1\r\nHost: t\r\nx-TEST:  first \r\nX-Test: second\r\n"
        b"Accept: text/event-stream, Application/JSON\r\nContent-Length: 5\r\n\r\nhello"
    )
    r = c.read_response()
    assert r.status == 200
    assert r.header("x-echo") == "1"
    assert r.body.startswith(
        b"method=POST path=/echo/x target=/echo/x?a=1&b=2 x-test=first x-test-count=2 json=yes body_len=5 "
    )
    c.close()


def test_headers_iteration(server: Server) -> None:
    c = server.connect()
    r = c.get("/headers", "X-One: 1\r\nx-two:two  \r\n")
    assert r.body == b"Host: t\nX-One: 1\nx-two: two\n"
    c.close()


def test_every_request_accessor(server: Server) -> None:
    c = server.connect()
    c.send(b"PUT /api?q=1 HTTP/1.1\r\nHost: t\r\nX-A: Hello World\r\nContent-Length: 2\r\n\r\nhi")
    r = c.read_response()
    assert r.status == 201 and r.header("x-api") == "yes"
    assert r.body.decode().splitlines() == [
        "x-a=Hello World",
        "missing=-1 null=True",
        "has=TrueFalse",
        "eq=True",
        "contains=True",
        "at1=X-A|Hello World",
        "h=Host:t",
        "h=X-A:Hello World",
        "h=Content-Length:2",
        "path=/api query=q=1 target=/api?q=1",
        "method=True 11=True",
        "body=hi",
        "reason=Request Header Fields Too Large",
        "writer=TrueFalseFalse",  # send on a writer that is not streaming is refused
    ]
    c.close()


def test_port_in_use_fails_loudly(echo_binary: Path) -> None:
    ls = _listening_socket()
    try:
        proc = subprocess.run(
            [str(echo_binary), "--port", str(ls.getsockname()[1])], capture_output=True, text=True, timeout=TIMEOUT
        )
        assert proc.returncode != 0
        assert "cannot listen on 127.0.0.1:" in proc.stderr
    finally:
        ls.close()


def test_absolute_form_target(server: Server) -> None:
    c = server.connect()
    r = c.get("http://example.com:8080/fixed?q")
    assert r.body == b"Hello, World!"
    c.close()


def test_head_request_has_length_but_no_body(server: Server) -> None:
    c = server.connect()
    c.send(b"HEAD /fixed HTTP/1.1\r\nHost: t\r\n\r\n")
    r = c.read_response(head_request=True)
    assert r.status == 200 and r.header("content-length") == "13"
    assert c.get("/fixed").body == b"Hello, World!"  # nothing stray was sent after the head
    c.close()


def test_status_204_has_no_content_length(server: Server) -> None:
    c = server.connect()
    r = c.get("/status?204")
    assert r.status == 204 and r.header("content-length") is None
    assert c.get("/status?404").status == 404
    c.close()


# ---------------------------------------------------------------- connection handling


def test_keep_alive_serves_several_requests(server: Server) -> None:
    c = server.connect()
    for i in range(5):
        r = c.get(f"/k{i}")
        assert r.status == 200
        assert f"path=/k{i} ".encode() in r.body
    c.close()


def test_pipelined_requests_answered_in_order(server: Server) -> None:
    c = server.connect()
    c.send(
        b"GET /a HTTP/1.1\r\nHost: t\r\n\r\n"
        b"POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz"
        b"GET /c HTTP/1.1\r\nHost: t\r\n\r\n"
    )
    bodies = [c.read_response().body for _ in range(3)]
    assert b"path=/a " in bodies[0]
    assert b"path=/b " in bodies[1] and b"body_len=3 " in bodies[1]
    assert b"path=/c " in bodies[2]
    c.close()


def test_request_split_byte_by_byte(server: Server) -> None:
    c = server.connect()
    req = b"POST /split HTTP/1.1\r\nHost: t\r\nX-Test: slow\r\nContent-Length: 4\r\n\r\nbody"
    for i in range(len(req)):
        c.send(req[i : i + 1])
        time.sleep(0.001)
    r = c.read_response()
    assert b"path=/split " in r.body and b"x-test=slow " in r.body and b"body_len=4 " in r.body
    assert c.get("/fixed").status == 200
    c.close()


def test_the_rest_of_a_pipelined_request_waits_while_other_connections_read(echo_binary: Path) -> None:
    """Reads land in the loop's shared scratch buffer; the half request left over must be kept
    apart from it while other connections (on the same loop: one worker) read into it."""
    server = Server(echo_binary, "--workers", "1")
    a, b = server.connect(), server.connect()
    a.send(b"GET /a1 HTTP/1.1\r\nHost: t\r\n\r\nPOST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nabc")
    assert b"path=/a1 " in a.read_response().body
    b.send(b"POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nzzzzzz")
    assert b.read_response().body == b"zzzzzz"
    a.send(b"def")
    assert a.read_response().body == b"abcdef"
    a.close()
    b.close()
    assert server.stop() == 0


def test_leading_empty_lines_are_ignored(server: Server) -> None:
    c = server.connect()
    c.send(b"\r\n\r\nGET /fixed HTTP/1.1\r\nHost: t\r\n\r\n")
    assert c.read_response().body == b"Hello, World!"
    c.close()


def test_bare_lf_line_ends_are_accepted(server: Server) -> None:
    c = server.connect()
    c.send(b"GET /fixed HTTP/1.1\nHost: t\n\n")
    assert c.read_response().body == b"Hello, World!"
    c.close()


def test_connection_close_is_honoured(server: Server) -> None:
    c = server.connect()
    r = c.get("/fixed", "Connection: close\r\n")
    assert r.status == 200 and r.header("connection") == "close"
    assert c.closed_by_server()
    c.close()


def test_reply_close_from_handler(server: Server) -> None:
    c = server.connect()
    r = c.get("/close")
    assert r.body == b"bye" and r.header("connection") == "close"
    assert c.closed_by_server()
    c.close()


def test_http10_closes_by_default(server: Server) -> None:
    c = server.connect()
    c.send(b"GET /fixed HTTP/1.0\r\n\r\n")
    r = c.read_response()
    assert r.status == 200 and r.body == b"Hello, World!"
    assert r.header("connection") == "close"
    assert c.closed_by_server()
    c.close()


def test_http10_keep_alive_when_asked(server: Server) -> None:
    c = server.connect()
    c.send(b"GET /fixed HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    r = c.read_response()
    assert r.header("connection") == "keep-alive"
    c.send(b"GET /fixed HTTP/1.0\r\n\r\n")
    assert c.read_response().body == b"Hello, World!"
    assert c.closed_by_server()
    c.close()


def test_client_half_close_still_gets_answers(server: Server) -> None:
    c = server.connect()
    c.send(b"GET /h1 HTTP/1.1\r\nHost: t\r\n\r\nGET /h2 HTTP/1.1\r\nHost: t\r\n\r\n")
    c.sock.shutdown(socket.SHUT_WR)
    assert b"path=/h1 " in c.read_response().body
    assert b"path=/h2 " in c.read_response().body
    assert c.closed_by_server()
    c.close()


def test_many_concurrent_connections(server: Server) -> None:
    clients = [server.connect() for _ in range(200)]
    for i, c in enumerate(clients):
        c.send(f"GET /many{i} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    for i, c in enumerate(clients):
        assert f"path=/many{i} ".encode() in c.read_response().body
    for i, c in enumerate(clients[:20]):  # still usable
        assert c.get("/fixed").status == 200
    for c in clients:
        c.close()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET  / HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET / HTTP/1.1 \r\nHost: t\r\n\r\n",
        b"GET / FTP/1.1\r\nHost: t\r\n\r\n",
        b"G\x01T / HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /a\x7fb HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",  # HTTP/1.1 without Host
        b"GET / HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost : t\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n folded\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: t\r\nX: a\x00b\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 12a\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
    ],
)
def test_malformed_request_gets_400_and_server_keeps_serving(server: Server, raw: bytes) -> None:
    c = server.connect()
    c.send(raw)
    r = c.read_response()
    assert r.status == 400
    assert r.header("connection") == "close"
    assert c.closed_by_server()
    c.close()
    c2 = server.connect()
    assert c2.get("/fixed").status == 200
    c2.close()


def test_http2_request_line_gets_505(server: Server) -> None:
    c = server.connect()
    c.send(b"GET / HTTP/2.0\r\nHost: t\r\n\r\n")
    assert c.read_response().status == 505
    assert c.closed_by_server()
    c.close()


def test_unknown_transfer_coding_gets_501(server: Server) -> None:
    c = server.connect()
    c.send(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n")
    assert c.read_response().status == 501
    assert c.closed_by_server()
    c.close()


def test_huge_headers_get_431(server: Server) -> None:
    c = server.connect()
    c.send(b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    r = c.read_response()
    assert r.status == 431 and r.header("connection") == "close"
    assert c.closed_by_server()
    c.close()
    assert server.connect().get("/fixed").status == 200


def test_unfinished_huge_head_gets_431(server: Server) -> None:
    c = server.connect()
    c.send(b"GET / HTTP/1.1\r\nHost: t\r\n" + b"X-Many: 1\r\n" * 2000)  # no blank line yet
    assert c.read_response().status == 431
    c.close()


def test_too_many_header_lines_get_431(server: Server) -> None:
    c = server.connect()
    c.send(b"GET / HTTP/1.1\r\nHost: t\r\n" + b"X: 1\r\n" * 150 + b"\r\n")
    assert c.read_response().status == 431
    c.close()


def test_huge_content_length_gets_413_before_the_body(server: Server) -> None:
    c = server.connect()
    c.send(b"POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n")
    r = c.read_response()  # answered without the body having been sent
    assert r.status == 413 and r.header("connection") == "close"
    c.close()
    assert server.connect().get("/fixed").status == 200


def test_413_reaches_a_client_that_keeps_sending(server: Server) -> None:
    c = server.connect()
    c.send(b"POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n" + b"x" * 200000)
    r = c.read_response()
    assert r.status == 413
    c.close()


def test_handler_exception_gives_500_and_connection_survives(server: Server) -> None:
    c = server.connect()
    r = c.get("/raise")
    assert r.status == 500 and r.body == b"Internal Server Error\n"
    r = c.get("/raise-key?nope")  # KeyError, another exception class
    assert r.status == 500
    assert c.get("/fixed").body == b"Hello, World!"
    c.close()


# ---------------------------------------------------------------- bodies and streams


def test_body_at_the_limit_is_accepted(server: Server) -> None:
    c = server.connect()
    body = bytes(range(256)) * 4096  # 1 MiB = max_body_bytes
    c.send(b"POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    r = c.read_response()
    assert r.status == 200 and r.body == body
    c.close()


def test_chunked_request_body_is_decoded(server: Server) -> None:
    c = server.connect()
    c.send(
        b"POST /body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: text/x\r\n\r\n5;ext=1\r\nhello\r\n"
    )
    time.sleep(0.05)
    c.send(b"1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n")
    r = c.read_response()
    assert r.body == b"hello 0123456789" and r.header("content-type") == "text/x"
    assert c.get("/fixed").status == 200
    c.close()


def test_chunked_request_body_over_limit_gets_413(server: Server) -> None:
    c = server.connect()
    c.send(b"POST /body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFF\r\n")
    assert c.read_response().status == 413
    c.close()


def test_expect_100_continue(server: Server) -> None:
    c = server.connect()
    c.send(b"POST /body HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
    status, _ = c.read_head()
    assert status == 100
    c.send(b"data")
    r = c.read_response()
    assert r.status == 200 and r.body == b"data"
    c.close()


def test_big_response_with_slow_reader(server: Server) -> None:
    c = server.connect()
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    n = 8_000_000
    c.send(f"GET /big?{n} HTTP/1.1\r\nHost: t\r\n\r\nGET /fixed HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    time.sleep(0.3)  # the server meets a full socket buffer
    r = c.read_response()
    assert len(r.body) == n
    assert r.body[:26] == b"abcdefghijklmnopqrstuvwxyz" and r.body[-1:] == bytes([97 + (n - 1) % 26])
    assert c.read_response().body == b"Hello, World!"  # the pipelined one, after it
    c.close()


def test_many_pipelined_requests_with_back_pressure(server: Server) -> None:
    c = server.connect()
    batch = b"GET /big?100000 HTTP/1.1\r\nHost: t\r\n\r\n" * 40
    c.send(batch)
    time.sleep(0.2)
    for _ in range(40):
        assert len(c.read_response().body) == 100000
    c.close()


def test_chunked_stream_then_keep_alive(server: Server) -> None:
    c = server.connect()
    r = c.get("/stream")
    assert r.header("transfer-encoding") == "chunked"
    assert r.header("content-length") is None
    assert r.body == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"
    assert c.get("/fixed").body == b"Hello, World!"
    c.close()


def test_stream_over_http10_ends_with_close(server: Server) -> None:
    c = server.connect()
    c.send(b"GET /stream HTTP/1.0\r\n\r\n")
    status, headers = c.read_head()
    assert status == 200 and ("Connection", "close") in headers
    try:
        while True:
            c._fill()
    except EOFError:
        pass
    assert bytes(c.buf) == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"
    c.close()


@pytest.fixture()
def single_worker(echo_binary: Path):
    s = Server(echo_binary, "--workers", "1")
    yield s
    assert s.stop() == 0


def test_stream_kept_open_and_pushed_from_another_connection(single_worker: Server) -> None:
    a = single_worker.connect()
    a.send(b"GET /sse-open HTTP/1.1\r\nHost: t\r\n\r\nGET /fixed HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers = a.read_head()
    assert status == 200 and ("Transfer-Encoding", "chunked") in headers
    assert a.read_chunk() == b"data: open\n\n"
    b = single_worker.connect()
    assert b.get("/sse-push?hello").body == b"pushed 1"
    assert a.read_chunk() == b"data: hello\n\n"
    assert b.get("/sse-end").body == b"ended 1"
    assert a.read_chunk() == b""
    # the request pipelined behind the stream is answered once the stream ends
    assert a.read_response().body == b"Hello, World!"
    assert a.get("/fixed").status == 200
    a.close()
    b.close()


def test_stream_to_a_client_that_left(single_worker: Server) -> None:
    a = single_worker.connect()
    a.send(b"GET /sse-open HTTP/1.1\r\nHost: t\r\n\r\n")
    a.read_head()
    assert a.read_chunk() == b"data: open\n\n"
    a.close()
    b = single_worker.connect()
    pushed = b.get("/sse-push?x").body
    assert pushed in (b"pushed 0", b"pushed 1")  # 0 once the loop saw the client leave
    time.sleep(0.1)
    assert b.get("/sse-push?y").body == b"pushed 0"
    b.close()


# ---------------------------------------------------------------- limits


def test_idle_connection_is_closed(echo_binary: Path) -> None:
    s = Server(echo_binary, "--workers", "1", "--idle-ms", "300", "--head-ms", "300")
    try:
        c = s.connect()
        assert c.get("/fixed").status == 200
        c.sock.settimeout(5)
        assert c.closed_by_server()
        c.close()
        silent = s.connect()  # never sends anything
        silent.sock.settimeout(5)
        assert silent.closed_by_server()
        silent.close()
    finally:
        assert s.stop() == 0


def test_max_connections(echo_binary: Path) -> None:
    s = Server(echo_binary, "--workers", "1", "--max-conns", "3")
    try:
        held = [s.connect() for _ in range(3)]
        for c in held:
            assert c.get("/fixed").status == 200
        extra = s.connect()
        r = extra.read_response()
        assert r.status == 503 and r.header("connection") == "close"
        extra.close()
        held[0].close()
        time.sleep(0.2)
        again = s.connect()
        assert again.get("/fixed").status == 200
        again.close()
        for c in held[1:]:
            c.close()
    finally:
        assert s.stop() == 0


# ---------------------------------------------------------------- socket activation, drain


def _listening_socket() -> socket.socket:
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(128)
    return ls


def test_listen_fds_socket_is_used(echo_binary: Path) -> None:
    ls = _listening_socket()
    port = ls.getsockname()[1]
    s = Server(echo_binary, "--workers", "2", env={"LISTEN_FDS": "1"}, listen_sock=ls)
    try:
        assert s.port == port and "inherited fd 3" in s.first_line
        c = Client(port)
        assert c.get("/fixed").body == b"Hello, World!"
        c.close()
    finally:
        assert s.stop() == 0
        ls.close()


def test_listen_fds_for_another_pid_is_ignored(echo_binary: Path) -> None:
    s = Server(echo_binary, "--workers", "1", env={"LISTEN_FDS": "1", "LISTEN_PID": "1"})
    try:
        assert "inherited" not in s.first_line
        assert s.connect().get("/fixed").status == 200
    finally:
        assert s.stop() == 0


def test_sigterm_drains_in_flight_request_and_exits_0(echo_binary: Path) -> None:
    s = Server(echo_binary, "--workers", "2")
    busy = s.connect()
    idle = s.connect()
    assert idle.get("/fixed").status == 200
    busy.send(b"GET /sleep?700 HTTP/1.1\r\nHost: t\r\n\r\n")
    time.sleep(0.2)
    s.proc.send_signal(signal.SIGTERM)
    r = busy.read_response()
    assert r.status == 200 and r.body == b"slept"
    assert busy.closed_by_server()
    assert idle.closed_by_server()
    assert s.proc.wait(TIMEOUT) == 0
    busy.close()
    idle.close()


def test_sigterm_answers_requests_already_sent(echo_binary: Path) -> None:
    s = Server(echo_binary, "--workers", "1")
    blocker = s.connect()
    queued = s.connect()
    assert queued.get("/fixed").status == 200  # a keep-alive connection
    blocker.send(b"GET /sleep?500 HTTP/1.1\r\nHost: t\r\n\r\n")
    time.sleep(0.1)
    # while the only worker sleeps: the signal, then a request on the keep-alive connection
    s.proc.send_signal(signal.SIGTERM)
    queued.send(b"GET /late HTTP/1.1\r\nHost: t\r\n\r\n")
    assert blocker.read_response().body == b"slept"
    r = queued.read_response()
    assert b"path=/late " in r.body and r.header("connection") == "close"
    assert s.proc.wait(TIMEOUT) == 0
    blocker.close()
    queued.close()


def test_hot_swap_on_shared_socket_loses_nothing(echo_binary: Path) -> None:
    ls = _listening_socket()
    port = ls.getsockname()[1]
    old = Server(echo_binary, "--workers", "1", env={"LISTEN_FDS": "1"}, listen_sock=ls)
    new = None
    failures: list[str] = []
    done = threading.Event()
    count = [0]

    def load() -> None:
        while not done.is_set():
            try:
                c = Client(port)
                for _ in range(3):
                    r = c.get("/fixed")
                    if r.status != 200:
                        failures.append(str(r.status))
                    count[0] += 1
                    if r.header("connection") == "close":
                        break
                c.close()
            except Exception as e:  # noqa: BLE001 - every failure is the finding
                failures.append(repr(e))

    threads = [threading.Thread(target=load) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        time.sleep(0.3)
        new = Server(echo_binary, "--workers", "1", env={"LISTEN_FDS": "1"}, listen_sock=ls)
        old.proc.send_signal(signal.SIGTERM)
        assert old.proc.wait(TIMEOUT) == 0
        time.sleep(0.3)
    finally:
        done.set()
        for t in threads:
            t.join(TIMEOUT)
        if new is not None:
            assert new.stop() == 0
        old.stop()
        ls.close()
    assert count[0] > 0
    assert failures == []
