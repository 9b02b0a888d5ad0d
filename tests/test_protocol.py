"""The protocol suite: the same MCP behaviour from every backend.

Driven by the official SDK client (both eras: `mode="legacy"` with the initialize handshake and
`mode="2026-07-28"` with per-request envelopes) and by raw HTTP for headers, status codes and
bad input. After every kind of bad input the same server must answer the next request.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

MODES = ["legacy", "2026-07-28"]
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
MODERN = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
}


def with_client(server, mode: str, action):
    async def run():
        async with Client(server.url, mode=mode) as client:
            return await action(client)

    try:
        return asyncio.run(run())
    except BaseExceptionGroup as group:  # the client's task group wraps what the call raised
        while isinstance(group, BaseExceptionGroup) and len(group.exceptions) == 1:
            group = group.exceptions[0]
        raise group from None


def rpc(server, method: str, params: dict[str, Any] | None = None, *, id: Any = 1, headers=None, **kw):
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        body["params"] = params
    return httpx.post(server.url, json=body, headers={**HEADERS, **(headers or {})}, **kw)


def modern_rpc(server, method: str, params: dict[str, Any] | None = None, *, headers=None, name=None):
    base = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
    if name is not None:
        base["Mcp-Name"] = name
    return rpc(server, method, {**(params or {}), "_meta": META}, headers={**base, **(headers or {})})


def assert_still_serving(server) -> None:
    response = rpc(server, "tools/call", {"name": "add", "arguments": {"a": 2, "b": 3}})
    assert response.status_code == 200
    assert response.json()["result"]["structuredContent"] == {"result": 5}


# ---- the official client, both eras -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_client_lists_the_tools_with_their_schemas(server, mode):
    tools = with_client(server, mode, lambda c: c.list_tools()).tools
    by_name = {t.name: t for t in tools}
    assert set(by_name) == {"weather", "add", "divide", "echo", "fail", "stats", "pick"}
    weather = by_name["weather"]
    assert weather.description == "Get the current weather for a city."
    assert weather.input_schema["properties"]["city"] == {"type": "string", "description": 'City name, e.g. "Paris".'}
    assert weather.input_schema["required"] == ["city"]
    assert weather.annotations.read_only_hint is True
    assert by_name["add"].output_schema == {
        "type": "object",
        "properties": {"result": {"type": "integer"}},
        "required": ["result"],
    }
    assert by_name["pick"].input_schema["properties"]["mode"]["enum"] == ["fast", "slow"]


@pytest.mark.parametrize("mode", MODES)
def test_client_calls_a_tool_with_mixed_value_types(server, mode):
    result = with_client(server, mode, lambda c: c.call_tool("weather", {"city": "Paris"}))
    assert result.is_error is False
    assert result.structured_content == {"city": "Paris", "temp": 21, "units": "metric", "ok": True}
    assert json.loads(result.content[0].text) == result.structured_content
    assert result.content[0].text.startswith('{\n  "city": "Paris"')


@pytest.mark.parametrize("mode", MODES)
def test_typed_results_round_trip(server, mode):
    async def calls(c):
        return [
            await c.call_tool("add", {"a": 40, "b": 2}),
            await c.call_tool("echo", {"text": 'quote " backslash \\ tab \t newline \n é 🎉 \x01'}),
            await c.call_tool("stats", {"xs": [1, 2.5, 0.1]}),
            await c.call_tool("pick", {"mode": "slow", "weights": {"b": 1, "a": 2}}),
        ]

    add, echo, stats, pick = with_client(server, mode, calls)
    assert add.structured_content == {"result": 42} and add.content[0].text == "42"
    assert echo.structured_content == {"result": 'quote " backslash \\ tab \t newline \n é 🎉 \x01'}
    assert echo.content[0].text == 'quote " backslash \\ tab \t newline \n é 🎉 \x01'
    assert stats.structured_content == {"mean": (1 + 2.5 + 0.1) / 3, "max": 2.5}
    assert pick.structured_content == {"result": ["slow", "a", "b"]}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "name, arguments, message",
    [
        ("nope", {}, "Unknown tool: nope"),
        ("add", {"a": 1}, "Missing required argument 'b'"),
        ("add", {"a": 1, "b": "2"}, "Invalid argument 'b': expected integer"),
        ("add", {"a": 1.5, "b": 2}, "Invalid argument 'a': expected integer"),
        ("add", {"a": True, "b": 2}, "Invalid argument 'a': expected integer"),
        ("stats", {"xs": [1, "x"]}, "Invalid argument 'xs': expected array of number"),
        ("pick", {"mode": "medium"}, "Invalid argument 'mode': expected one of 'fast', 'slow'"),
        ("pick", {"mode": "fast", "weights": {"a": 1.5}}, "Invalid argument 'weights': expected object of integer"),
    ],
)
def test_bad_arguments_are_invalid_params_naming_the_parameter(server, mode, name, arguments, message):
    with pytest.raises(MCPError) as raised:
        with_client(server, mode, lambda c: c.call_tool(name, arguments))
    assert raised.value.error.code == -32602
    assert raised.value.error.message == message
    assert_still_serving(server)


@pytest.mark.parametrize("mode", MODES)
def test_a_tool_that_raises_is_an_error_result(server, mode):
    result = with_client(server, mode, lambda c: c.call_tool("fail", {"message": "the disk is full"}))
    assert result.is_error is True
    assert result.content[0].text == "the disk is full"
    assert_still_serving(server)


@pytest.mark.parametrize("mode", MODES)
def test_integer_division_by_zero_is_an_error_result(server, mode):
    result = with_client(server, mode, lambda c: c.call_tool("divide", {"a": 1, "b": 0}))
    assert result.is_error is True
    assert "division" in result.content[0].text and "zero" in result.content[0].text
    assert_still_serving(server)


@pytest.mark.parametrize("mode", MODES)
def test_floor_division_past_64_bits_is_pythons_answer_not_a_dead_server(server, mode):
    """-2**63 // -1 traps the CPU (SIGFPE) in 64-bit code; Python's answer is 2**63."""
    result = with_client(server, mode, lambda c: c.call_tool("divide", {"a": -(2**63), "b": -1}))
    assert result.is_error is False and result.structured_content == {"result": 2**63}
    assert with_client(server, mode, lambda c: c.call_tool("divide", {"a": 1, "b": 0})).content[0].text == (
        "integer division or modulo by zero"  # Python's words, natively
    )
    assert_still_serving(server)


