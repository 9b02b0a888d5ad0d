"""Measure a running server: every request's latency, from a native load generator.

    from conduit import bench

    result = bench.run("http://127.0.0.1:8080/mcp", "weather", {"city": "Paris"},
                       requests=10_000, connections=50)
    print(result.p50, result.p99, result.requests_per_second)
    result                        # in a notebook: the figures, a histogram and the CDF
    result.compare(previous)      # the same, drawn over an earlier run

`run` is what `%conduit_bench` and `conduit bench` call. Load comes from a Codon program
(loadgen.codon) built once and cached like any Conduit build: N keep-alive connections on epoll,
one request in flight per connection (no pipelining), latency recorded per request in ns.
numpy and matplotlib are needed here (`pip install conduit-mcp[dev]`), nowhere else in Conduit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._check import mcp_call
from ._loadgen import Target, http_request, loadgen_binary, run_load
from ._result import BenchResult, latency_figure

__all__ = ["MCP_HEADERS", "BenchResult", "latency_figure", "loadgen_binary", "mcp_body", "mcp_call", "run", "run_http"]

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def mcp_body(tool: str | None = None, args: Mapping[str, Any] | None = None) -> bytes:
    """The JSON-RPC request: tools/call of `tool` with `args`, or tools/list when no tool is given."""
    if tool is None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    else:
        params = {"name": tool, "arguments": dict(args or {})}
        message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}
    return json.dumps(message, separators=(",", ":")).encode()


def run(
    url: str,
    tool: str | None = None,
    args: Mapping[str, Any] | None = None,
    requests: int = 10_000,
    connections: int = 50,
    duration: float | None = None,
    *,
    threads: int = 1,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
    label: str = "",
) -> BenchResult:
    """Benchmark an MCP server's tools/call of `tool` (tools/list if `tool` is None).

    Args:
        url: the server's MCP endpoint, e.g. "http://127.0.0.1:8080/mcp".
        tool: the tool to call; None measures tools/list.
        args: the tool's arguments.
        requests: how many requests in all (ignored when `duration` is given).
        connections: keep-alive connections, each with one request in flight.
        duration: run for this many seconds instead of a request count.
        threads: load generator threads (each an epoll loop). One keeps up with wrk on 2 cores.
        timeout: seconds a request may take before it counts as an error.
        headers: extra HTTP headers (e.g. Authorization, Mcp-Session-Id).
        label: the name this run carries in tables and plot legends.

    Raises:
        ConduitError: the server is unreachable, or its answer to one trial request, sent
            before the load, is an error (an unknown tool, bad arguments, a failing tool).

    Example:
        ```python
        result = bench.run(server.url, "weather", {"city": "Paris"}, requests=10_000, connections=50)
        ```
    """
    body = mcp_body(tool, args)
    all_headers = {**MCP_HEADERS, **(headers or {})}
    mcp_call(url, body, all_headers, timeout)
    return run_http(
        url,
        body,
        headers=all_headers,
        requests=requests,
        connections=connections,
        duration=duration,
        threads=threads,
        timeout=timeout,
        label=label,
    )


def run_http(
    url: str,
    body: bytes = b"",
    *,
    method: str = "POST",
    headers: Mapping[str, str] | None = None,
    requests: int = 10_000,
    connections: int = 50,
    duration: float | None = None,
    threads: int = 1,
    timeout: float = 10.0,
    label: str = "",
) -> BenchResult:
    """Benchmark any HTTP endpoint with one fixed request (method, headers, body)."""
    target = Target.from_url(url)
    measured = run_load(
        target,
        http_request(target, method, body, headers or {}),
        connections=connections,
        requests=0 if duration else requests,
        duration=duration,
        timeout=timeout,
        threads=threads,
    )
    return BenchResult(
        latencies_ns=measured.latencies_ns,
        errors=measured.errors,
        elapsed_s=measured.elapsed_s,
        connections=connections,
        label=label,
        url=url,
        connect_errors=measured.connect_errors,
    )
