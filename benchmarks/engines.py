"""One server, two engines: what a CPython-run tool costs, and what it costs the native ones.

Serves one app twice, natively (tools CPython must run go to the worker beside the native
server) and on the python backend (the official MCP SDK serving every tool), and prints from
this one run:

1. tools/call req/s at 50 connections of a tool CPython runs (`pretty`, json is not a Codon
   module): through the native front end and on the official SDK, and their ratio (target >= 1);
2. a native tool's (`add`) p50/p99 alone, then while 50 connections keep CPython-run tools busy
   (target: p99 loaded <= 2x unloaded).

    python benchmarks/engines.py [--requests 5000]
"""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path

from conduit import bench
from conduit.loader import load_app
from conduit.serving.run import start_server
from conduit.settings import ServerSettings

APP = Path(__file__).resolve().parent.parent / "tests" / "apps" / "engines_app.py"
PRETTY = {"document": json.dumps({"b": [1, 2, {"c": "d"}], "a": 1.5})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    app = load_app(str(APP))

    sdk = start_server(app, ServerSettings(port=0), "python", app_spec=str(APP))
    try:
        on_sdk = bench.run(sdk.url, "pretty", PRETTY, requests=args.requests, connections=50, label="SDK")
    finally:
        sdk.close()

    native = start_server(app, ServerSettings(port=0), "native", app_spec=str(APP))
    try:
        handed = bench.run(native.url, "pretty", PRETTY, requests=args.requests, connections=50, label="worker")
        alone = bench.run(native.url, "add", {"a": 2, "b": 3}, requests=args.requests, connections=1)
        load: list[bench.BenchResult] = []
        busy = threading.Thread(
            target=lambda: load.append(
                bench.run(native.url, "pretty", PRETTY, requests=args.requests * 4, connections=50)
            )
        )
        busy.start()
        loaded = bench.run(native.url, "add", {"a": 2, "b": 3}, requests=args.requests, connections=1)
        busy.join()
    finally:
        native.close()

    print("tools/call of a CPython-run tool (pretty), 50 connections:")
    print(f"  through the native front end: {handed.requests_per_second:,.0f} req/s, p99 {handed.p99:.3f} ms")
    print(f"  official MCP SDK:             {on_sdk.requests_per_second:,.0f} req/s, p99 {on_sdk.p99:.3f} ms")
    ratio = handed.requests_per_second / on_sdk.requests_per_second
    print(f"  ratio {ratio:.2f} (target >= 1)")
    print("a native tool (add), 1 connection:")
    print(f"  alone:                        p50 {alone.p50:.3f} ms, p99 {alone.p99:.3f} ms")
    print(
        f"  with 50 connections on pretty: p50 {loaded.p50:.3f} ms, p99 {loaded.p99:.3f} ms "
        f"(pretty meanwhile: {load[0].requests_per_second:,.0f} req/s)"
    )
    print(f"  p99 ratio {loaded.p99 / alone.p99:.2f} (target <= 2)")
    errors = on_sdk.errors + handed.errors + alone.errors + loaded.errors + load[0].errors
    print(f"errors: {errors}")


if __name__ == "__main__":
    main()
