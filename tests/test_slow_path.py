"""The slow path: tools that block run on the worker pool, and the event loops keep serving.

Behaviour, not timings (the machine is shared): a fast call made while slow calls are in flight
is answered before they are; a full pool answers 503 with a JSON-RPC error at once instead of
queueing; pooled calls answer like inline ones. benchmarks/slow_path.py prints the latencies.
"""

from __future__ import annotations

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
    }


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
    assert "tool 'spin' took 50." in log and "run on the worker pool from now on" in log
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
