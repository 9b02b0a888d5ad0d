"""The JSON parser corpus (tests/json_corpus/) sent to both backends, as the body and as an argument.

The rule (tests/json_corpus/README.md): a body is accepted when Python's `json.loads` and the
SDK's parser both accept it; otherwise the answer is HTTP 400 with JSON-RPC -32700. An accepted
value reaches the tool as Python decodes it: the same answer from the native server as from the
SDK, and a string argument equal to `json.loads`'s. No case may take a server down.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from json_corpus.cases import CASES, accepts, python_accepts, sdk_accepts

from conftest import serve_app

APP = Path(__file__).parent / "apps" / "protocol_app.py"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict]:
    native = serve_app(APP, "native")
    python = serve_app(APP, "python")
    both = {"native": next(native), "python": next(python)}
    pids = {name: s.pid for name, s in both.items()}
    yield both
    for name, s in both.items():
        assert s.pid == pids[name] and not s.restarts, f"the {name} server died: {s.status}"
    for gen in (native, python):
        gen.close()


def call(text: bytes) -> bytes:
    """tools/call with `text` as the argument value: a string to echo, numbers to `stats`."""
    if text.startswith(b'["') and text.endswith(b'"]') and text.count(b'"') >= 2:
        tool, name, value = b"echo", b"text", text[1:-1]
    elif text.startswith(b"[") and text[1:2] not in (b'"', b"[", b"{", b"]", b"t", b"n"):
        tool, name, value = b"stats", b"xs", text
    else:
        tool, name, value = b"echo", b"text", text
    return b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s","arguments":{"%s":%s}}}' % (
        tool,
        name,
        value,
    )


def post(server, body: bytes) -> httpx.Response:
    return httpx.post(server.url, content=body, headers=HEADERS, timeout=30)


def error_code(response: httpx.Response) -> int | None:
    """The JSON-RPC error code of an answer (of its first error, for the array a JSON array body
    gets: with no MCP-Protocol-Version header it is a 2025-03-26 batch), None if there is none."""
    if not response.content:
        return None
    answer = response.json()
    for one in answer if isinstance(answer, list) else [answer]:
        if isinstance(one, dict) and "error" in one:
            return one["error"].get("code")
    return None


def test_the_corpus_is_labelled_by_what_python_accepts():
    """y_: both parsers accept; n_: both reject; i_: they differ (or the case sits on a limit)."""
    for name, text in CASES.items():
        python, sdk = python_accepts(text), sdk_accepts(text)
        if name.startswith("y_"):
            assert python and sdk, name
        elif name.startswith("n_"):
            assert not python and not sdk, name
        else:
            assert name.startswith("i_") and not sdk, name
        assert accepts(text) == (name.startswith("y_")), name


@pytest.mark.parametrize("where", ["body", "argument"])
@pytest.mark.parametrize("name", list(CASES))
def test_each_case_is_accepted_or_rejected_as_python_would(servers, name, where):
    text = CASES[name]
    body = text if where == "body" else call(text)
    answers = {backend: post(s, body) for backend, s in servers.items()}
    for backend, response in answers.items():
        code = error_code(response)
        if accepts(body):
            assert code != -32700, f"{backend} rejected what Python accepts: {response.text[:200]}"
        else:
            assert (response.status_code, code) == (400, -32700), (
                f"{backend}: {response.status_code} {response.text[:200]}"
            )
    if where == "argument" and accepts(body):
        native, python = (answers[b].json() for b in ("native", "python"))
        assert ("result" in native) == ("result" in python), (native, python)
        if "result" in python and not python["result"]["isError"]:
            assert native["result"]["structuredContent"] == python["result"]["structuredContent"]
            decoded = json.loads(body)["params"]["arguments"]
            if "text" in decoded:
                assert native["result"]["structuredContent"] == {"result": decoded["text"]}


def test_nan_where_a_number_cannot_be_nan(servers):
    """NaN parses, but is no request id and no int: an error naming it, from both backends."""
    bad_id = b'{"jsonrpc":"2.0","id":NaN,"method":"ping"}'
    bad_int = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":NaN,"b":1}}}'
    response = post(servers["native"], bad_id)
    assert response.status_code == 400 and response.json()["error"]["code"] == -32600, response.text
    # The SDK reads a message whose id is no int or string as a notification (202, no answer).
    assert post(servers["python"], bad_id).status_code == 202
    for server in servers.values():
        assert post(server, bad_int).json()["error"] == {
            "code": -32602,
            "message": "Invalid argument 'a': expected integer",
        }
