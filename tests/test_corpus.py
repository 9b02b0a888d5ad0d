"""The differential corpus: every tool answers natively exactly as CPython does.

tests/corpus/ holds tools written as Python developers write them (helpers, constants, classes,
imports, mixed results, errors, text beyond ASCII, big integers, formatting, dict order, files,
SQLite...). The app is built once and served natively; each case is answered by the server and by
the function itself in CPython, and the answers must be equal as a client sees them (every
content block's text, structuredContent with strict types and key order, isError). A tool is
native and equal, or runs in CPython with its stated reason (and is equal too, of course).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from corpus.cases import CASES, STRATEGIES
from corpus.differential import APP_FILE, SAMPLE_APP_FILE, Corpus, served_corpus
from hypothesis import HealthCheck, given, settings

from conduit.loader import load_app

# One build of ~200 tools: on a cold cache the JIT probe and the build take minutes.
pytestmark = [pytest.mark.native, pytest.mark.timeout(3600)]

EXAMPLES_PER_TOOL = 12  # generated argument sets per tool with a strategy, on top of its cases
# The sample (every category, 60 tools) unless CONDUIT_FULL_CORPUS=1 asks for all ~200.
APP = APP_FILE if os.environ.get("CONDUIT_FULL_CORPUS") == "1" else SAMPLE_APP_FILE
TOOLS = sorted(load_app(str(APP)).tools)
# How many tools are native is a figure (benchmarks/corpus.py prints it), not a test.


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    with served_corpus(tmp_path_factory.mktemp("corpus") / "work", APP) as served:
        yield served


def test_every_tool_has_an_engine_and_every_python_one_a_reason(corpus: Corpus) -> None:
    for name in corpus.app.tools:
        engine = corpus.engines[name]
        assert engine.native or engine.reason, name


@pytest.mark.parametrize("tool", [t for t in TOOLS if t in CASES])
def test_each_case_answers_as_cpython(corpus: Corpus, tool: str) -> None:
    for arguments in CASES[tool]:
        difference = corpus.difference(tool, arguments)
        assert difference is None, f"{tool}({arguments}) [{corpus.engines[tool].describe()}]: {difference}"


@pytest.mark.parametrize("tool", [t for t in TOOLS if t in STRATEGIES])
def test_generated_arguments_answer_as_cpython(corpus: Corpus, tool: str) -> None:

    @settings(max_examples=EXAMPLES_PER_TOOL, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(STRATEGIES[tool])
    def check(arguments: dict) -> None:
        difference = corpus.difference(tool, arguments)
        assert difference is None, f"{tool}({arguments}) [{corpus.engines[tool].describe()}]: {difference}"

    check()
