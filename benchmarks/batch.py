"""Batched calls, from one run: a batch of 3 slow calls against the same 3 calls one after another.

Serves `slow(ms)` (it sleeps, so it runs on the worker pool) natively and prints, over `--rounds`
rounds on one keep-alive connection:

1. the median time of one `tools/call` with `params.batch` of 3 x slow(100);
2. the median time of the same 3 calls sent one after another;
3. their ratio (target >= 2.5x; the three calls of a batch run side by side).

    python benchmarks/batch.py [--rounds 20] [--ms 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

from conduit import Conduit
from conduit.serving.run import start_server
from conduit.settings import ServerSettings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "apps"))
import batch_app  # noqa: E402  (the test app's slow tool, on an app with the default pool)

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def post(client: httpx.Client, url: str, params: dict) -> dict:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    answer = client.post(url, json=body, headers=HEADERS, timeout=30).json()
    assert answer["result"]["isError"] is False, answer
    return answer["result"]


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--ms", type=int, default=100)
    args = parser.parse_args()
    app = Conduit("batch-bench")
    app.add_tool(batch_app.slow)
    server = start_server(app, ServerSettings(host="127.0.0.1", port=0), "native")
    call = {"name": "slow", "arguments": {"ms": args.ms}}
    try:
        with httpx.Client() as client:
            post(client, server.url, {"batch": [call] * 3})  # warm: the pool's threads start

            def batch() -> None:
                results = post(client, server.url, {"batch": [call] * 3})["structuredContent"]["results"]
                assert [r["isError"] for r in results] == [False] * 3, results

            def one_by_one() -> None:
                for _ in range(3):
                    post(client, server.url, call)

            batched = statistics.median(timed(batch) for _ in range(args.rounds))
            sequential = statistics.median(timed(one_by_one) for _ in range(args.rounds))
    finally:
        server.close()
    print(f"batch of 3 x slow({args.ms}): {batched * 1000:.1f} ms (median of {args.rounds})")
    print(f"3 x slow({args.ms}) one after another: {sequential * 1000:.1f} ms (median of {args.rounds})")
    print(f"batch speed-up: {sequential / batched:.2f}x (target >= 2.5x)")


if __name__ == "__main__":
    main()
