"""Generator tools: items go out as they are yielded, the result carries them all, and a client
that leaves (or cancels) stops the generator.

With the official SDK client in both protocol eras, and over raw sockets for the wire format
and the disconnect. Ordering, not timings: a test sees an item's progress event before the tool
has produced its next item (the tool sleeps between items and records how many it produced).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client

from conduit.loader import load_app
from conduit.serving import Supervisor
from conftest import BACKENDS, serve_app

APP = Path(__file__).parent / "apps" / "stream_app.py"
MODES = ["legacy", "2026-07-28"]
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Supervisor]:
    yield from serve_app(APP, request.param)


def run(server: Supervisor, mode: str, action, **client_options):
    async def main():
        async with Client(server.url, mode=mode, **client_options) as client:
            return await action(client)

    try:
        return asyncio.run(main())
    except BaseExceptionGroup as group:
        while isinstance(group, BaseExceptionGroup) and len(group.exceptions) == 1:
            group = group.exceptions[0]
        raise group from None


def produced(path: Path) -> int:
    """How many items the tool has produced: it appends a byte per item."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def test_a_generator_tool_lists_as_a_list_tool() -> None:
    app = load_app(str(APP))
    search = app.tools["search"].definition()
    assert search["outputSchema"] == {
        "type": "object",
        "properties": {
            "result": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}}}
        },
        "required": ["result"],
    }
    assert "outputSchema" not in app.tools["count"].definition()  # no annotation: content only


@pytest.mark.parametrize("mode", MODES)
def test_items_reach_the_progress_callback_before_the_tool_finishes(server: Supervisor, mode: str, tmp_path: Path):
    path = tmp_path / "ticks"
    seen: list[tuple[float, str | None, int]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message, produced(path)))

    async def call(client):
        return await client.call_tool("ticks", {"n": 4, "ms": 300, "path": str(path)}, progress_callback=on_progress)

    result = run(server, mode, call)
    items = result.structured_content["result"]
    assert len(items) == 4 and items == sorted(items)
    assert [p for p, _, _ in seen] == [1, 2, 3, 4]
    assert [json.loads(m) for _, m, _ in seen] == items  # each item in its event's message
    # the first item arrived while the tool was still sleeping before its second
    assert seen[0][2] == 1, f"the first item came after the tool had produced {seen[0][2]}"


@pytest.mark.parametrize("mode", MODES)
def test_without_a_token_the_same_result(server: Supervisor, mode: str):
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)

    async def calls(client):
        plain = await client.call_tool("search", {"q": "x", "n": 3, "ms": 10})
        streamed = await client.call_tool("search", {"q": "x", "n": 3, "ms": 10}, progress_callback=on_progress)
        untyped = await client.call_tool("count", {"n": 3})
        return plain, streamed, untyped

    plain, streamed, untyped = run(server, mode, calls)
    expected = [{"doc": "x-0"}, {"doc": "x-1"}, {"doc": "x-2"}]
    assert plain.structured_content == {"result": expected}
    assert plain.model_dump() == streamed.model_dump()
    assert json.loads(plain.content[0].text) == expected and len(plain.content) == 1
    assert seen == [1, 2, 3]
    assert untyped.structured_content is None and json.loads(untyped.content[0].text) == [0, 1, 2]


@pytest.mark.parametrize("mode", MODES)
def test_cancelling_the_call_stops_the_generator(server: Supervisor, mode: str, tmp_path: Path):
    path = tmp_path / "ticks"
    first = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        first.set()

    async def call_and_cancel(client):
        async with anyio.create_task_group() as tg:

            async def call() -> None:
                await client.call_tool("ticks", {"n": 100, "ms": 100, "path": str(path)}, progress_callback=on_progress)

            tg.start_soon(call)
            with anyio.fail_after(20):
                await first.wait()
            tg.cancel_scope.cancel()
        await anyio.sleep(0.5)  # for the cancel to reach the server
        at_cancel = produced(path)
        await anyio.sleep(1.0)  # ten more ticks' time
        return at_cancel, produced(path), await client.call_tool("add", {"a": 1, "b": 2})

    at_cancel, later, still = run(server, mode, call_and_cancel)
    assert 1 <= at_cancel < 100
    assert later <= at_cancel + 1, f"the generator went on after the cancel: {at_cancel} -> {later}"
    assert still.structured_content == {"result": 3}


