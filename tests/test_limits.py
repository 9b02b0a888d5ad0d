"""Slow and idle clients, the connection limit and bounded sessions, over real sockets.

tests/apps/limits_app.py sets every limit short (head 1 s, body 1 s, idle 2 s, 12 connections,
3 sessions idle for 2 s), so the tests wait for real deadlines. uvicorn (the python backend) has
no head or body timeout: those tests run natively only and say so.
"""

from __future__ import annotations

import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conduit.loader import load_app
from conduit.serving import Supervisor, native_build, start_server
from conduit.settings import ServerSettings, unauthenticated_public_warning
from conftest import BACKENDS, serve_app

APP = Path(__file__).parent / "apps" / "limits_app.py"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
TOOLS_LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
HEALTH = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
NO_HEAD_TIMEOUT = "uvicorn has no request head or body timeout: a stalled request holds its connection"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Supervisor]:
    yield from serve_app(APP, request.param)


def connect(server: Supervisor) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock: socket.socket) -> bytes:
    """One response (head and Content-Length body) from a keep-alive connection; b"" if it closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def read_until_closed(sock: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and when it closed (seconds from now)."""
    start = time.monotonic()
    sock.settimeout(limit)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data, time.monotonic() - start


def healthy(server: Supervisor) -> float:
    """Seconds a fresh client waits for GET /healthz (200 asserted)."""
    start = time.monotonic()
    with connect(server) as sock:
        sock.sendall(HEALTH)
        assert read_response(sock).startswith(b"HTTP/1.1 200")
    return time.monotonic() - start


# ---- slow clients: the head and the body have deadlines ----------------------------------------------------


def test_a_half_sent_head_is_answered_408_after_the_head_timeout_while_others_are_served(server: Supervisor) -> None:
    if server.backend == "python":
        pytest.skip(NO_HEAD_TIMEOUT)
    with connect(server) as stalled:
        stalled.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
        time.sleep(0.3)
        assert healthy(server) < 0.5  # the stalled client holds up nobody
        data, closed_after = read_until_closed(stalled, 5)
    assert data.startswith(b"HTTP/1.1 408 Request Timeout\r\n") and b"Connection: close" in data
    assert 0.5 <= closed_after <= 2.5  # head timeout 1 s (0.3 s already gone), swept every 250 ms


def test_a_head_sent_a_byte_at_a_time_gets_no_more_time(server: Supervisor) -> None:
    """The head deadline is a total from its first byte, not a timer that each byte restarts."""
    if server.backend == "python":
        pytest.skip(NO_HEAD_TIMEOUT)
    head = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 100
    with connect(server) as sock:
        start = time.monotonic()
        try:
            for byte in head:
                sock.sendall(bytes([byte]))
                if select.select([sock], [], [], 0.1)[0]:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        data, _ = read_until_closed(sock, 5)
        elapsed = time.monotonic() - start
    assert data.startswith(b"HTTP/1.1 408")
    assert elapsed < 3.5  # 100+ bytes at 10 a second would take 10 s


def test_a_connection_that_sends_nothing_is_closed_after_the_head_timeout(server: Supervisor) -> None:
    if server.backend == "python":
        pytest.skip(NO_HEAD_TIMEOUT)
    with connect(server) as sock:
        data, closed_after = read_until_closed(sock, 5)
    assert data == b""  # nothing of a request came: closed without an answer
    assert 0.8 <= closed_after <= 2.5


def test_a_stalled_body_is_answered_408_after_the_body_timeout(server: Supervisor) -> None:
    if server.backend == "python":
        pytest.skip(NO_HEAD_TIMEOUT)
    body = b'{"jsonrpc":"2.0","id":1,"method":"ping"}'
    head = (
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n"
        b"Content-Type: application/json\r\nContent-Length: " + str(len(body) + 50).encode() + b"\r\n\r\n"
    )
    with connect(server) as sock:
        sock.sendall(head + body)  # 50 bytes short
        data, closed_after = read_until_closed(sock, 5)
    assert data.startswith(b"HTTP/1.1 408")
    assert 0.8 <= closed_after <= 2.5


# ---- idle keep-alive connections -------------------------------------------------------------------------------


def test_an_idle_keep_alive_connection_is_closed_but_an_active_one_is_not(server: Supervisor) -> None:
    with connect(server) as idle, connect(server) as active:
        idle.sendall(HEALTH)
        assert read_response(idle).startswith(b"HTTP/1.1 200")
        start = time.monotonic()
        idle_closed = None
        while time.monotonic() - start < 4.0:  # idle timeout 2 s
            active.sendall(HEALTH)
            assert read_response(active).startswith(b"HTTP/1.1 200"), "the active connection was closed"
            if idle_closed is None and select.select([idle], [], [], 0.5)[0]:
                assert idle.recv(100) == b""
                idle_closed = time.monotonic() - start
        assert idle_closed is not None, "the idle connection is still open after twice the idle timeout"
        assert 1.5 <= idle_closed <= 3.5


