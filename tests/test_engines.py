"""One server, two engines: native tools, tools CPython runs, and calls a native tool hands over.

The native front end serves every tool; a tool that cannot run natively with Python's meaning (or
one marked native=False) is answered by the CPython worker the supervisor keeps beside the server,
and so is a native call that meets something only CPython computes as Python does (an integer
beyond 64 bits, text beyond ASCII in a case mapping). Every answer is Python's.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from conduit.serving import Supervisor
from conftest import APPS, serve_app

pytestmark = pytest.mark.native
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server() -> Iterator[Supervisor]:
    yield from serve_app(APPS / "engines_app.py", "native")


def call(server: Supervisor, tool: str, arguments: dict, timeout: float = 30) -> dict:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    return httpx.post(server.url, json=body, headers=HEADERS, timeout=timeout).json()["result"]


def value(result: dict):
    assert not result["isError"], result
    return result["structuredContent"]["result"]


def test_each_tool_has_its_engine_and_reason(server: Supervisor) -> None:
    engines = server.engines  # type: ignore[attr-defined]
    assert engines["add"].native and engines["power_of_two"].native and engines["shout"].native
    assert not engines["pretty"].native and "json" in engines["pretty"].reason
    assert engines["pretty"].file and engines["pretty"].file.endswith("engines_app.py")
    assert not engines["slow_python"].native and "native=False" in engines["slow_python"].reason


def test_native_answers_and_handed_over_answers_are_pythons(server: Supervisor) -> None:
    assert value(call(server, "add", {"a": 2, "b": 3})) == 5
    assert value(call(server, "power_of_two", {"n": 10})) == 1024
    assert value(call(server, "power_of_two", {"n": 64})) == 2**64  # past 64 bits: CPython's answer
    assert value(call(server, "power_of_two", {"n": 200})) == 2**200
    assert value(call(server, "shout", {"text": "abc"})) == "\u2713 ABC"
    assert value(call(server, "shout", {"text": "straße"})) == "\u2713 STRASSE"  # Unicode: CPython's
    assert value(call(server, "pretty", {"document": '{"b": 1, "a": [1, 2]}'})) == json.dumps(
        {"a": [1, 2], "b": 1}, indent=1, sort_keys=True
    )


@pytest.mark.parametrize("version", ["HTTP/1.1", "HTTP/1.0"])
def test_a_python_tool_answers_a_request_that_closes_its_connection(server: Supervisor, version: str) -> None:
    """`Connection: close` (urllib's way) or HTTP/1.0: the answer comes from the worker after
    the request was read, and the connection closes only once it is written."""
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "slow_python", "arguments": {"ms": 20}}}
    ).encode()
    head = (
        f"POST /mcp {version}\r\nHost: {server.host}:{server.port}\r\nConnection: close\r\n"
        f"Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(head.encode() + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    status, _, payload = received.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 200"), received[:200]
    assert value(json.loads(payload)["result"]) == 20


def test_a_python_tool_error_is_its_result(server: Supervisor) -> None:
    result = call(server, "pretty", {"document": "{not json"})
    assert result["isError"] and "Expecting property name" in result["content"][0]["text"]


def test_native_tools_answer_while_python_tools_are_busy(server: Supervisor) -> None:
    with ThreadPoolExecutor(8) as pool:
        slow = [pool.submit(call, server, "slow_python", {"ms": 400}) for _ in range(4)]
        time.sleep(0.05)
        started = time.perf_counter()
        assert value(call(server, "add", {"a": 1, "b": 1})) == 2
        fast = time.perf_counter() - started
        assert [value(f.result()) for f in slow] == [400] * 4
    assert fast < 0.3  # not behind the 400 ms Python calls


def test_a_crashed_worker_is_started_again_and_native_tools_never_notice(server: Supervisor) -> None:
    result = call(server, "kill_worker", {})
    assert result["isError"] and "CPython worker" in result["content"][0]["text"]
    assert value(call(server, "add", {"a": 4, "b": 5})) == 9
    assert value(call(server, "power_of_two", {"n": 70})) == 2**70  # the worker is back
