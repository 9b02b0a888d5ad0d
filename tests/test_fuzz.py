"""Hostile input over raw sockets: whatever a client sends, the server stays up and speaks HTTP.

Valid MCP requests of both eras (tests/fuzzing.py) mutated at the HTTP and JSON layers, sent to
the protocol app by each backend. Each answer must be well-formed HTTP/1.x (or the connection
closes), the process that started must still be the one serving (no crash, no restart by the
supervisor), and a good request right after is answered correctly. Bounded for the suite
(CONDUIT_FUZZ_EXAMPLES, default 400 natively and 40 for the SDK, whose server is ~100x slower);
benchmarks/fuzz.py runs the same generators for 100k+ cases.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fuzzing import Case, check_answers, exchange, hostile_requests, request_for, still_serving, valid_requests
from hypothesis import HealthCheck, given, settings

from conftest import serve_app

EXAMPLES = int(os.environ.get("CONDUIT_FUZZ_EXAMPLES", "400"))
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def examples(server) -> int:
    return EXAMPLES if server.backend == "native" else max(10, EXAMPLES // 10)


def settle(server) -> float:
    """How long to wait for answers before half-closing (see fuzzing.exchange)."""
    return 0.0 if server.backend == "native" else 0.3


def assert_same_process(server, pid: int) -> None:
    assert server.alive and server.pid == pid and not server.restarts, f"the server died: {server.status}"


def test_valid_requests_of_both_eras_are_answered(server):
    """The generators' starting points are good requests: each gets one JSON-RPC answer."""

    @settings(FUZZ, max_examples=max(20, examples(server) // 10))
    @given(valid_requests())
    def run(case: Case) -> None:
        answers = check_answers(exchange(server.host, server.port, case, settle=settle(server)))
        assert [a.status for a in answers] == [200], case.describe()
        reply = json.loads(answers[0].body)
        assert reply["id"] == json.loads(case.body)["id"]
        assert ("result" in reply) != ("error" in reply)

    run()


def test_hostile_requests_never_take_the_server_down(server):
    pid = server.pid

    @settings(FUZZ, max_examples=examples(server))
    @given(hostile_requests())
    def run(case: Case) -> None:
        check_answers(exchange(server.host, server.port, case, settle=settle(server)))
        assert_same_process(server, pid)
        still_serving(server.host, server.port, settle(server))

    run()


def raw(data: bytes) -> Case:
    return Case(raw=data)


GOOD = request_for("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, modern=False).encode()


# Each head, and the status codes of the native server's answers (the SDK's come from uvicorn/h11
# and differ in places: only their form is checked).
HEADS = {
    "signed-length": (GOOD.replace(b"Content-Length: ", b"Content-Length: +"), [400]),
    "length-and-chunked": (GOOD.replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: chunked\r\n\r\n"), [400]),
    "chunk-size-overflow": (
        GOOD.split(b"Content-Length")[0] + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\n",
        [413],
    ),
    "obs-fold": (GOOD.replace(b"Host: 127.0.0.1", b"Host: 127.0.0.1\r\n folded"), [400]),
    "bare-cr": (GOOD.replace(b"Host: 127.0.0.1", b"Host: 127.0\r.0.1"), [400]),
    "nul-in-header": (GOOD.replace(b"Host: 127.0.0.1", b"Host: 127.0.0.1\x00"), [400]),
    "absolute-form": (GOOD.replace(b"/mcp", b"http://127.0.0.1/mcp", 1), [200]),
    "http-1.0": (GOOD.replace(b"HTTP/1.1", b"HTTP/1.0", 1), [200]),
    "pipelined-then-garbage": (GOOD * 50 + b"\x16\x03\x01garbage\r\n\r\n", [200] * 50 + [400]),
}


@pytest.mark.parametrize("name", list(HEADS))
def test_each_kind_of_hostile_head(server, name):
    data, statuses = HEADS[name]
    pid = server.pid
    answers = check_answers(exchange(server.host, server.port, raw(data), settle=settle(server)))
    if server.backend == "native":
        assert [a.status for a in answers] == statuses
    assert_same_process(server, pid)
    still_serving(server.host, server.port, settle(server))


def test_pipelined_requests_are_answered_in_order(server):
    data = b"".join(
        request_for("tools/call", {"name": "add", "arguments": {"a": i, "b": 1}}, modern=False, id=i).encode()
        for i in range(20)
    )
    answers = check_answers(exchange(server.host, server.port, raw(data), settle=settle(server)))
    assert [json.loads(a.body)["id"] for a in answers] == list(range(20))
    assert [json.loads(a.body)["result"]["structuredContent"]["result"] for a in answers] == list(range(1, 21))


def python_answer(fn, *args) -> dict:
    """What CPython answers: the result, or the error's message."""
    try:
        return {"result": fn(*args)}
    except Exception as exc:  # noqa: BLE001 - the message is the answer
        return {"error": str(exc)}


INT64_MIN = -(2**63)
INT_CASES = [
    ("floordiv", {"a": INT64_MIN, "b": -1}, lambda a, b: a // b),
    ("floordiv", {"a": 7, "b": -2}, lambda a, b: a // b),
    ("mod", {"a": INT64_MIN, "b": -1}, lambda a, b: a % b),
    ("mod", {"a": 7, "b": -2}, lambda a, b: a % b),
    ("divmod", {"a": INT64_MIN, "b": -1}, lambda a, b: list(divmod(a, b))),
    ("divmod", {"a": 7, "b": -2}, lambda a, b: list(divmod(a, b))),
    ("divmod", {"a": 7, "b": 0}, lambda a, b: list(divmod(a, b))),
    ("neg", {"a": INT64_MIN}, lambda a: -a),
    ("abs", {"a": INT64_MIN}, lambda a: abs(a)),
    ("rshift", {"a": 1, "b": 64}, lambda a, b: a >> b),
    ("rshift", {"a": -1, "b": 100}, lambda a, b: a >> b),
    ("rshift", {"a": 5, "b": -1}, lambda a, b: a >> b),
    ("rshift", {"a": INT64_MIN, "b": 63}, lambda a, b: a >> b),
    ("lshift", {"a": 1, "b": 64}, lambda a, b: a << b),
    ("truncate", {"x": "NaN"}, lambda x: int(x)),
    ("truncate", {"x": "Infinity"}, lambda x: int(x)),
    ("truncate", {"x": "-Infinity"}, lambda x: int(x)),
    ("truncate", {"x": 1e30}, lambda x: int(x)),
    ("truncate", {"x": -2.5}, lambda x: int(x)),
]


@pytest.mark.parametrize("tool, arguments, python", INT_CASES, ids=[f"{t}{tuple(a.values())}" for t, a, _ in INT_CASES])
def test_int64_corners_answer_as_python(int_server, tool, arguments, python):
    """-2**63 // -1 and % -1 trap on the CPU, shifts take their count modulo 64, int(nan) is
    -2**63 there: each answer must be Python's (or Python's error), and the server stays up."""
    pid = int_server.pid
    values = [float(v) if isinstance(v, str) else v for v in arguments.values()]  # "NaN" -> nan
    expected = python_answer(python, *values)
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    )
    for name in ("NaN", "Infinity", "-Infinity"):  # sent as JSON's NaN literals, as json.dumps writes them
        body = body.replace(f'"{name}"', name)
    case = Case(headers=request_for("ping", None, modern=False).headers, body=body.encode())
    answers = check_answers(exchange(int_server.host, int_server.port, case, settle=settle(int_server)))
    assert_same_process(int_server, pid)
    result = json.loads(answers[0].body)["result"]
    if "error" in expected:
        assert result["isError"] is True and result["content"][0]["text"] == expected["error"], result
    else:
        assert result["isError"] is False and result["structuredContent"] == expected, result


@pytest.fixture(scope="module", params=[pytest.param("native", marks=pytest.mark.native), "python"])
def int_server(request):
    yield from serve_app(Path(__file__).parent / "apps" / "int_app.py", request.param)
