"""MCP over stdio: the exported binary with `--stdio`, and `conduit serve --stdio`.

The official SDK's stdio client drives both protocol eras; raw pipes check the transport's own
rules (one message per line, nothing else on stdout, bad lines answered and survived, exit when
stdin closes).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from conduit.export import Export

pytestmark = pytest.mark.native

APPS = Path(__file__).parent / "apps"
MODES = ["legacy", "2026-07-28"]
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def over_stdio(command: str, args: list[str], mode: str) -> tuple[list[str], str]:
    async def run() -> tuple[list[str], str]:
        async with Client(StdioServerParameters(command=command, args=args), mode=mode) as client:
            tools = await client.list_tools()
            result = await client.call_tool("greet", {"name": "Ada"})
            return [t.name for t in tools.tools], result.content[0].text

    return asyncio.run(run())


def exchange(binary: Path, lines: list[str | bytes], timeout: float = 10) -> tuple[list[dict], str, int]:
    """Write `lines` to a fresh `--stdio` server, close stdin; its answers, stderr and exit code."""
    data = b"".join(line if isinstance(line, bytes) else line.encode() + b"\n" for line in lines)
    done = subprocess.run([str(binary), "--stdio"], input=data, capture_output=True, timeout=timeout)
    answers = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert done.stdout.endswith(b"\n") or not done.stdout
    return answers, done.stderr.decode(), done.returncode


@pytest.mark.parametrize("mode", MODES)
def test_the_sdk_stdio_client_lists_and_calls(exported: Export, mode: str) -> None:
    names, text = over_stdio(str(exported.binary), ["--stdio"], mode)
    assert sorted(names) == ["circle_area", "greet", "squares"]
    assert text == "Hello, Ada ✓"


@pytest.mark.parametrize("mode", MODES)
def test_conduit_serve_stdio(mode: str) -> None:
    app = str(APPS / "export_app.py")
    names, text = over_stdio(sys.executable, ["-m", "conduit.cli", "serve", "--stdio", app], mode)
    assert sorted(names) == ["circle_area", "greet", "squares"] and text == "Hello, Ada ✓"


def test_an_app_with_cpython_tools_serves_stdio_with_the_python_backend() -> None:
    async def run() -> str:
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "conduit.cli", "serve", "--stdio", str(APPS / "engines_app.py")]
        )
        async with Client(params, mode="legacy") as client:
            return (await client.call_tool("pretty", {"document": '{"b": 1}'})).content[0].text

    assert json.loads(asyncio.run(run())) == {"b": 1}


def test_one_answer_per_request_line_in_order_and_none_for_notifications(exported: Export) -> None:
    call = {"jsonrpc": "2.0", "id": "c", "method": "tools/call", "params": {"name": "squares", "arguments": {"n": 3}}}
    answers, stderr, code = exchange(
        exported.binary,
        [
            json.dumps(INITIALIZE),
            json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            "",
            "   ",
            json.dumps(call) + "\r",
            json.dumps({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}),
        ],
    )
    assert code == 0
    assert [a["id"] for a in answers] == [1, "c", 3]
    assert answers[1]["result"]["structuredContent"] == {"result": [0, 1, 4]}
    assert "stdin closed" in stderr


def test_bad_lines_are_answered_and_the_server_goes_on(exported: Export) -> None:
    ping = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "ping"})
    answers, _, code = exchange(
        exported.binary,
        [
            "not json",
            "[1, 2]",
            json.dumps({"jsonrpc": "1.0", "id": 2, "method": "ping"}),
            json.dumps({"jsonrpc": "2.0", "id": 3, "method": "no/such"}),
            json.dumps({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "nope"}}),
            json.dumps(
                {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "squares", "arguments": {}}}
            ),
            b"\xff\xfe\n",
            ping,
        ],
    )
    assert code == 0
    # a batch array (2025-03-26; stdio has no header naming a later revision): one error per item
    assert [a["error"]["code"] for a in answers[1]] == [-32600, -32600]
    codes = [a.get("error", {}).get("code") for a in answers[:1] + answers[2:]]
    assert codes[:4] == [-32700, -32600, -32601, -32602]
    assert answers[5]["error"]["code"] == -32602 and "'n'" in answers[5]["error"]["message"]  # n is required
    assert answers[6]["error"]["code"] == -32700  # not UTF-8
    assert answers[-1] == {"jsonrpc": "2.0", "id": 9, "result": {}}


def test_a_message_past_the_size_limit_is_refused_and_the_next_one_answered(exported: Export) -> None:
    huge = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": "x" * (3 << 20)}})
    answers, stderr, code = exchange(exported.binary, [huge, json.dumps({"jsonrpc": "2.0", "id": 2, "method": "ping"})])
    assert code == 0
    assert answers[0]["error"]["code"] == -32600 and "too large" in answers[0]["error"]["message"]
    assert answers[1] == {"jsonrpc": "2.0", "id": 2, "result": {}}
    assert "skipped a message" in stderr


def test_a_last_line_without_its_newline_is_answered(exported: Export) -> None:
    answers, _, code = exchange(exported.binary, [json.dumps({"jsonrpc": "2.0", "id": 7, "method": "ping"}).encode()])
    assert code == 0 and answers == [{"jsonrpc": "2.0", "id": 7, "result": {}}]
