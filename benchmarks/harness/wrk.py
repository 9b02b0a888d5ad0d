"""wrk, the reference load generator (Debian package), run with a POST body; its figures parsed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Mapping

from .procs import require


def wrk(
    url: str, body: str, headers: Mapping[str, str], connections: int, duration: float, threads: int
) -> dict[str, float]:
    """Run wrk with a POST body; return requests/s, latency percentiles (ms) and non-2xx count."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        lua_headers = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n{lua_headers}')
    out = subprocess.run(
        [require("wrk"), f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency", "-s", script.name, url],
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