# ---- revision 2025-11-25 over raw HTTP ----------------------------------------------------------


@pytest.mark.parametrize("asked, answered", [("2025-06-18", "2025-06-18"), ("1999-01-01", "2025-11-25")])
def test_initialize_negotiates_the_version(server, asked, answered):
    response = rpc(
        server,
        "initialize",
        {"protocolVersion": asked, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    )
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["protocolVersion"] == answered
    assert result["serverInfo"] == {"name": "protocol-test", "version": "1.2.3"}
    assert result["instructions"] == "Tools for the protocol suite."
    assert "tools" in result["capabilities"]
    assert "mcp-session-id" not in response.headers  # stateless by default


def test_notifications_are_accepted_without_a_body(server):
    response = httpx.post(server.url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=HEADERS)
    assert response.status_code == 202
    assert response.content == b""


def test_ping_and_string_ids(server):
    response = rpc(server, "ping", id="abc-1")
    assert response.json() == {"jsonrpc": "2.0", "id": "abc-1", "result": {}}


def test_get_is_method_not_allowed(server):
    assert httpx.get(server.url, headers=HEADERS).status_code == 405


def test_accept_without_both_types_is_406(server):
    response = rpc(server, "ping", headers={"Accept": "application/json"})
    assert response.status_code == 406
    assert_still_serving(server)


def test_wrong_content_type_is_415(server):
    response = httpx.post(
        server.url,
        content=b'{"jsonrpc":"2.0","id":1,"method":"ping"}',
        headers={**HEADERS, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert_still_serving(server)


@pytest.mark.parametrize(
    "headers, status",
    [({"Host": "evil.example:80"}, 421), ({"Origin": "http://evil.example"}, 403)],
)
def test_dns_rebinding_protection(server, headers, status):
    assert rpc(server, "ping", headers=headers).status_code == status
    assert rpc(server, "ping", headers={"Origin": f"http://localhost:{server.port}"}).status_code == 200


def test_malformed_json_is_a_parse_error(server):
    response = httpx.post(server.url, content=b'{"jsonrpc": "2.0", "id": 1, "method": ', headers=HEADERS)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700
    assert_still_serving(server)


@pytest.mark.parametrize("body", [b"[]", b'{"id": 1}', b'{"jsonrpc": "1.0", "id": 1, "method": "ping"}', b"42"])
def test_not_a_jsonrpc_request_is_invalid_request(server, body):
    response = httpx.post(server.url, content=body, headers=HEADERS)
    assert response.status_code == 400
    # The SDK reports a malformed envelope as -32602 where JSON-RPC says -32600 (Invalid Request).
    assert response.json()["error"]["code"] == (-32600 if server.backend == "native" else -32602)
    assert_still_serving(server)


def test_unknown_method_is_method_not_found(server):
    response = rpc(server, "tools/destroy")
    assert response.json()["error"]["code"] == -32601
    assert_still_serving(server)


def test_body_over_the_limit_is_413(server):
    big = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "x" * (2 << 20)}},
        }
    )
    response = httpx.post(server.url, content=big, headers=HEADERS)
    assert response.status_code == 413
    assert_still_serving(server)


