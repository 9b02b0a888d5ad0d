"""The differential corpus checked on its own, in CPython, without a native server.

tests/corpus/ holds tools written as Python developers write them; the native differential test
serves tests/corpus/app.py and compares every answer with `python_answer`. This file makes sure
that corpus is sound: every tool has cases, every case and every generated example runs through
the reference without the harness failing and answers the same twice, the strategies generate
arguments the tools' signatures accept, the schemas are valid, the reference agrees with the
real python backend (the official SDK, in memory), and `compare` notices what it must.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import mcp_types
import pytest
from corpus.cases import CASES, STRATEGIES, with_tmp
from corpus.reference import compare, python_answer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client, ClientSession
from mcp.shared.exceptions import MCPError

from conduit.loader import load_app
from conduit.python_backend.arguments import decode_arguments
from conduit.python_backend.server import _RegistryServer

APP_FILE = Path(__file__).parent / "corpus" / "app.py"
APP = load_app(str(APP_FILE))
APP_MODULE = next(m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == str(APP_FILE.resolve()))
FUNCTIONS: dict[str, Any] = APP_MODULE.FUNCTIONS
UNREGISTERED: dict[str, str] = APP_MODULE.UNREGISTERED
TOOLS = APP.tools
REGISTERED = sorted(TOOLS)


def _call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """CPython's answer; a tool Conduit cannot register yet is called directly instead."""
    if name in TOOLS:
        return python_answer(TOOLS[name], arguments)
    fn = FUNCTIONS[name]
    inspect.signature(fn).bind(**arguments)  # the case fits the signature
    try:
        return {"value": json.loads(json.dumps(fn(**arguments)))}
    except Exception as exc:
        return {"raised": f"{type(exc).__name__}: {exc}"}


def _twice(name: str, arguments: dict[str, Any], directory: Path) -> dict[str, Any]:
    """Answer the case twice in the same (emptied) directory; the answers must be equal."""
    answers = []
    for _ in range(2):
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        answers.append(_call(name, with_tmp(arguments, str(directory))))
    if name in TOOLS:
        assert compare(answers[0], answers[1]) is None, f"{name}{arguments}: not deterministic"
    else:
        assert answers[0] == answers[1], f"{name}{arguments}: not deterministic"
    return answers[0]


# -- the corpus is complete -----------------------------------------------------------------------


def test_corpus_size_and_coverage():
    assert len(FUNCTIONS) >= 70
    assert set(CASES) == set(FUNCTIONS), "every tool has cases and every case names a tool"
    assert all(CASES[name] for name in FUNCTIONS), "at least one case per tool"
    assert set(STRATEGIES) <= set(FUNCTIONS)
    assert len(STRATEGIES) * 2 >= len(FUNCTIONS), "strategies for at least half of the tools"
    assert set(TOOLS) | set(UNREGISTERED) == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_tool_registers(name):
    """A tool Conduit refuses today is an expected failure naming the signature it lacks."""
    if name in UNREGISTERED:
        pytest.xfail(UNREGISTERED[name])
    assert name in TOOLS


@pytest.mark.parametrize("name", REGISTERED)
def test_definition_is_valid(name):
    definition = TOOLS[name].definition()
    mcp_types.Tool.model_validate(definition)
    jsonschema.Draft202012Validator.check_schema(definition["inputSchema"])
    if "outputSchema" in definition:
        jsonschema.Draft202012Validator.check_schema(definition["outputSchema"])
    assert definition["description"], f"{name} has a docstring"


# -- the explicit cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_cases_run_in_cpython(name, tmp_path):
    for i, arguments in enumerate(CASES[name]):
        concrete = with_tmp(arguments, str(tmp_path / f"case{i}"))
        if name in TOOLS:
            decode_arguments(TOOLS[name], concrete)  # a case is valid arguments, never an ArgumentError
        answer = _twice(name, arguments, tmp_path / f"case{i}")
        if name in TOOLS:
            assert "content" in answer and isinstance(answer["isError"], bool), answer


def test_reference_matches_the_python_backend(tmp_path, monkeypatch):
    """python_answer is what the python backend (the official SDK, in memory) answers.

    The client's own check of structuredContent against the outputSchema is turned off: what is
    compared is what the server sent (an infinite float, for one, is sent as null).
    """

    async def accept(self, name, result):
        return None

    monkeypatch.setattr(ClientSession, "validate_tool_result", accept)
    server = _RegistryServer(APP)
    calls = [
        (name, with_tmp(arguments, str(tmp_path / f"{name}-{i}")))
        for name in REGISTERED
        if not any("$TMP" in repr(a) for a in CASES[name])
        for i, arguments in enumerate(CASES[name])
    ]

    async def run() -> list[tuple[str, dict, str | None]]:
        differences = []
        async with Client(server) as client:
            for name, arguments in calls:
                try:
                    result = await client.call_tool(name, arguments)
                    sdk = json.loads(result.model_dump_json(by_alias=True, exclude_none=True))
                except MCPError as exc:
                    sdk = {"error": {"code": exc.error.code, "message": exc.error.message}}
                difference = compare(sdk, python_answer(TOOLS[name], arguments))
                if difference:
                    differences.append((name, arguments, difference))
        return differences

    differences = asyncio.run(run())
    assert not differences, differences[:5]


# -- the strategies -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STRATEGIES))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_strategy_generates_valid_arguments(name, data):
    arguments = data.draw(STRATEGIES[name], label="arguments")
    with tempfile.TemporaryDirectory() as directory:
        if name in TOOLS:
            decode_arguments(TOOLS[name], with_tmp(arguments, directory))
        _twice(name, arguments, Path(directory) / "tmp")


# -- compare --------------------------------------------------------------------------------------


def _result(structured: Any, text: str = "x", is_error: bool = False) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], "structuredContent": structured, "isError": is_error}


@pytest.mark.parametrize(
    ("native", "python", "expected"),
    [
        (_result({"a": 1, "b": 2}), _result({"a": 1, "b": 2}), None),
        (_result({"b": 2, "a": 1}), _result({"a": 1, "b": 2}), "key order"),
        (_result({"a": 1}), _result({"a": 1.0}), "(int)"),
        (_result({"a": True}), _result({"a": 1}), "(bool)"),
        (_result({"a": -0.0}), _result({"a": 0.0}), "-0.0"),
        (_result({"a": [1, 2]}), _result({"a": [1, 2, 3]}), "structuredContent.a"),
        (_result({"a": {"b": [{"c": "x"}]}}), _result({"a": {"b": [{"c": "y"}]}}), "structuredContent.a.b[0].c"),
        (_result({}, text="2"), _result({}, text="2.0"), "content[0].text"),
        (_result({}, is_error=True), _result({}), "isError"),
        ({"content": []}, _result({}), "block"),
        ({"content": [], "isError": False}, {"content": [], "isError": False, "structuredContent": {}}, "only python"),
        ({"error": {"code": -32602, "message": "m"}}, {"error": {"code": -32602, "message": "m"}}, None),
        ({"error": {"code": -32602, "message": "m"}}, _result({}), "JSON-RPC error"),
    ],
)
def test_compare(native, python, expected):
    difference = compare(native, python)
    if expected is None:
        assert difference is None
    else:
        assert difference is not None and expected in difference, difference
