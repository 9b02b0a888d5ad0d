"""Streaming tools: how soon a yielded item reaches the client, and 100 items over ~150 ms, from one run.

Serves tests/apps/stream_app.py (natively, then with the python backend, the official SDK) and
calls its `stamps(n, gap)` generator, which yields `time.time()` for each item, over a raw
keep-alive socket that reads the SSE response as it arrives, and prints:

1. yield -> client: from the first item's `time.time()` at its yield to the moment the client has
   read its `notifications/progress` event (target <= 1 ms on loopback), median and p95 of
   `--calls` calls;
2. request -> first item and request -> result for 100 items `--gap` apart (1.5 ms: ~150 ms of
   producing), against the announcement's figures (first result 8 ms, 100 results 150 ms).

    python benchmarks/streaming.py [--calls 50] [--gap 0.0015] [--backend native|python|both]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
from pathlib import Path

import httpx

from conduit.loader import load_app
from conduit.serving.run import start_server

APP = Path(__file__).resolve().parent.parent / "tests" / "apps" / "stream_app.py"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
TARGET_FIRST_EVENT_MS = 1.0
ANNOUNCED_FIRST_MS = 8.0
ANNOUNCED_TOTAL_MS = 150.0


class SseClient:
    """One keep-alive connection that posts tools/call and reads the SSE reply event by event."""

    def __init__(self, url: str, session: str | None) -> None:
        u = httpx.URL(url)
        self.host = f"{u.host}:{u.port}"
        self.sock = socket.create_connection((u.host, u.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.session = session
        self.buf = b""
        self.next_id = 1

    def call(self, name: str, arguments: dict) -> list[tuple[float, dict]]:
        """Every JSON-RPC message of the reply with the time.time() it was read; the result last."""
        self.next_id += 1
        params = {"name": name, "arguments": arguments, "_meta": {"progressToken": self.next_id}}
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call", "params": params}).encode()
        head = {**HEADERS, "Host": self.host, "Content-Length": str(len(body))}
        if self.session:
            head["Mcp-Session-Id"] = self.session
        request = b"POST /mcp HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()).encode() + b"\r\n"
        self.sock.sendall(request + body)
        messages: list[tuple[float, dict]] = []
        while True:
            while b"\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                self.buf += chunk
            now = time.time()
            line, _, self.buf = self.buf.partition(b"\n")
            if line.startswith(b"data: {"):
                message = json.loads(line[6:])
                messages.append((now, message))
                if message.get("id") == self.next_id:
                    self._skip_rest()
                    return messages

    def _skip_rest(self) -> None:
        """Read up to the end of the response (the last chunk), for the next call on this connection."""
        deadline = time.time() + 5
        while b"0\r\n\r\n" not in self.buf and time.time() < deadline:
            self.sock.settimeout(0.2)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                break
            finally:
                self.sock.settimeout(None)
            if not chunk:
                break
            self.buf += chunk
        self.buf = b""


def session_for(url: str) -> str | None:
    init = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}
    r = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init}, headers=HEADERS)
    return r.headers.get("mcp-session-id")


def measure(backend: str, calls: int, gap: float) -> None:
    app = load_app(str(APP))
    server = start_server(app, app.settings.with_address("127.0.0.1", 0), backend, app_spec=str(APP))
    try:
        client = SseClient(server.url, session_for(server.url))
        client.call("stamps", {"n": 2, "gap": 0.0})  # warm the connection and the pool
        lags = []
        for _ in range(calls):
            messages = client.call("stamps", {"n": 3, "gap": 0.002})
            read_at, first = messages[0]
            assert first["method"] == "notifications/progress", first
            lags.append((read_at - json.loads(first["params"]["message"])) * 1000)
        lags.sort()
        p95 = lags[min(len(lags) - 1, int(len(lags) * 0.95))]
        median = statistics.median(lags)
        print(
            f"{backend:>6}: yield -> client, first item: median {median:.3f} ms, p95 {p95:.3f} ms over {calls} calls"
            f" (target <= {TARGET_FIRST_EVENT_MS:g} ms: {median / TARGET_FIRST_EVENT_MS:.2f}x)"
        )
        firsts, totals, producing, item_lags = [], [], [], []
        for _ in range(5):
            sent = time.time()
            messages = client.call("stamps", {"n": 100, "gap": gap})
            progress = [(t, m) for t, m in messages if m.get("method") == "notifications/progress"]
            stamps = messages[-1][1]["result"]["structuredContent"]["result"]
            assert len(progress) == 100 and len(stamps) == 100
            firsts.append((messages[0][0] - sent) * 1000)
            totals.append((messages[-1][0] - sent) * 1000)
            producing.append((stamps[-1] - stamps[0]) * 1000)
            item_lags += [(t - json.loads(m["params"]["message"])) * 1000 for t, m in progress]
        first, total = statistics.median(firsts), statistics.median(totals)
        print(
            f"{backend:>6}: 100 items {gap * 1000:g} ms apart: first item {first:.2f} ms after the request"
            f" (announced {ANNOUNCED_FIRST_MS:g} ms: {first / ANNOUNCED_FIRST_MS:.2f}x), result {total:.1f} ms"
            f" (announced {ANNOUNCED_TOTAL_MS:g} ms: {total / ANNOUNCED_TOTAL_MS:.2f}x), median of 5"
        )
        print(
            f"{backend:>6}:   of which the tool itself took {statistics.median(producing):.1f} ms (its sleeps);"
            f" every item's yield -> client: median {statistics.median(item_lags):.3f} ms,"
            f" max {max(item_lags):.3f} ms"
        )
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--gap", type=float, default=0.0015)
    parser.add_argument("--backend", choices=["native", "python", "both"], default="both")
    args = parser.parse_args()
    for backend in ["native", "python"] if args.backend == "both" else [args.backend]:
        measure(backend, args.calls, args.gap)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
