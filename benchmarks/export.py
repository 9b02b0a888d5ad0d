"""What an exported server weighs and how fast it starts and answers over stdio, from one run.

Exports tests/apps/export_app.py (`conduit build`) and prints:

1. the folder's size (binary, lib/ file by file) and its .tar.gz;
2. cold start under `env -i`: from exec to the first 200 on /healthz (median of --starts);
3. the stdio round trip with the official SDK's stdio client: tools/call p50 and p99 over
   --calls calls, after the handshake (both protocol eras).

    python benchmarks/export.py [--starts 10] [--calls 500]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from conduit.export import Export, export_app
from conduit.loader import load_app

APP = Path(__file__).resolve().parent.parent / "tests" / "apps" / "export_app.py"
MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sizes(exported: Export) -> None:
    print(
        f"folder {exported.directory.name}/: {exported.size / MB:.1f} MB; {exported.archive.name}: "
        f"{exported.archive_size / MB:.1f} MB"
    )
    for path in [exported.binary, *sorted((exported.directory / "lib").iterdir())]:
        print(f"  {path.relative_to(exported.directory)}: {path.stat().st_size / MB:.2f} MB")


def cold_start_ms(binary: Path) -> float:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(["env", "-i", str(binary), "--port", str(port)], stderr=subprocess.DEVNULL)
    try:
        with httpx.Client() as client:
            while True:
                try:
                    if client.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        return (time.perf_counter() - started) * 1000
                except httpx.TransportError:
                    time.sleep(0.0005)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


def stdio_round_trips_ms(binary: Path, mode: str, calls: int) -> list[float]:
    async def run() -> list[float]:
        params = StdioServerParameters(command=str(binary), args=["--stdio"])
        async with Client(params, mode=mode) as client:
            times = []
            for _ in range(calls):
                started = time.perf_counter()
                await client.call_tool("greet", {"name": "Ada"})
                times.append((time.perf_counter() - started) * 1000)
            return times

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        exported = export_app(load_app(str(APP)), out)
        print(f"export: {time.perf_counter() - started:.1f} s (a served app's build comes from the cache)")
        print(f"runtime: {exported.runtime_note}")
        sizes(exported)
        starts = [cold_start_ms(exported.binary) for _ in range(args.starts)]
        print(
            f"cold start under env -i, exec to first /healthz 200: median {statistics.median(starts):.1f} ms "
            f"(min {min(starts):.1f}, max {max(starts):.1f}, {len(starts)} starts)"
        )
        for mode in ("legacy", "2026-07-28"):
            times = sorted(stdio_round_trips_ms(exported.binary, mode, args.calls))
            p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
            print(
                f"stdio tools/call with the SDK's stdio client ({mode}): p50 {p50:.3f} ms, p99 {p99:.3f} ms "
                f"over {len(times)} calls"
            )


if __name__ == "__main__":
    main()