def raw_exchange(server, data: bytes, until_close: bool = True) -> bytes:
    """Send `data`, read until the server closes (or, not `until_close`, one whole response)."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while until_close or not _whole_response(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received


def _whole_response(data: bytes) -> bool:
    head, found, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(found) and length is not None and len(body) >= int(length.group(1))


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"NONSENSE\r\n\r\n", b"400"),
        (b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Line\r\n\r\n", b"400"),
        (b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", b"431"),
    ],
)
def test_malformed_or_oversized_heads_close_the_connection(server, request_bytes, status):
    python_431 = server.backend == "python" and status == b"431"
    # uvicorn has no head-size limit: the request reaches the Accept check, and its keep-alive
    # connection stays open (for idle_timeout) like any other
    answer = raw_exchange(server, request_bytes, until_close=not python_431)
    if python_431:
        status = b"406"
    assert answer.split(b" ", 2)[1] == status
    assert_still_serving(server)


# ---- revision 2026-07-28 over raw HTTP -----------------------------------------------------------


def test_discover_describes_the_server(server):
    response = modern_rpc(server, "server/discover")
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["supportedVersions"] == [MODERN]
    assert result["resultType"] == "complete"
    assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "protocol-test"


def test_modern_tools_list_is_cacheable(server):
    result = modern_rpc(server, "tools/list").json()["result"]
    assert result["resultType"] == "complete"
    assert result["ttlMs"] == 0 and "cacheScope" in result
    assert len(result["tools"]) == 7


@pytest.mark.parametrize(
    "headers, code",
    [
        ({"Mcp-Method": "tools/list"}, -32020),
        ({"Mcp-Name": "echo"}, -32020),
    ],
)
def test_modern_header_mismatch(server, headers, code):
    response = modern_rpc(
        server, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, headers=headers, name="add"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert_still_serving(server)


def test_modern_request_without_envelope_is_invalid_params(server):
    response = rpc(server, "tools/list", {}, headers={"MCP-Protocol-Version": MODERN, "Mcp-Method": "tools/list"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32602


def test_modern_removed_methods_are_not_found(server):
    response = modern_rpc(server, "ping")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == -32601


def test_modern_call_carries_result_type(server):
    response = modern_rpc(server, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}, name="add")
    result = response.json()["result"]
    assert result["structuredContent"] == {"result": 3}
    assert result["resultType"] == "complete"


# ---- sessions (Conduit(..., sessions=True)) -----------------------------------------------------


def test_sessions_issue_require_and_end_an_id(session_server):
    init = rpc(
        session_server,
        "initialize",
        {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    )
    session = init.headers["mcp-session-id"]
    assert len(session) >= 32
    assert rpc(session_server, "ping").status_code == 400
    assert rpc(session_server, "ping", headers={"Mcp-Session-Id": "unknown"}).status_code == 404
    assert rpc(session_server, "ping", headers={"Mcp-Session-Id": session}).status_code == 200
    assert httpx.delete(session_server.url, headers={**HEADERS, "Mcp-Session-Id": session}).status_code == 200
    assert rpc(session_server, "ping", headers={"Mcp-Session-Id": session}).status_code == 404


def test_sessions_work_with_the_official_client(session_server):
    result = with_client(session_server, "legacy", lambda c: c.call_tool("add", {"a": 2, "b": 2}))
    assert result.structured_content == {"result": 4}
