"""Drive the native load generator (loadgen.codon): build it once through the cache, run it, read its output.

The generator is a Codon program like the servers, so it is built by `toolchain.build` and cached
by content: the first benchmark on a machine compiles it (a few seconds), every later one reuses it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from .. import toolchain
from ..errors import ConduitError

SOURCE = Path(__file__).resolve().parent / "loadgen.codon"
BINARY_NAME = "loadgen"


def loadgen_binary() -> Path:
    """The built load generator (compiled on first use, then a cache hit)."""
    return toolchain.build(SOURCE.read_text(), name=BINARY_NAME).binary


@dataclass(frozen=True)
class Target:
    """Where the load goes: a numeric address for the socket, and the Host header and path for HTTP."""

    address: str
    port: int
    host_header: str
    path: str

    @classmethod
    def from_url(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ConduitError(f"cannot benchmark {url!r}: give an http:// URL, e.g. http://127.0.0.1:8080/mcp")
        port = parts.port or 80
        address = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)[0][4][0]
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return cls(address, port, parts.netloc, path)


def http_request(target: Target, method: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    """The raw HTTP/1.1 request every connection sends, again and again (keep-alive)."""
    lines = [f"{method} {target.path} HTTP/1.1", f"Host: {target.host_header}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass(frozen=True)
class Run:
    """What one load generator run measured: each successful request's latency, and the failures."""

    latencies_ns: np.ndarray
    errors: int
    connect_errors: int
    elapsed_s: float


def run_load(
    target: Target,
    request: bytes,
    *,
    connections: int,
    requests: int,
    duration: float | None,
    timeout: float,
    threads: int,
) -> Run:
    """Run the generator to completion; `requests=0` with a `duration` runs for that long."""
    if connections < 1 or requests < 0 or (requests == 0 and not duration):
        raise ConduitError("a benchmark needs connections >= 1 and a request count or a duration")
    binary = loadgen_binary()
    with tempfile.TemporaryDirectory(prefix="conduit-bench-") as tmp:
        request_file, out_file = Path(tmp) / "request", Path(tmp) / "latencies"
        request_file.write_bytes(request)
        argv = [
            str(binary),
            target.address,
            str(target.port),
            str(request_file),
            str(out_file),
            str(connections),
            str(requests),
            str(round((duration or 0) * 1000)),
            str(round(timeout * 1000)),
            str(threads),
        ]
        # Codon's runtime library embeds OpenBLAS, whose thread pool starts with the process and
        # spins on the cores the server needs; the generator uses no BLAS (perf showed it).
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env)
        if proc.returncode != 0:
            raise ConduitError(f"the load generator failed ({proc.returncode}): {proc.stderr.strip()}")
        summary = json.loads(proc.stdout.strip().splitlines()[-1])
        latencies = np.fromfile(out_file, dtype="<i8")
    return Run(latencies, summary["errors"], summary["connect_errors"], summary["elapsed_ns"] / 1e9)
