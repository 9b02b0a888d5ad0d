"""The same 5-tool MCP server in every implementation, driven with the same load, in one run.

    python benchmarks/run_benchmarks.py --test mcp_server --requests 10000
    python benchmarks/run_benchmarks.py --quick          # 1,000 requests, one cold start each

Peers: Conduit native, Conduit's python backend (the official MCP Python SDK), FastMCP, the
official TypeScript SDK on Express, and nginx answering with the native server's tools/call bytes
(the ceiling). Each must answer every tool correctly before it is timed. Load comes from Conduit's
native load generator (checked against wrk in the same run); each measurement is --requests
requests, repeated until it has lasted 2 s (a fast server answers 10,000 in a tenth of a second).
Writes benchmarks/results/<date>.json, .md and .png, and prints the table and the ratios to the
targets of issue 5. Run benchmarks/setup.sh once first.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from harness import peers, report  # noqa: E402
from harness.procs import (  # noqa: E402
    cpu_seconds,
    free_port,
    hold_idle_connections,
    peak_rss_kb,
    port_is_free,
    raise_fd_limit,
    require,
    rss_kb,
    start_and_time,
    stop,
)
from harness.wrk import wrk  # noqa: E402

from conduit import bench  # noqa: E402

HOST = "127.0.0.1"
NATIVE_PORT = 18931  # compiled into the native binary, so a fixed one keeps reruns cache hits
IDLE_CONNECTIONS = 10_000
PEERS = ("native", "nginx", "python", "fastmcp", "typescript")  # nginx needs native's reply: native first
WEATHER = ("weather", {"city": "Paris"})
CHECKS: list[tuple[str, dict[str, Any]]] = [
    WEATHER,
    ("calculator", {"op": "mul", "a": 6, "b": 7}),
    ("search", {"query": "py"}),
    ("read_file", {"name": "notes.txt"}),
    ("query_products", {"max_price": 2.0}),
]
NOTES = "Conduit benchmark data file.\nIt is read whole by the read_file tool.\n"


def make_data(directory: Path) -> dict[str, float]:
    """The data the tools read: a text file and a SQLite database; returns the expected query result."""
    (directory / "notes.txt").write_text(NOTES)
    with sqlite3.connect(directory / "products.db") as db:
        db.execute("CREATE TABLE products (name TEXT PRIMARY KEY, price REAL NOT NULL)")
        db.executemany("INSERT INTO products VALUES (?, ?)", [(f"product-{i:03}", i * 0.25) for i in range(1, 201)])
        rows = db.execute("SELECT name, price FROM products WHERE price <= 2.0").fetchall()
    db.close()
    return dict(rows)


def expected(tool: str, products: dict[str, float]) -> Any:
    return {
        "weather": {"city": "Paris", "temp": 21, "conditions": "sunny"},
        "calculator": {"result": 42},
        "search": {"result": ["Typed tools in Python", "Compiling Python with Codon"]},
        "read_file": {"result": NOTES},
        "query_products": products,
    }[tool]


def check_answers(url: str, products: dict[str, float]) -> None:
    """Every tool answers as specified, and tools/list names all five."""
    for tool, args in CHECKS:
        result = bench.mcp_call(url, bench.mcp_body(tool, args), bench.MCP_HEADERS)
        got = result.get("structuredContent")
        if got != expected(tool, products):
            raise SystemExit(f"{url}: {tool} answered {got!r}, expected {expected(tool, products)!r}")
    listed = bench.mcp_call(url, bench.mcp_body(), bench.MCP_HEADERS)
    names = sorted(t["name"] for t in listed["tools"])
    if names != sorted(t for t, _ in CHECKS):
        raise SystemExit(f"{url}: tools/list gave {names}")


def raw_reply(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(url, data=body, headers=bench.MCP_HEADERS, method="POST")
    with urllib.request.urlopen(request) as response:
        return response.read()


def probe_request(port: int) -> bytes:
    body = bench.mcp_body()
    head = f"POST /mcp HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in bench.MCP_HEADERS.items())
    return (head + "\r\n").encode() + body


def measure(
    peer: peers.Peer, port: int, args: argparse.Namespace, products: dict[str, float], logs: Path
) -> tuple[dict[str, Any], Any]:
    """Cold starts, then one instance: idle RSS, answers, load, CPU, peak RSS, 10,000 idle connections."""
    url = f"http://{HOST}:{port}/mcp"
    log = logs / ("".join(c if c.isalnum() else "-" for c in peer.name.lower()) + ".log")
    probe = probe_request(port)
    colds = []
    for _ in range(args.cold_starts - 1):
        proc, seconds = start_and_time(peer.argv, HOST, port, probe, cwd=peer.cwd, log=log)
        colds.append(seconds)
        stop(proc)
    blas_1_thread = native_cold_start_without_blas_threads(peer, port, args, log) if peer.name == peers.NATIVE else None
    proc, seconds = start_and_time(peer.argv, HOST, port, probe, cwd=peer.cwd, log=log)
    colds.append(seconds)
    out: dict[str, Any] = {
        "cold_start_ms": statistics.median(colds) * 1000,
        "cold_starts_ms": [c * 1000 for c in colds],
    }
    if blas_1_thread is not None:
        out["cold_start_ms_openblas_1_thread"] = blas_1_thread
    latencies = None
    try:
        time.sleep(0.3)
        out["idle_rss_mb"] = rss_kb(proc.pid) / 1024
        if peer.fixed_body is None:
            check_answers(url, products)
        elif raw_reply(url, bench.mcp_body(*WEATHER)) != peer.fixed_body:
            raise SystemExit(f"{peer.name} must answer with the native server's bytes")
        print(f"  {peer.name}: answers checked, cold start {out['cold_start_ms']:.1f} ms", flush=True)
        n = args.requests
        bench.run(url, *WEATHER, requests=max(200, n // 10), connections=50)  # warm-up (JITs, caches)
        before = cpu_seconds(proc.pid)
        call50 = load(url, WEATHER, n, 50, args.min_seconds, peer.name)
        out["cpu_s_per_10k"] = (cpu_seconds(proc.pid) - before) / max(call50.requests, 1) * 10_000
        latencies = call50.latencies_ns
        out["call50"] = call50.summary()
        out["call1"] = load(url, WEATHER, n, 1, args.min_seconds).summary()
        out["list50"] = load(url, None, n, 50, args.min_seconds).summary()
        out["list1"] = load(url, None, n, 1, args.min_seconds).summary()
        print(f"  {call50}", flush=True)
        if peer.name == peers.NATIVE:
            out["loadgen_vs_wrk"] = loadgen_vs_wrk(url, args.wrk_seconds)
        out["peak_rss_mb"] = peak_rss_kb(proc.pid) / 1024
        idle_before = rss_kb(proc.pid)
        held = hold_idle_connections(HOST, port, IDLE_CONNECTIONS)
        try:
            time.sleep(1.0)
            idle_with = rss_kb(proc.pid)
        finally:
            for s in held:
                s.close()
        out["rss_10k_idle_mb"] = idle_with / 1024
        out["kb_per_idle_connection"] = (idle_with - idle_before) / IDLE_CONNECTIONS
        out["deploy_mb"] = peer.deploy_bytes() / 1e6
        out["deploy_note"] = peer.deploy_note
        out.update(peer.extra)
    finally:
        stop(proc)
    return out, latencies


def load(
    url: str,
    call: tuple[str, dict[str, Any]] | None,
    requests: int,
    connections: int,
    min_seconds: float,
    label: str = "",
) -> bench.BenchResult:
    """`requests` requests, in rounds of that many until `min_seconds` have passed: a fast server
    answers 10,000 in a tenth of a second, too short for stable figures and CPU clock ticks."""
    tool, args = call if call else (None, None)
    rounds: list[bench.BenchResult] = []
    while not rounds or sum(r.elapsed_s for r in rounds) < min_seconds:
        rounds.append(bench.run(url, tool, args, requests=requests, connections=connections, label=label))
    return bench.BenchResult(
        latencies_ns=np.concatenate([r.latencies_ns for r in rounds]),
        errors=sum(r.errors for r in rounds),
        elapsed_s=sum(r.elapsed_s for r in rounds),
        connections=connections,
        label=label,
        url=url,
    )


def native_cold_start_without_blas_threads(peer: peers.Peer, port: int, args: argparse.Namespace, log: Path) -> float:
    """Cold start with OPENBLAS_NUM_THREADS=1: Codon's runtime library embeds OpenBLAS, whose
    thread pool starts (and spins) when the library loads; perf shows it as half the start-up."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    colds = []
    for _ in range(max(args.cold_starts, 3)):
        proc, seconds = start_and_time(peer.argv, HOST, port, probe_request(port), env=env, log=log)
        colds.append(seconds)
        stop(proc)
    return statistics.median(colds) * 1000


