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
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conduit.loader import load_app  # noqa: E402
from conduit.serving import start_server  # noqa: E402

CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "weather", "arguments": {"city": "Paris"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def require(tool: str) -> str:
    path = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
    if path is None:
        sys.exit(f"{tool} not found: run benchmarks/setup.sh (installs wrk and nginx from Debian)")
    return path


def wrk(url: str, body: str, connections: int, duration: int, threads: int) -> dict[str, float]:
    """Run wrk with a POST body; return requests/s, latency percentiles (ms) and non-2xx count."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        headers = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in HEADERS.items())
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n{headers}')
    out = subprocess.run(
        [require("wrk"), f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = {p: _ms(re.search(rf"\s{p}%\s+([\d.]+\w+)", out).group(1)) for p in ("50", "99")}
    return {
        "rps": rps,
        "p50_ms": latency["50"],
        "p99_ms": latency["99"],
        "errors": int(errors.group(1)) if errors else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def start_nginx(body: bytes, port: int, workdir: Path) -> subprocess.Popen:
    literal = body.decode().replace("\\", "\\\\").replace("'", "\\'")
    conf = workdir / "nginx.conf"
    conf.write_text(
        textwrap.dedent(
            f"""
            worker_processes auto;
            daemon off;
            pid {workdir}/nginx.pid;
            error_log {workdir}/error.log;
            events {{ worker_connections 4096; }}
            http {{
                access_log off;
                keepalive_requests 1000000;
                server {{
                    listen 127.0.0.1:{port};
                    location = /mcp {{
                        default_type application/json;
                        return 200 '{literal}';
                    }}
                }}
            }}
            """
        )
    )
    proc = subprocess.Popen([require("nginx"), "-c", str(conf), "-e", str(workdir / "error.log")])
    for _ in range(100):
        try:
            httpx.post(f"http://127.0.0.1:{port}/mcp", content=b"{}", headers=HEADERS)
            return proc
        except httpx.TransportError:
            subprocess.run(["sleep", "0.05"])
    raise SystemExit("nginx did not start; see " + str(workdir / "error.log"))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
                    "conduit native": wrk(native.url, body, args.connections, args.duration, args.threads),
                    "nginx fixed body": wrk(
                        f"http://127.0.0.1:{port}/mcp", body, args.connections, args.duration, args.threads
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
