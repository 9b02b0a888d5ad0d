"""The native load generator against real servers: it counts requests and errors, and `conduit bench` reports them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conduit import bench
from conduit.cli import main
from conduit.errors import ConduitError


class _Handler(BaseHTTPRequestHandler):
    """/ok -> 200, /fail -> 500, /chunked -> 200 chunked, /close -> 200 then close, /mcp -> JSON-RPC."""

    protocol_version = "HTTP/1.1"
    counts: dict[str, int]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:  # type: ignore[attr-defined]
            self.counts[self.path] = self.counts.get(self.path, 0) + 1
        if self.path == "/mcp":
            self._mcp(json.loads(body))
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n")
        else:
            self._reply(500 if self.path == "/fail" else 200, b"{}", close=self.path == "/close")

    def _mcp(self, message: dict) -> None:
        name = message.get("params", {}).get("name")
        if name == "nosuch":
            answer = {"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "Unknown tool: nosuch"}}
        else:
            answer = {"jsonrpc": "2.0", "id": 1, "result": {"content": [], "isError": False}}
        self._reply(200, json.dumps(answer).encode())

    def _reply(self, status: int, body: bytes, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def loadgen(build_codon) -> None:
    """Skip where Codon cannot build; otherwise build the load generator once (then it is cached)."""
    bench.loadgen_binary()


@pytest.fixture
def server(loadgen) -> Iterator[tuple[str, dict[str, int]]]:
    counts: dict[str, int] = {}
    handler = type("Handler", (_Handler,), {"counts": counts})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.lock = threading.Lock()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", counts
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_counts_every_request_it_sends(server):
    url, counts = server
    result = bench.run_http(url + "/ok", b"{}", requests=300, connections=4)
    assert (result.requests, result.errors) == (300, 0)
    assert counts["/ok"] == 300  # no request lost or repeated
    assert result.latencies_ns.min() > 0
    assert result.requests_per_second > 0


def test_non_2xx_answers_are_errors(server):
    url, counts = server
    result = bench.run_http(url + "/fail", b"{}", requests=50, connections=2)
    assert (result.requests, result.errors) == (0, 50)
    assert counts["/fail"] == 50


def test_reads_chunked_bodies(server):
    url, _ = server
    result = bench.run_http(url + "/chunked", b"{}", requests=100, connections=2)
    assert (result.requests, result.errors) == (100, 0)


def test_reconnects_after_connection_close(server):
    url, counts = server
    result = bench.run_http(url + "/close", b"{}", requests=60, connections=3)
    assert (result.requests, result.errors) == (60, 0)
    assert counts["/close"] == 60


def test_a_refused_connection_is_reported(loadgen):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = bench.run_http(f"http://127.0.0.1:{port}/", b"", requests=10, connections=2)
    assert result.requests == 0 and result.connect_errors == 2


def test_duration_mode_stops_in_time(server):
    url, _ = server
    result = bench.run_http(url + "/ok", b"{}", duration=0.3, connections=2)
    assert result.requests > 0 and result.errors == 0
    assert 0.25 < result.elapsed_s < 1.5


def test_run_checks_one_answer_before_the_load(server):
    url, counts = server
    with pytest.raises(ConduitError, match="Unknown tool: nosuch"):
        bench.run(url + "/mcp", "nosuch", {}, requests=10, connections=1)
    assert counts["/mcp"] == 1  # only the trial request


def test_cli_prints_json(server, capsys):
    url, counts = server
    code = main(["bench", url + "/mcp", "--tool", "weather", "--args", '{"city": "Paris"}', "--requests", "200",
                 "--connections", "4", "--json"])  # fmt: skip
    figures = json.loads(capsys.readouterr().out)
    assert code == 0
    assert figures["requests"] == 200 and figures["errors"] == 0
    assert figures["label"] == "weather"
    assert figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert counts["/mcp"] == 201  # the trial request, then the load


def test_cli_reports_a_failing_tool(server, capsys):
    url, _ = server
    assert main(["bench", url + "/mcp", "--tool", "nosuch", "--requests", "10"]) == 1
    assert "Unknown tool: nosuch" in capsys.readouterr().err
