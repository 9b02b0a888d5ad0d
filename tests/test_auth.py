"""Who may call: bearer tokens on /mcp and routes, the same from both backends.

A missing or wrong token is 401 with `WWW-Authenticate: Bearer resource_metadata=...` pointing at
the RFC 9728 document the server serves; /healthz stays open for probes. The tokens reach the
server in its environment (CONDUIT_AUTH_TOKENS), never in the program: a binary built for an app
with tokens refuses to start without them.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from conduit.export import Export
from conduit.loader import load_app
from conduit.serving import Supervisor, native_build
from conftest import BACKENDS, free_port, serve_app

APPS = Path(__file__).parent / "apps"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
CALL = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "whoami", "arguments": {}}}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Supervisor]:
    yield from serve_app(APPS / "auth_app.py", request.param)


def post(server: Supervisor, authorization: str | None) -> httpx.Response:
    headers = dict(HEADERS, **({"Authorization": authorization} if authorization else {}))
    return httpx.post(server.url, json=CALL, headers=headers, timeout=10)


def sdk_call(url: str, token: str) -> str:
    async def run() -> str:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
        async with http, Client(streamable_http_client(url, http_client=http), mode="2026-07-28") as client:
            return (await client.call_tool("whoami", {"name": "sdk"})).content[0].text

    return asyncio.run(run())


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", "Basic czNjcmV0LXRva2Vu", "Bearer s3cret-toke", "Bearer"]
)
def test_without_a_valid_token_it_is_401_with_the_metadata_address(server: Supervisor, authorization: str) -> None:
    answer = post(server, authorization)
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and f'resource_metadata="http://127.0.0.1:{server.port}' in challenge
    assert challenge.endswith('/.well-known/oauth-protected-resource"')
    assert answer.json()["error"] == "invalid_token"
    assert post(server, "Bearer s3cret-token").status_code == 200  # and the server goes on


def test_either_token_is_accepted_in_any_scheme_case(server: Supervisor) -> None:
    for authorization in ("Bearer s3cret-token", "bearer second-token", "BEARER  s3cret-token"):
        answer = post(server, authorization)
        assert answer.status_code == 200, authorization
        assert answer.json()["result"]["content"][0]["text"] == "hello caller"


def test_the_official_client_with_a_token(server: Supervisor) -> None:
    assert sdk_call(server.url, "second-token") == "hello sdk"


def test_routes_need_the_token_and_health_does_not(server: Supervisor) -> None:
    base = f"http://127.0.0.1:{server.port}"
    assert httpx.get(f"{base}/status").status_code == 401
    assert httpx.get(f"{base}/status", headers={"Authorization": "Bearer s3cret-token"}).json() == {"ok": True}
    assert httpx.get(f"{base}/healthz").text == "ok\n"


def test_the_protected_resource_metadata(server: Supervisor) -> None:
    base = f"http://127.0.0.1:{server.port}"
    document = httpx.get(f"{base}/.well-known/oauth-protected-resource").json()
    assert document == {"resource": f"{base}/mcp", "bearer_methods_supported": ["header"]}


@pytest.mark.native
def test_a_binary_built_with_tokens_does_not_start_without_them() -> None:
    binary = native_build(load_app(str(APPS / "auth_app.py"))).binary
    env = {k: v for k, v in os.environ.items() if k != "CONDUIT_AUTH_TOKENS"}
    done = subprocess.run([str(binary), "--port", "0"], capture_output=True, text=True, env=env, timeout=20)
    assert done.returncode == 2 and "set CONDUIT_AUTH_TOKENS" in done.stderr
    assert "s3cret-token" not in binary.read_bytes().decode("latin-1")  # never compiled in


@pytest.mark.native
def test_an_exported_binary_takes_its_tokens_from_the_environment(exported: Export) -> None:
    port = free_port()
    env = {"CONDUIT_AUTH_TOKENS": " tok-1 , tok-2 "}
    process = subprocess.Popen([str(exported.binary), "--port", str(port)], env=env, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        body = dict(CALL, params={"name": "greet", "arguments": {"name": "Ada"}})
        for _ in range(200):
            try:
                first = httpx.post(url, json=body, headers=HEADERS)
                break
            except httpx.TransportError:
                time.sleep(0.02)
        assert first.status_code == 401
        good = httpx.post(url, json=body, headers=dict(HEADERS, Authorization="Bearer tok-2"))
        assert good.json()["result"]["content"][0]["text"] == "Hello, Ada ✓"
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.native
def test_a_public_address_without_tokens_is_warned_about(exported: Export) -> None:
    argv = [str(exported.binary), "--host", "0.0.0.0", "--port", str(free_port())]
    process = subprocess.Popen(argv, env={}, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        assert "without authentication" in line, line
    finally:
        process.terminate()
        process.wait(10)
