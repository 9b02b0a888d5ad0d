"""A native GET route against nginx returning the same bytes as a fixed body, with wrk, in one run.

python benchmarks/routes/end_to_end.py [--connections 50] [--duration 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness.nginx import start_nginx  # noqa: E402
from harness.procs import free_port, require  # noqa: E402

from conduit.loader import load_app  # noqa: E402
from conduit.serving import start_server  # noqa: E402


def wrk_get(url: str, connections: int, duration: int, threads: int) -> tuple[float, int]:
    """requests/s and non-2xx responses of wrk's default GET."""
    out = subprocess.run(
        [require("wrk"), f"-t{threads}", f"-c{connections}", f"-d{duration}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), int(errors.group(1)) if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    app = load_app(str(Path(__file__).with_name("app.py")))
    native = start_server(app, app.settings.with_address("127.0.0.1", 0), "native")
    route = native.url.rsplit("/mcp", 1)[0] + "/weather/Paris"
    try:
        reply = httpx.get(route)
        assert reply.json() == {"city": "Paris", "temp": 72}, reply.text
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            nginx = start_nginx(reply.content, port, Path(tmp))
            try:
                fixed = f"http://127.0.0.1:{port}/mcp"
                assert httpx.get(fixed).content == reply.content, "nginx must serve the same bytes"
                results = {
                    "conduit GET /weather/:city": wrk_get(route, args.connections, args.duration, args.threads),
                    "nginx fixed body": wrk_get(fixed, args.connections, args.duration, args.threads),
                }
            finally:
                nginx.terminate()
                nginx.wait()
    finally:
        native.close()
    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, {len(reply.content)}-byte JSON body")
    for name, (rps, errors) in results.items():
        print(f"{name:>28}: {rps:>10,.0f} requests/s, {errors} non-2xx")
    ratio = results["conduit GET /weather/:city"][0] / results["nginx fixed body"][0]
    print(f"conduit / nginx: {ratio:.2f}")


if __name__ == "__main__":
    main()
