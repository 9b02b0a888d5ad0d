"""Native tools/call against nginx's fixed body, side by side, in one run.

Puts N keep-alive connections (wrk) on the native server's tools/call and on nginx returning a
fixed body of the same size (the ceiling), and prints both and their ratio. Run
`benchmarks/setup.sh` once for wrk and nginx (Debian packages).

    python benchmarks/core_vs_nginx.py [--connections 50] [--duration 10] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.nginx import start_nginx  # noqa: E402
from harness.procs import free_port, require  # noqa: E402
from harness.wrk import wrk  # noqa: E402

from conduit.loader import load_app  # noqa: E402
from conduit.serving import start_server  # noqa: E402

CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "weather", "arguments": {"city": "Paris"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    require("wrk")
    require("nginx")

    app = load_app(str(ROOT / "examples" / "weather.py"))
    native = start_server(app, app.settings.with_address("127.0.0.1", 0), "native")
    body = json.dumps(CALL)
    try:
        reply = httpx.post(native.url, content=body, headers=HEADERS)
        reply.raise_for_status()
        assert reply.json()["result"]["structuredContent"]["city"] == "Paris", reply.text
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            nginx = start_nginx(reply.content, port, Path(tmp))
            try:
                fixed = httpx.post(f"http://127.0.0.1:{port}/mcp", content=body, headers=HEADERS)
                assert fixed.content == reply.content, "nginx must serve the same bytes"
                results = {
                    "conduit native": wrk(native.url, body, HEADERS, args.connections, args.duration, args.threads),
                    "nginx fixed body": wrk(
                        f"http://127.0.0.1:{port}/mcp", body, HEADERS, args.connections, args.duration, args.threads
                    ),
                }
            finally:
                nginx.terminate()
                nginx.wait()
    finally:
        native.close()

    print(f"# tools/call, {args.connections} keep-alive connections, {args.duration} s, wrk -t{args.threads}")
    print(f"# {platform.node()}: {os.cpu_count()} cores, {platform.platform()}, body {len(reply.content)} bytes")
    print(f"{'server':<18} {'requests/s':>12} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in results.items():
        print(f"{name:<18} {r['rps']:>12,.0f} {r['p50_ms']:>8.3f} {r['p99_ms']:>8.3f} {r['errors']:>8}")
    ratio = results["conduit native"]["rps"] / results["nginx fixed body"]["rps"]
    print(f"native / nginx requests/s: {ratio:.2f} (target >= 0.70)")


if __name__ == "__main__":
    main()