# ---- the connection limit --------------------------------------------------------------------------------------


def test_a_connection_over_max_connections_is_answered_503_and_the_server_recovers(server: Supervisor) -> None:
    held = [connect(server) for _ in range(14)]  # max_connections = 12; quickly: the head timeout is 1 s
    statuses: list[bytes] = []
    try:
        time.sleep(0.2)
        for sock in held:
            # the native server answers at accept, before any request: read that first
            if not select.select([sock], [], [], 0)[0]:
                sock.sendall(HEALTH)
            statuses.append(read_response(sock)[:12])
    finally:
        for sock in held:
            sock.close()
    if server.backend == "native":  # the first 12 are served, the rest answered 503 at accept
        assert statuses == [b"HTTP/1.1 200"] * 12 + [b"HTTP/1.1 503"] * 2
    else:  # uvicorn decides per request: while over the limit, every request is 503
        assert b"HTTP/1.1 503" in statuses and statuses.count(b"HTTP/1.1 200") <= 12
    time.sleep(0.3)
    assert healthy(server) < 1.0


# ---- sessions: bounded, expiring, DELETE -----------------------------------------------------------------------


def initialize(server: Supervisor) -> httpx.Response:
    return httpx.post(server.url, json=INITIALIZE, headers=HEADERS, timeout=10)


def tools_list(server: Supervisor, session: str) -> httpx.Response:
    headers = dict(HEADERS, **{"Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25"})
    return httpx.post(server.url, json=TOOLS_LIST, headers=headers, timeout=10)


def test_a_deleted_session_answers_404(server: Supervisor) -> None:
    time.sleep(2.2)  # sessions of earlier tests expire
    session = initialize(server).headers["mcp-session-id"]
    assert tools_list(server, session).status_code == 200
    deleted = httpx.delete(server.url, headers={"Mcp-Session-Id": session}, timeout=10)
    assert deleted.status_code == 200
    gone = tools_list(server, session)
    assert gone.status_code == 404
    assert gone.json()["error"]["message"] == "Session not found"


def test_sessions_are_bounded_and_expire_when_idle_while_used_ones_stay(server: Supervisor) -> None:
    time.sleep(2.2)  # sessions of earlier tests expire
    used, idle, third = (initialize(server) for _ in range(3))
    assert all(r.status_code == 200 for r in (used, idle, third))
    refused = initialize(server)
    assert refused.status_code == 503
    assert refused.json()["error"] == {"code": -32603, "message": "Too many open sessions"}
    used_id, idle_id = used.headers["mcp-session-id"], idle.headers["mcp-session-id"]
    assert tools_list(server, idle_id).status_code == 200  # the bound refuses new ones, keeps the open ones
    start = time.monotonic()
    while time.monotonic() - start < 3.0:  # session idle timeout 2 s
        assert tools_list(server, used_id).status_code == 200
        time.sleep(0.4)
    assert tools_list(server, idle_id).status_code == 404
    assert tools_list(server, used_id).status_code == 200
    assert initialize(server).status_code == 200  # expired sessions made room


# ---- the warning for a public address without tokens -----------------------------------------------------------

# 192.0.2.1 (TEST-NET-1) is no address of this machine: binding it fails, so no test opens a socket
# beyond loopback; the warning comes before the bind.
UNREACHABLE = "192.0.2.1"


def test_the_warning_names_the_address_and_the_fix() -> None:
    warning = unauthenticated_public_warning("0.0.0.0", ())
    assert warning is not None and "0.0.0.0" in warning and "without authentication" in warning
    assert "CONDUIT_AUTH_TOKENS" in warning and "127.0.0.1" in warning
    assert unauthenticated_public_warning("127.0.0.1", ()) is None
    assert unauthenticated_public_warning("0.0.0.0", ("token",)) is None


def test_conduit_serve_warns_once_before_binding_a_public_address(capfd: pytest.CaptureFixture[str]) -> None:
    app = load_app(str(APP))
    with pytest.raises(OSError):
        start_server(app, app.settings.with_address(UNREACHABLE, 0), "python", app_spec=str(APP))
    err = capfd.readouterr().err
    assert err.count("without authentication") == 1 and UNREACHABLE in err


def test_the_python_backend_run_alone_warns() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "conduit.python_backend", str(APP), "--host", UNREACHABLE, "--port", "8080"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "warning: serving 192.0.2.1 without authentication" in run.stderr


@pytest.mark.native
def test_the_native_binary_warns() -> None:
    binary = native_build(load_app(str(APP))).binary
    run = subprocess.run(
        [str(binary), "--host", UNREACHABLE, "--port", "8080"], capture_output=True, text=True, timeout=30
    )
    assert run.returncode != 0
    assert "warning: serving 192.0.2.1 without authentication" in run.stderr


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="head_timeout must be a positive number of seconds"):
        ServerSettings(head_timeout=0)
    with pytest.raises(ValueError, match="max_sessions must be a positive integer"):
        ServerSettings(max_sessions=-1)
