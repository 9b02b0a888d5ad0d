"""The slow path: tools that block run on the worker pool, and the event loops keep serving.

Behaviour, not timings (the machine is shared): a fast call made while slow calls are in flight
is answered before they are; a full pool answers 503 with a JSON-RPC error at once instead of
queueing; pooled calls answer like inline ones; a call past its time limit is answered with an
error result and its connection serves the next call; route handlers that block run on the pool
too. benchmarks/slow_path.py prints the latencies.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conduit.codegen import analyze_app
from conduit.loader import load_app
from conduit.serving import Supervisor
from conftest import serve_app

pytestmark = pytest.mark.native

APP = Path(__file__).parent / "apps" / "slow_app.py"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server() -> Iterator[Supervisor]:
    yield from serve_app(APP, "native")


def call(server: Supervisor, tool: str, arguments: dict, client: httpx.Client | None = None) -> httpx.Response:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    return (client or httpx).post(server.url, json=body, headers=HEADERS, timeout=60)


def test_conduit_sees_which_tools_block_and_blocking_says_otherwise() -> None:
    app = load_app(str(APP))
    code = analyze_app(app)
    assert {name: code.path(app.tools[name]) for name in app.tools} == {
        "add": "measured",
        "slow": "pool",  # time.sleep
        "crunch": "pool",  # blocking=True
        "nap": "inline",  # blocking=False, though it sleeps
        "spin": "measured",  # nothing in its text says it is slow
        "stall": "pool",
    }
    assert [code.route_blocks(i, r) for i, r in enumerate(app.routes)] == [True, False, True]


def test_a_tool_measured_slow_moves_to_the_pool_and_one_said_not_to_block_stays(server: Supervisor) -> None:
    assert call(server, "spin", {"ms": 50}).json()["result"]["structuredContent"] == {"result": 50}
    assert call(server, "nap", {"ms": 50}).json()["result"]["structuredContent"] == {"result": 50}
    with ThreadPoolExecutor(2) as pool, httpx.Client() as client:
        # two loops on this 2-core box: inline, two long spins would hold both
        held = [pool.submit(call, server, "spin", {"ms": 3000}), pool.submit(call, server, "spin", {"ms": 3000})]
        time.sleep(0.3)
        fast = call(server, "add", {"a": 1, "b": 2}, client)
        assert not any(f.done() for f in held), "the fast call waited for the spins"
        assert fast.json()["result"]["structuredContent"] == {"result": 3}
        assert all(f.result().json()["result"]["structuredContent"] == {"result": 3000} for f in held)
    log = server.logs(200)
    assert re.search(r"tool 'spin' took \d+\.\d ms of CPU on an event loop; its calls run on the worker pool", log)
    assert "tool 'nap'" not in log


def test_a_fast_call_is_answered_while_slow_ones_hold_the_pool(server: Supervisor) -> None:
    with ThreadPoolExecutor(2) as pool, httpx.Client() as client:
        # two slow calls: inline, they would hold both event loops of this 2-core machine
        slow = [pool.submit(call, server, "slow", {"ms": 3000}) for _ in range(2)]
        time.sleep(0.3)  # for them to reach the server; the margin is their remaining 2.7 s
        fast = [call(server, "add", {"a": i, "b": 1}, client) for i in range(5)]
        pending = [not f.done() for f in slow]
        assert [r.json()["result"]["structuredContent"]["result"] for r in fast] == [i + 1 for i in range(5)]
        assert all(pending), "the fast calls waited for the slow ones"
        assert [f.result().json()["result"]["structuredContent"] for f in slow] == [{"result": 3000}] * 2


def test_a_pooled_call_answers_as_an_inline_one(server: Supervisor) -> None:
    expected = load_app(str(APP)).tools["crunch"].fn(1000)  # CPython's answer
    assert call(server, "crunch", {"n": 1000}).json()["result"]["structuredContent"] == {"result": expected}
    bad = call(server, "crunch", {"n": "many"}).json()
    assert bad["error"]["code"] == -32602 and "'n'" in bad["error"]["message"]
    assert call(server, "nap", {"ms": 1}).json()["result"]["structuredContent"] == {"result": 1}


def test_a_full_pool_answers_503_at_once_and_serves_again_after(server: Supervisor) -> None:
    # pool_threads=2, pool_queue=3: three slow calls fill it, a fourth is refused.
    with ThreadPoolExecutor(3) as pool:
        held = [pool.submit(call, server, "slow", {"ms": 2000}) for _ in range(3)]
        time.sleep(0.3)
        refused = None
        for _ in range(50):  # until all three are on the pool (their requests may still be in flight)
            answer = call(server, "crunch", {"n": 10})
            if answer.status_code == 503:
                refused = answer
                break
        assert refused is not None, "the pool never filled"
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["code"] == -32000 and "busy" in refused.json()["error"]["message"]
        assert call(server, "add", {"a": 1, "b": 2}).json()["result"]["structuredContent"] == {"result": 3}
        assert all(f.result().status_code == 200 for f in held)
    assert call(server, "crunch", {"n": 10}).status_code == 200


def raw_exchange(sock: socket.socket, body: dict) -> dict:
    """One request on an open connection, and its answer (Content-Length framed)."""
    data = json.dumps(body).encode()
    head = (
        f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    sock.sendall(head.encode() + data)
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(65536) or pytest.fail("the server closed the connection")
    head_bytes, _, rest = buffer.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":")[1] for line in head_bytes.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    while len(rest) < length:
        rest += sock.recv(65536) or pytest.fail("the server closed the connection")
    return json.loads(rest[:length])


def test_a_call_past_its_time_limit_is_an_error_result_and_the_connection_serves_on(server: Supervisor) -> None:
    host, port = server.url.removeprefix("http://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        started = time.monotonic()
        timed_out = raw_exchange(
            sock,
            {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "stall", "arguments": {"ms": 5000}}},
        )
        waited = time.monotonic() - started
        good = raw_exchange(
            sock,
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {"name": "add", "arguments": {"a": 1, "b": 2}},
            },
        )
    assert timed_out["id"] == 1 and timed_out["result"]["isError"] is True
    text = timed_out["result"]["content"][0]["text"]
    assert "timed out" in text and "0.5 s" in text and "timeout=" in text
    assert waited < 3, "the timed-out call was answered only when the tool returned"  # it sleeps 5 s
    assert good["id"] == 2 and good["result"]["structuredContent"] == {"result": 3}


def test_a_slow_route_runs_on_the_pool_while_a_fast_route_and_a_tool_answer(server: Supervisor) -> None:
    base = server.url.removesuffix("/mcp")
    with ThreadPoolExecutor(2) as pool, httpx.Client() as client:
        slow = [pool.submit(httpx.get, f"{base}/slow/3000", timeout=30) for _ in range(2)]
        time.sleep(0.3)
        fast = [client.get(f"{base}/fast").json() for _ in range(3)]
        tool = call(server, "add", {"a": 2, "b": 2}, client).json()["result"]["structuredContent"]
        pending = [not f.done() for f in slow]
        assert fast == [{"fast": True}] * 3 and tool == {"result": 4}
        assert all(pending), "the fast route waited for the slow ones"
        assert [f.result().json() for f in slow] == [{"slept": 3000}] * 2


def test_a_route_past_its_time_limit_answers_504_and_head_gets_no_body(server: Supervisor) -> None:
    base = server.url.removesuffix("/mcp")
    with httpx.Client() as client:
        started = time.monotonic()
        stuck = client.get(f"{base}/stuck", timeout=30)
        assert time.monotonic() - started < 2.5, "the route was answered only when it returned"  # it sleeps 3 s
        assert stuck.status_code == 504 and stuck.json()["error"] == "Gateway Timeout"
        assert "timeout=" in stuck.json()["detail"]
        head = client.head(f"{base}/slow/10")
        assert head.status_code == 200 and head.content == b""
        assert client.get(f"{base}/fast").json() == {"fast": True}


def test_a_batch_that_cannot_fit_in_the_pool_is_refused_whole_with_503(server: Supervisor) -> None:
    # pool_queue=3: four pooled calls in one batch never fit; nothing of it runs
    items = [{"name": "slow", "arguments": {"ms": 10}}] * 4
    body = {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"batch": items}}
    refused = httpx.post(server.url, json=body, headers=HEADERS, timeout=30)
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.json()["id"] == 5 and refused.json()["error"]["code"] == -32000
    body["params"]["batch"] = items[:3]
    for _ in range(100):  # three fit once the calls timed out above have returned and freed their slots
        answer = httpx.post(server.url, json=body, headers=HEADERS, timeout=30)
        if answer.status_code != 503:
            break
        time.sleep(0.1)
    assert answer.json()["result"]["isError"] is False
