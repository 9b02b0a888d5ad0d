"""Batched calls: `tools/call` with `params.batch`, and JSON-RPC batch arrays (2025-03-26 only).

A batch is answered once, each call's result in its slot, in order; one failing call never fails
the others; its slow calls run side by side on the worker pool (each slow item reports when it
ran, so overlap is shown without timing the test). Driven by raw HTTP (both eras) and by the
official SDK client, which has no batch method but sends one as a custom request and validates
the answer as a CallToolResult. Both backends (the python one adds batches in front of the SDK:
conduit/python_backend/batch.py). benchmarks/batch.py prints the speed-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
import mcp.types as types
import pytest
from mcp import Client

from conduit.serving import Supervisor
from conftest import BACKENDS, serve_app

APP = Path(__file__).parent / "apps" / "batch_app.py"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
MODERN = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
MODES = ["legacy", MODERN]


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Supervisor]:
    yield from serve_app(APP, request.param)


def post(server: Supervisor, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(server.url, json=body, headers={**HEADERS, **(headers or {})}, timeout=30)


def batch_call(server: Supervisor, items: list[dict], mode: str = "legacy") -> httpx.Response:
    params: dict[str, Any] = {"batch": items}
    headers = {}
    if mode == MODERN:
        params["_meta"] = META
        headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/call"}
    return post(server, {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}, headers)


def results(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["isError"] is False
    return result["structuredContent"]["results"]


# ---- params.batch --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_batch_answers_every_call_in_order_and_a_failing_one_only_in_its_slot(server, mode) -> None:
    answer = results(
        batch_call(
            server,
            [
                {"name": "add", "arguments": {"a": 1, "b": 2}},
                {"name": "boom", "arguments": {"message": "out of coffee"}},
                {"name": "slow", "args": {"ms": 50}},  # "args": the announced spelling
                {"name": "nope", "arguments": {}},
                {"name": "add", "arguments": {"a": "one"}},
                {"name": "add", "arguments": {"a": 40, "b": 2}},
            ],
            mode,
        )
    )
    assert len(answer) == 6
    assert answer[0]["structuredContent"] == {"result": 3} and answer[0]["isError"] is False
    assert answer[1]["isError"] is True and answer[1]["content"][0]["text"] == "out of coffee"
    assert answer[2]["isError"] is False and len(answer[2]["structuredContent"]["result"]) == 2
    assert answer[3]["isError"] is True and answer[3]["error"] == {"code": -32602, "message": "Unknown tool: nope"}
    assert answer[4]["error"]["code"] == -32602 and "'a'" in answer[4]["error"]["message"]
    assert answer[5]["structuredContent"] == {"result": 42}


def test_the_slow_calls_of_a_batch_run_side_by_side(server) -> None:
    answer = results(batch_call(server, [{"name": "slow", "arguments": {"ms": 400}}] * 3))
    spans = [item["structuredContent"]["result"] for item in answer]
    # each started before any of them ended: they ran at the same time, not one after another
    assert max(start for start, _ in spans) < min(end for _, end in spans), spans


def test_a_call_past_its_time_limit_is_timed_out_in_its_slot_and_the_others_answer(server) -> None:
    answer = results(
        batch_call(
            server,
            [
                {"name": "stall", "arguments": {"ms": 3000}},
                {"name": "slow", "arguments": {"ms": 10}},
                {"name": "add", "arguments": {"a": 1, "b": 1}},
            ],
        )
    )
    assert answer[0]["isError"] is True and "timed out" in answer[0]["content"][0]["text"]
    assert "timeout=" in answer[0]["content"][0]["text"]  # which limit to raise
    assert answer[1]["isError"] is False and answer[2]["structuredContent"] == {"result": 2}


@pytest.mark.parametrize(
    ("batch", "says"),
    [
        ({"name": "add"}, "must be a list"),
        ([], "is empty"),
        ([{"name": "add", "arguments": {"a": 1, "b": 1}}] * 65, "more than the 64"),
    ],
)
def test_a_malformed_batch_is_invalid_params_and_the_server_serves_on(server, batch, says) -> None:
    error = post(server, {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"batch": batch}}).json()[
        "error"
    ]
    assert error["code"] == -32602 and says in error["message"]
    assert results(batch_call(server, [{"name": "add", "arguments": {"a": 1, "b": 1}}]))[0]["structuredContent"] == {
        "result": 2
    }


class BatchParams(types.RequestParams):
    batch: list[dict[str, Any]]


class BatchCall(types.Request[BatchParams, Literal["tools/call"]]):
    """How an SDK client sends a batch: the SDK has no method for it, any request type will do."""

    method: Literal["tools/call"] = "tools/call"
    params: BatchParams


@pytest.mark.parametrize("mode", MODES)
def test_the_official_client_sends_a_batch_and_reads_its_results(server, mode) -> None:
    items = [{"name": "add", "arguments": {"a": 2, "b": 3}}, {"name": "boom", "arguments": {"message": "no"}}]

    async def run() -> types.CallToolResult:
        async with Client(server.url, mode=mode) as client:
            return await client.session.send_request(BatchCall(params=BatchParams(batch=items)), types.CallToolResult)

    result = asyncio.run(run())  # validated by the SDK as a CallToolResult
    slots = [types.CallToolResult.model_validate(r) for r in result.structured_content["results"]]
    assert slots[0].structured_content == {"result": 5} and not slots[0].is_error
    assert slots[1].is_error and slots[1].content[0].text == "no"


@pytest.mark.parametrize("mode", MODES)
def test_the_official_client_gets_a_timed_out_call_and_then_a_good_one_on_the_same_session(server, mode) -> None:
    async def run():
        async with Client(server.url, mode=mode) as client:
            return await client.call_tool("stall", {"ms": 3000}), await client.call_tool("add", {"a": 1, "b": 2})

    timed_out, good = asyncio.run(run())
    assert timed_out.is_error and "timed out" in timed_out.content[0].text
    assert good.structured_content == {"result": 3}


def test_a_cpython_call_past_its_limit_is_timed_out_and_the_next_cpython_call_answers(server) -> None:
    def call(ms: int) -> dict:
        body = message(1, "tools/call", {"name": "py_stall", "arguments": {"ms": ms}})
        return post(server, body).json()["result"]

    timed_out = call(3000)
    assert timed_out["isError"] is True and "timed out" in timed_out["content"][0]["text"]
    assert call(10)["structuredContent"] == {"result": 10}  # a fresh connection to the worker
    answer = results(
        batch_call(
            server, [{"name": "py_stall", "arguments": {"ms": 3000}}, {"name": "py_stall", "arguments": {"ms": 10}}]
        )
    )
    assert answer[0]["isError"] is True and answer[1]["structuredContent"] == {"result": 10}


# ---- JSON-RPC batch arrays -------------------------------------------------------------------------


def message(id: Any, method: str, params: dict | None = None) -> dict:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        body["params"] = params
    return body


@pytest.mark.parametrize("header", [None, "2025-03-26"])  # no header: the spec says assume 2025-03-26
def test_a_batch_array_on_2025_03_26_gets_an_array_of_responses_in_order(server, header) -> None:
    array = [
        message(1, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},  # a notification: no response
        message("s", "tools/call", {"name": "slow", "arguments": {"ms": 100}}),  # answered by the pool
        message(3, "ping"),
        message(4, "no/such/method"),
        5,  # not a request
    ]
    response = post(server, array, {"MCP-Protocol-Version": header} if header else None)
    assert response.status_code == 200
    answers = response.json()
    assert [a["id"] for a in answers] == [1, "s", 3, 4, None]
    assert answers[0]["result"]["structuredContent"] == {"result": 3}
    assert answers[1]["result"]["isError"] is False
    assert answers[2]["result"] == {}
    assert answers[3]["error"]["code"] == -32601
    assert answers[4]["error"]["code"] == -32600


def test_a_batch_array_of_notifications_only_is_accepted_with_no_body(server) -> None:
    response = post(server, [{"jsonrpc": "2.0", "method": "notifications/initialized"}] * 2)
    assert response.status_code == 202 and response.content == b""


def test_an_empty_batch_array_is_an_invalid_request(server) -> None:
    response = post(server, [])
    assert response.status_code == 400
    # The SDK reports a malformed envelope as -32602 where JSON-RPC says -32600 (test_protocol.py).
    assert response.json()["error"]["code"] == (-32600 if server.backend == "native" else -32602)


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25", MODERN])
def test_a_batch_array_is_refused_in_the_revisions_that_removed_it(server, version) -> None:
    response = post(server, [message(1, "ping"), message(2, "ping")], {"MCP-Protocol-Version": version})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == -32600 and "2025-03-26" in error["message"] and version in error["message"]
    assert post(server, message(3, "ping")).json()["result"] == {}