def loadgen_vs_wrk(url: str, seconds: float) -> dict[str, Any]:
    """The native load generator and wrk (one thread each) on the same server, same connections,
    taking turns three times (medians), so a neighbour's burst of CPU does not favour either."""
    ours, theirs = [], []
    for _ in range(3):
        ours.append(bench.run(url, *WEATHER, connections=50, duration=seconds).requests_per_second)
        theirs.append(wrk(url, bench.mcp_body(*WEATHER).decode(), bench.MCP_HEADERS, 50, seconds, 1)["rps"])
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"  load generator {statistics.median(ours):,.0f} req/s, wrk {statistics.median(theirs):,.0f}: {ratio:.2f}")
    return {
        "connections": 50,
        "seconds": seconds,
        "loadgen_rps": statistics.median(ours),
        "wrk_rps": statistics.median(theirs),
        "loadgen_rps_runs": ours,
        "wrk_rps_runs": theirs,
        "ratio": ratio,
    }


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown CPU",
    )
    return {"host": socket.gethostname(), "cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform()}


def edit_to_serve() -> float | None:
    """Seconds from the notebook's edit_to_serve benchmark, when it has written a result."""
    path = HERE / "results" / "edit_to_serve.json"
    return json.loads(path.read_text()).get("seconds") if path.is_file() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--test", choices=["mcp_server"], default="mcp_server")
    parser.add_argument("--requests", type=int, default=10_000, help="requests per measurement (default 10000)")
    parser.add_argument("--quick", action="store_true", help="1,000 requests, one cold start, 2 s wrk check")
    parser.add_argument("--peers", help="comma-separated subset: native,nginx,python,fastmcp,typescript")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.requests = 1_000 if args.quick else args.requests
    args.cold_starts = 1 if args.quick else 3
    args.wrk_seconds = 1.0 if args.quick else 3.0
    args.min_seconds = 0.3 if args.quick else 2.0
    require("wrk")
    require("nginx")
    require("node")
    raise_fd_limit()
    chosen = args.peers.split(",") if args.peers else list(PEERS)

    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat() + ("-quick" if args.quick else ""),
        "test": args.test,
        "requests": args.requests,
        "min_seconds": args.min_seconds,
        "machine": machine(),
        "peers": {},
    }
    latencies: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="conduit-benchmarks-") as tmp:
        workdir = Path(tmp)
        (workdir / "data").mkdir()
        products = make_data(workdir / "data")
        os.environ["BENCH_DATA_DIR"] = str(workdir / "data")
        native_port = NATIVE_PORT if port_is_free(NATIVE_PORT) else free_port()  # fixed: the build is cached
        native = peers.native(native_port)  # built first: nginx serves its tools/call bytes
        for key in chosen:
            port = native_port if key == "native" else free_port()
            if key == "native":
                peer = native
            elif key == "nginx":
                peer = peers.nginx_fixed(port, _native_reply(native, native_port, workdir), workdir)
            else:
                peer = getattr(peers, {"python": "python_backend"}.get(key, key))(port)
            print(f"{peer.name}:", flush=True)
            figures, samples = measure(peer, port, args, products, workdir)
            results["peers"][peer.name] = figures
            if samples is not None:
                latencies[peer.name] = samples
    native_figures = results["peers"].get(peers.NATIVE)
    if native_figures is not None:
        native_figures["edit_to_serve_s"] = edit_to_serve()
        results["loadgen_vs_wrk"] = native_figures.pop("loadgen_vs_wrk", None)
    results["ratios"] = report.ratios(results)
    paths = report.write(results, latencies, args.out)
    if not args.quick and args.out == HERE / "results" and set(chosen) == set(PEERS):
        if report.update_readme(HERE.parent / "README.md", results):
            paths.append(HERE.parent / "README.md")
    print()
    print(report.markdown(results))
    print("wrote " + ", ".join(map(str, paths)))


def _native_reply(native: peers.Peer, port: int, workdir: Path) -> bytes:
    """The native server's exact tools/call reply, for nginx to return."""
    proc, _ = start_and_time(native.argv, HOST, port, probe_request(port), log=workdir / "native-reply.log")
    try:
        return raw_reply(f"http://{HOST}:{port}/mcp", bench.mcp_body(*WEATHER))
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
