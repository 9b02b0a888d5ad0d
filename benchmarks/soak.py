"""Soak: hold full load on one native server for ten minutes; do its RSS and open fds stay flat?

Serves tests/apps/protocol_app.py natively (`start_server`, as `conduit serve` does) and runs
one native load generator (conduit.bench) per kind of request at once, for the whole duration:
tools/call of `add` (the fast path), of `weather` (a mixed-type result) and of `stats`, tools/list,
initialize, and a 2026-07-28 tools/call with its headers and `_meta` envelope. Each generator
keeps its connections busy (one request in flight each, keep-alive). A generator counts a
non-2xx answer, a closed connection or no answer within 10 s as an error.

The server's resident memory (VmRSS in /proc/PID/status) and open file descriptors
(/proc/PID/fd) are sampled once a minute; the first sample comes after a warm-up, the last just
before the load stops. Prints every sample, start vs end with the ratio (flat = within 10%), the
errors (must be 0) and whether the process that started is the one that finished (no restarts).

    CONDUIT_CACHE=... python benchmarks/soak.py [--seconds 600] [--connections 4] [--warmup 20]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conduit.bench import MCP_HEADERS, mcp_body, mcp_call, run_http  # noqa: E402
from conduit.loader import load_app  # noqa: E402
from conduit.serving import start_server  # noqa: E402

APP = ROOT / "tests" / "apps" / "protocol_app.py"
MODERN = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}


def loads() -> dict[str, tuple[bytes, dict[str, str]]]:
    """Each kind of request the soak keeps sending: name -> (body, headers)."""
    modern = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 7,
            "method": "tools/call",
            "params": {"name": "add", "arguments": {"a": 40, "b": 2}, "_meta": META},
        }
    ).encode()
    initialize = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "soak", "version": "0"},
            },
        }
    ).encode()
    return {
        "tools/call add": (mcp_body("add", {"a": 2, "b": 3}), MCP_HEADERS),
        "tools/call weather": (mcp_body("weather", {"city": "Paris", "units": "imperial"}), MCP_HEADERS),
        "tools/call stats": (mcp_body("stats", {"xs": [1.5, 2.5, -3.0, 1e3], "label": "x"}), MCP_HEADERS),
        "tools/list": (mcp_body(), MCP_HEADERS),
        "initialize": (initialize, MCP_HEADERS),
        "2026-07-28 tools/call": (
            modern,
            {**MCP_HEADERS, "MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "add"},
        ),
    }


def sample(pid: int) -> tuple[int, int]:
    """(resident set size in kB, open file descriptors) of the process."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600.0, help="how long to hold the load (default 600)")
    parser.add_argument("--connections", type=int, default=4, help="connections per kind of request (default 4)")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds of load before the first sample")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    args = parser.parse_args()

    app = load_app(str(APP))
    sup = start_server(app, app.settings.with_address("127.0.0.1", 0), "native", app_spec=str(APP))
    try:
        pid = sup.pid
        assert pid is not None
        kinds = loads()
        for body, headers in kinds.values():  # each request answers correctly before the load
            mcp_call(sup.url, body, headers)
        idle = sample(pid)
        print(f"native server pid {pid} at {sup.url}; idle: RSS {idle[0]} kB, {idle[1]} fds")
        print(
            f"load: {len(kinds)} generators x {args.connections} connections for {args.seconds:.0f} s "
            f"({', '.join(kinds)})"
        )

        results: dict[str, object] = {}

        def load(name: str, body: bytes, headers: dict[str, str]) -> None:
            results[name] = run_http(
                sup.url, body, headers=headers, connections=args.connections, duration=args.seconds, label=name
            )

        threads = [threading.Thread(target=load, args=(name, *kind)) for name, kind in kinds.items()]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        samples: list[tuple[float, int, int]] = []
        next_at = started + min(args.warmup, args.seconds / 4)
        end_at = started + args.seconds - 1.0
        while True:
            now = time.monotonic()
            if now >= next_at or now >= end_at:
                rss, fds = sample(pid)
                samples.append((now - started, rss, fds))
                print(f"  t={now - started:6.0f} s  RSS {rss:>7} kB  fds {fds:>4}", flush=True)
                if now >= end_at:
                    break
                next_at = min(now + args.every, end_at)
            time.sleep(min(1.0, max(0.05, min(next_at, end_at) - time.monotonic())))
        for thread in threads:
            thread.join()

        print()
        total = errors = 0
        for name in kinds:
            r = results[name]
            total += r.requests  # type: ignore[attr-defined]
            errors += r.errors + r.connect_errors  # type: ignore[attr-defined]
            print(f"  {r}")  # type: ignore[str-format]
        (_, rss0, fds0), (_, rss1, fds1) = samples[0], samples[-1]
        same = sup.pid == pid and not sup.restarts
        print(
            f"\nsoak {args.seconds:.0f} s: {total:,} requests, {total / args.seconds:,.0f} req/s, {errors} errors; "
            f"server restarts: {len(sup.restarts)} (same process: {same})"
        )
        print(f"RSS start {rss0} kB, end {rss1} kB: end/start {rss1 / rss0:.3f}")
        print(f"fds start {fds0}, end {fds1}: end/start {fds1 / fds0:.3f}")
        flat = abs(rss1 / rss0 - 1) <= 0.10 and abs(fds1 / fds0 - 1) <= 0.10
        print(f"flat within 10%: {flat}; zero errors: {errors == 0}")
        after = sample(pid)
        print(f"after the load: RSS {after[0]} kB, {after[1]} fds")
    finally:
        sup.close()


if __name__ == "__main__":
    main()