@pytest.mark.parametrize("mode", MODES)
def test_progress_and_log_from_any_tool_reach_the_client(server: Supervisor, mode: str):
    reported: list[tuple[float, float | None, str | None]] = []
    logged: list[tuple[str, object]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reported.append((progress, total, message))

    async def on_log(params) -> None:
        logged.append((params.level, params.data))

    async def call(client):
        return await client.call_tool("index", {"paths": ["a", "b"]}, progress_callback=on_progress)

    result = run(server, mode, call, logging_callback=on_log, log_level="info")
    assert result.structured_content == {"result": 2}
    assert reported == [(1, 2, "indexed a"), (2, 2, "indexed b")]
    # the handshake era sends every level; at 2026-07-28 the client asked for info and above
    expected = [("info", "indexing a"), ("info", "indexing b")] + ([("debug", "done")] if mode == "legacy" else [])
    assert logged == expected


@pytest.mark.filterwarnings("ignore:The logging capability is deprecated")  # at 2026-07-28; this is the handshake era
def test_a_handshake_era_client_chooses_its_log_level_with_set_level(server: Supervisor):
    logged: list[tuple[str, object]] = []

    async def on_log(params) -> None:
        logged.append((params.level, params.data))

    async def call(client):
        assert client.server_capabilities.logging is not None  # servers that log declare it
        await client.set_logging_level("info")
        return await client.call_tool("index", {"paths": ["a", "b"]})

    assert run(server, "legacy", call, logging_callback=on_log).structured_content == {"result": 2}
    assert logged == [("info", "indexing a"), ("info", "indexing b")]  # no debug "done"


def test_an_unknown_log_level_is_invalid_params_and_the_session_serves_on(server: Supervisor):
    headers = {**HEADERS, **session_headers(server)}
    body = {"jsonrpc": "2.0", "id": 3, "method": "logging/setLevel", "params": {"level": "loud"}}
    assert answer(server, body, headers)["error"]["code"] == -32602
    call = {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "index", "arguments": {"paths": []}}}
    assert answer(server, call, headers)["result"]["structuredContent"] == {"result": 0}


def answer(server: Supervisor, body: dict, headers: dict[str, str]) -> dict:
    """The JSON-RPC response to `body`, sent as JSON or as the last event of an SSE reply (the
    python backend answers SSE for an app with generator tools)."""
    r = httpx.post(server.url, json=body, headers=headers)
    if r.headers["content-type"].startswith("text/event-stream"):
        data = [line[6:] for line in r.text.replace("\r\n", "\n").split("\n") if line.startswith("data: {")]
        return json.loads(data[-1])
    return r.json()


def test_without_a_token_or_a_log_level_a_reporting_tool_just_answers(server: Supervisor):
    async def call(client):
        return await client.call_tool("index", {"paths": ["a", "b", "c"]})

    assert run(server, "2026-07-28", call).structured_content == {"result": 3}


@pytest.mark.parametrize("mode", MODES)
def test_a_generator_that_raises_sent_its_items_and_answers_with_the_error(server: Supervisor, mode: str):
    seen: list[str | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message)

    async def call(client):
        return await client.call_tool("partial", {"n": 2}, progress_callback=on_progress)

    result = run(server, mode, call)
    assert result.is_error and result.content[0].text == "gave up after 2"
    assert seen == ["0", "1"]


@pytest.mark.parametrize("mode", MODES)
def test_a_generator_cpython_runs_answers_with_all_its_items(server: Supervisor, mode: str):
    seen: list[str | None] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message)

    async def call(client):
        return await client.call_tool("words", {"text": "a b c"}, progress_callback=on_progress)

    assert run(server, mode, call).structured_content == {"result": ["a", "b", "c"]}
    # Behind the native server the CPython worker answers a call whole: no items on the way
    # (a known limit); the python backend streams them.
    assert seen == ([] if server.backend == "native" else ['"a"', '"b"', '"c"'])


# ---- raw sockets: the wire format, and a client that goes away -----------------------------------


def raw_call(server: Supervisor, params: dict, headers: dict[str, str] | None = None) -> socket.socket:
    host, port = httpx.URL(server.url).host, httpx.URL(server.url).port
    body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}).encode()
    head = {**HEADERS, "Host": f"{host}:{port}", "Content-Length": str(len(body)), **(headers or {})}
    sock = socket.create_connection((host, port), timeout=20)
    sock.sendall(
        b"POST /mcp HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()).encode() + b"\r\n" + body
    )
    return sock


def read_until(sock: socket.socket, marker: bytes, data: bytes = b"") -> bytes:
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def session_headers(server: Supervisor) -> dict[str, str]:
    init = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    r = httpx.post(
        server.url, json={"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": init}, headers=HEADERS
    )
    sid = r.headers.get("mcp-session-id")
    return {"Mcp-Session-Id": sid} if sid else {}


