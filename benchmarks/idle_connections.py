"""10,000 idle keep-alive connections: the native server's memory, and an active client's latency.

Serves `add` natively, opens idle connections (each sends one tools/call, reads the answer, then
stays open and silent), and prints from one run:

1. the server's RSS (VmRSS from /proc/PID/status) with no connection, at 1,000 and at 10,000
   idle connections, and the bytes one idle connection costs;
2. an active client's tools/call p50/p99 (the native load generator, 4 connections) without the
   idle connections and with the 10,000 open, in alternating rounds (the machine is shared and
   noisy), the medians and the ratio (target: p99 with <= 2x without);
3. that the idle connections were still open at the end of each round (a sample answers again).

The server runs with idle_timeout=600 s (the default 60 s would close the idle ones while the run
is still measuring) and max_connections=10,100 (room for the active client beside the 10,000).

    python benchmarks/idle_connections.py [--idle 10000] [--requests 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import selectors
import socket
import statistics
import sys
import time
from pathlib import Path

from conduit import Conduit, bench
from conduit.serving.run import start_server
from conduit.settings import ServerSettings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "apps"))
import slow_app  # noqa: E402  (its `add` tool)

BATCH = 500


def call_request(port: int) -> bytes:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 1, "b": 2}}}
    ).encode()
    head = (
        f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json, text/event-stream\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def open_idle(port: int, count: int, request: bytes) -> list[socket.socket]:
    """`count` connections that each completed one request, in batches (the listen backlog is 1024)."""
    opened: list[socket.socket] = []
    while len(opened) < count:
        batch = [
            socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(min(BATCH, count - len(opened)))
        ]
        for sock in batch:
            sock.sendall(request)
        answer_all(batch)
        opened += batch
    return opened


def answer_all(socks: list[socket.socket]) -> None:
    """Read one response on each socket (they are small: one recv each, usually)."""
    sel = selectors.DefaultSelector()
    pending: dict[socket.socket, bytes] = {}
    for sock in socks:
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ)
        pending[sock] = b""
    deadline = time.monotonic() + 30
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            sock = key.fileobj
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed an idle connection before answering it")
            pending[sock] += chunk
            data = pending[sock]
            if b"\r\n\r\n" in data and b'"result"' in data and data.endswith(b"}"):
                assert data.startswith(b"HTTP/1.1 200"), data[:100]
                sel.unregister(sock)
                del pending[sock]
    sel.close()
    if pending:
        raise RuntimeError(f"{len(pending)} connections got no answer within 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < args.idle + 256:
        sys.exit(f"the open-files hard limit is {hard}; {args.idle} connections need {args.idle + 256} (ulimit -Hn)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this client holds every connection too

    app = Conduit("idle-connections")
    app.add_tool(slow_app.add)
    settings = ServerSettings(host="127.0.0.1", port=0, idle_timeout=600, max_connections=args.idle + 100)
    server = start_server(app, settings, "native")
    held: list[socket.socket] = []
    try:
        pid = server.pid
        assert pid is not None
        request = call_request(server.port)
        rss = {0: rss_kib(pid)}
        alone: list[bench.BenchResult] = []
        loaded: list[bench.BenchResult] = []
        opened_in = 0.0
        for round in range(args.rounds):  # alternated, so the machine's noise falls on both alike
            alone.append(bench.run(server.url, "add", {"a": 1, "b": 2}, requests=args.requests, connections=4))
            held += open_idle(server.port, 1000, request)
            if round == 0:
                time.sleep(0.5)
                rss[1000] = rss_kib(pid)
            started = time.perf_counter()
            held += open_idle(server.port, args.idle - 1000, request)
            if round == 0:
                opened_in = time.perf_counter() - started
                time.sleep(0.5)
                rss[args.idle] = rss_kib(pid)
            loaded.append(bench.run(server.url, "add", {"a": 1, "b": 2}, requests=args.requests, connections=4))
            sample = held[:: max(1, len(held) // 100)]
            for sock in sample:
                sock.setblocking(True)
                sock.sendall(request)
            answer_all(sample)  # raises if one was closed
            sampled = len(sample)
            for sock in held:
                sock.close()
            held.clear()
            time.sleep(0.5)
        rss_after = rss_kib(pid)

        def median(runs: list[bench.BenchResult], q: str) -> float:
            return statistics.median(getattr(r, q) for r in runs)

        per_conn = (rss[args.idle] - rss[0]) * 1024 / args.idle
        print(f"server RSS, no connection:           {rss[0] / 1024:8.1f} MiB")
        print(f"server RSS, 1,000 idle connections:  {rss[1000] / 1024:8.1f} MiB")
        print(
            f"server RSS, {args.idle:,} idle connections: {rss[args.idle] / 1024:8.1f} MiB "
            f"({args.idle - 1000:,} opened in {opened_in:.1f} s)"
        )
        print(f"server RSS at the end ({args.rounds} rounds): {rss_after / 1024:8.1f} MiB")
        print(
            f"memory per idle connection: {per_conn:,.0f} bytes; "
            f"RSS at {args.idle:,} / at 1,000: {rss[args.idle] / rss[1000]:.2f}"
        )
        for name, runs in (("no idle ones", alone), (f"{args.idle:,} idle", loaded)):
            each = ", ".join(f"{r.p99:.3f}" for r in runs)
            print(
                f"add, 4 connections, {name:>12}: p50 {median(runs, 'p50'):.3f} ms, p99 {median(runs, 'p99'):.3f} ms "
                f"(median of {len(runs)}; p99s {each}; {median(runs, 'requests_per_second'):,.0f} req/s, "
                f"{sum(r.errors for r in runs)} errors)"
            )
        print(
            f"p50 with / without: {median(loaded, 'p50') / median(alone, 'p50'):.2f}; p99 with / without: "
            f"{median(loaded, 'p99') / median(alone, 'p99'):.2f} (target <= 2); load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(f"idle connections still open at the end of each round: {sampled} of {sampled} sampled answered again")
    finally:
        for sock in held:
            sock.close()
        server.close()


if __name__ == "__main__":
    main()
