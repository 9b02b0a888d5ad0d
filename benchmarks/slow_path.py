"""The slow path: a fast tool's latency while blocking tools run on the worker pool, from one run.

Serves `add` (inline on the event loops) and `slow(ms)` (it sleeps: the worker pool) natively,
with the default pool (64 threads), and prints:

1. `add`'s p50/p99 at 4 connections alone, then while 8 `slow(200)` calls are always in flight,
   and the ratio (target: p99 loaded <= 2x unloaded);
2. how long 64 concurrent `slow(200)` calls take in all (target <= 0.5 s: they run side by side).

    python benchmarks/slow_path.py [--requests 4000]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from conduit import Conduit, bench
from conduit.serving.run import start_server
from conduit.settings import ServerSettings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "apps"))
import slow_app  # noqa: E402  (the test app's tools, on an app with the default pool)

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def slow_call(client: httpx.Client, url: str, ms: int) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "slow", "arguments": {"ms": ms}}}
    answer = client.post(url, json=body, headers=HEADERS, timeout=30).json()
    assert answer["result"]["structuredContent"] == {"result": ms}, answer


def keep_busy(url: str, concurrent: int, stop: threading.Event) -> None:
    def loop() -> None:
        with httpx.Client() as client:
            while not stop.is_set():
                slow_call(client, url, 200)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(concurrent)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000)
    args = parser.parse_args()
    app = Conduit("slow-path")
    app.add_tool(slow_app.add)
    app.add_tool(slow_app.slow)
    server = start_server(app, ServerSettings(host="127.0.0.1", port=0), "native")
    try:
        alone = bench.run(server.url, "add", {"a": 1, "b": 2}, requests=args.requests, connections=4)
        stop = threading.Event()
        busy = threading.Thread(target=keep_busy, args=(server.url, 8, stop))
        busy.start()
        time.sleep(0.5)
        loaded = bench.run(server.url, "add", {"a": 1, "b": 2}, requests=args.requests, connections=4)
        stop.set()
        busy.join()
        print(f"add alone: p50 {alone.p50:.3f} ms, p99 {alone.p99:.3f} ms ({alone.requests_per_second:,.0f} req/s)")
        print(
            f"add with 8 slow(200) in flight: p50 {loaded.p50:.3f} ms, p99 {loaded.p99:.3f} ms "
            f"({loaded.requests_per_second:,.0f} req/s, {loaded.errors} errors)"
        )
        print(f"p99 loaded / alone: {loaded.p99 / alone.p99:.2f} (target <= 2)")
        with ThreadPoolExecutor(64) as pool, httpx.Client(limits=httpx.Limits(max_connections=64)) as client:
            started = time.perf_counter()
            list(pool.map(lambda _: slow_call(client, server.url, 200), range(64)))
            took = time.perf_counter() - started
        print(f"64 concurrent slow(200): {took:.3f} s in all (target <= 0.5 s)")
    finally:
        server.close()


if __name__ == "__main__":
    main()