def test_progress_events_are_sse_on_the_post_and_the_result_ends_the_stream(server: Supervisor):
    params = {"name": "search", "arguments": {"q": "w", "n": 2, "ms": 10}, "_meta": {"progressToken": "tok"}}
    with raw_call(server, params, session_headers(server)) as sock:
        data = read_until(sock, b"\r\n0\r\n\r\n")  # the last chunk: the stream ended
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"content-type: text/event-stream" in head.lower()
    events = [json.loads(line[6:]) for line in body.replace(b"\r\n", b"\n").split(b"\n") if line.startswith(b"data: {")]
    progress = [e for e in events if e.get("method") == "notifications/progress"]
    assert [e["params"]["progressToken"] for e in progress] == ["tok", "tok"]
    assert [json.loads(e["params"]["message"]) for e in progress] == [{"doc": "w-0"}, {"doc": "w-1"}]
    assert events[-1]["id"] == 7 and events[-1]["result"]["structuredContent"] == {
        "result": [{"doc": "w-0"}, {"doc": "w-1"}]
    }


MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
}


@pytest.mark.parametrize("era", ["legacy", "2026-07-28"])
def test_a_client_that_disconnects_stops_the_generator(server: Supervisor, era: str, tmp_path: Path):
    if server.backend == "python" and era == "legacy":
        pytest.skip("the SDK keeps a handshake-era call running when its client leaves (2025-11-25: not a cancel)")
    path = tmp_path / "ticks"
    params = {"name": "ticks", "arguments": {"n": 100, "ms": 100, "path": str(path)}, "_meta": {"progressToken": 1}}
    if era == "legacy":
        headers = session_headers(server)
    else:
        params["_meta"].update(MODERN_META)
        headers = {"MCP-Protocol-Version": era, "Mcp-Method": "tools/call", "Mcp-Name": "ticks"}
    sock = raw_call(server, params, headers)
    read_until(sock, b"notifications/progress")
    sock.close()
    time.sleep(0.5)
    at_close = produced(path)
    time.sleep(1.0)
    assert 1 <= at_close < 100
    assert produced(path) <= at_close + 1, "the generator went on after its client left"


def test_a_legacy_cancel_notification_stops_the_generator_and_the_call_still_ends(server: Supervisor, tmp_path: Path):
    path = tmp_path / "ticks"
    session = session_headers(server)
    params = {"name": "ticks", "arguments": {"n": 100, "ms": 100, "path": str(path)}, "_meta": {"progressToken": 1}}
    with raw_call(server, params, session) as sock:
        read_until(sock, b"notifications/progress")
        cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7, "reason": "enough"}}
        assert httpx.post(server.url, json=cancel, headers={**HEADERS, **session}).status_code == 202
        time.sleep(0.5)
        at_cancel = produced(path)
        time.sleep(1.0)
        assert 1 <= at_cancel < 100
        assert produced(path) <= at_cancel + 1, "the generator went on after notifications/cancelled"


def test_a_client_that_reads_slowly_holds_the_generator_back(server: Supervisor, tmp_path: Path):
    path = tmp_path / "flood"
    n, size = 2000, 10_000  # 20 MB of progress messages, far beyond the socket buffers
    params = {"name": "flood", "arguments": {"n": n, "size": size, "path": str(path)}, "_meta": {"progressToken": 1}}
    with raw_call(server, params, session_headers(server)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        time.sleep(1.5)  # reading nothing
        held = produced(path)
        data = read_until(sock, b"\r\n0\r\n\r\n")
    assert held < n, "the generator ran to the end while its client read nothing"
    assert data.count(b'"method":"notifications/progress"') == 2 * n  # its own progress, and each item
    assert produced(path) == n


# ---- HTTP routes whose handler is a generator ------------------------------------------------------


def raw_get(server: Supervisor, target: str, accept: str = "*/*") -> socket.socket:
    url = httpx.URL(server.url)
    sock = socket.create_connection((url.host, url.port), timeout=20)
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\nAccept: {accept}\r\n\r\n".encode())
    return sock


def test_a_generator_route_streams_its_body_as_it_yields(server: Supervisor):
    with raw_get(server, "/feed?n=3") as sock:
        first = read_until(sock, b'{"i":0}')
        assert b"\r\n0\r\n\r\n" not in first, "the body ended with its first item"  # the handler sleeps next
        data = read_until(sock, b"\r\n0\r\n\r\n", first)
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"content-type: application/x-ndjson" in head.lower() and b"transfer-encoding: chunked" in head.lower()
    lines = [line for line in body.split(b"\r\n") if line.startswith(b"{")]
    assert [json.loads(line) for line in lines] == [{"i": 0}, {"i": 1}, {"i": 2}]
    text = httpx.get(server.url.replace("/mcp", "/lines"))
    assert text.headers["content-type"].startswith("text/plain") and text.text == "one\ntwo\n"


def test_a_generator_route_answers_sse_to_a_client_that_accepts_it(server: Supervisor):
    with httpx.stream("GET", server.url.replace("/mcp", "/feed?n=2"), headers={"Accept": "text/event-stream"}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    assert events == [{"i": 0}, {"i": 1}]
