"""NotebookSession, the library under the magics: cells, builds in the background, swaps, calls.

The python backend serves here (fast, no Codon); the native path is covered by test_hot_swap.py
and the magics tests.
"""

from __future__ import annotations

import linecache
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from conduit.client import ToolCallError
from conduit.errors import ToolDefinitionError
from conduit.notebook import NotebookSession, Status, cell_functions
from conduit.python_backend.notebook_tools import tools_app


def run_cell(session: NotebookSession, key: str | None, cell: str, number: int = 1, **options) -> list[str]:
    namespace: dict = {}
    exec(compile(cell, f"cell[{number}]", "exec"), namespace)
    return [t.name for t in session.define_cell(key, cell, namespace, f"cell[{number}]", **options)]


@pytest.fixture
def session() -> Iterator[NotebookSession]:
    session = NotebookSession("test", backend="python")
    yield session
    session.close()


@pytest.fixture
def native() -> Iterator[NotebookSession]:
    """A native session that is never published: it only runs the checks before Codon."""
    session = NotebookSession("test", backend="native")
    session.backend = "native"  # even where Codon is missing: the checks are pure Python
    yield session
    session.close()


def test_cell_functions_keep_their_own_lines() -> None:
    cell = (
        "import math\n\n@staticmethod\ndef a(x: int) -> int:\n    return x\n\n"
        "def _helper():\n    pass\n\ndef b() -> str:\n    return 'b'\n"
    )
    found = cell_functions(cell, "cell[4]")
    assert [name for name, _ in found] == ["a", "b"]
    (_, a), (_, b) = found
    assert (a.filename, a.first_line) == ("cell[4]", 3)
    assert a.text.startswith("@staticmethod\ndef a")
    assert b.first_line == 10


def test_rerunning_a_cell_replaces_its_tools(session: NotebookSession) -> None:
    run_cell(session, "c1", "def one() -> int:\n    return 1\n")
    run_cell(session, "c2", "def two() -> int:\n    return 2\n")
    run_cell(session, "c1", "def uno() -> int:\n    return 1\n")  # renamed: `one` must go
    assert list(session.tools) == ["two", "uno"]


def test_without_a_cell_id_a_cell_redefining_a_tool_is_that_cell(session: NotebookSession) -> None:
    run_cell(session, None, "def one() -> int:\n    return 1\n\ndef two() -> int:\n    return 2\n")
    run_cell(session, None, "def one() -> int:\n    return 10\n")
    assert list(session.tools) == ["one"]


def test_a_tool_name_belongs_to_one_cell(session: NotebookSession) -> None:
    run_cell(session, "c1", "def one() -> int:\n    return 1\n")
    with pytest.raises(ToolDefinitionError, match=r"'one' is already defined in another cell \(cell\[1\]\)"):
        run_cell(session, "c2", "def one() -> int:\n    return 1\n", number=2)
    assert list(session.tools) == ["one"]


def test_a_cell_without_a_function_says_what_to_write(session: NotebookSession) -> None:
    with pytest.raises(ToolDefinitionError, match="defines no public function"):
        run_cell(session, "c1", "x = 1\n")


def test_options_name_one_tool(session: NotebookSession) -> None:
    assert run_cell(session, "c1", "def f() -> int:\n    return 1\n", name="answer", title="The answer") == ["answer"]
    assert session.tools["answer"].title == "The answer"
    with pytest.raises(ToolDefinitionError, match="describe one tool"):
        run_cell(session, "c2", "def g() -> int:\n    return 1\ndef h() -> int:\n    return 2\n", name="x")


def test_a_cell_using_earlier_cells_is_one_program(session: NotebookSession) -> None:
    """Helpers, constants and imports of plain cells run before are part of a tool's program."""
    namespace: dict = {}
    plain = "import math\nRATES = {'eur': 0.5}\ndef half(x):\n    return x * RATES['eur']\n"
    linecache.cache["cell[1]"] = (len(plain), None, plain.splitlines(True), "cell[1]")  # as IPython keeps cells
    exec(compile(plain, "cell[1]", "exec"), namespace)
    cell = "def tool(x: float) -> float:\n    return math.floor(half(x))\n"
    exec(compile(cell, "cell[2]", "exec"), namespace)
    session.define_cell("c2", cell, namespace, "cell[2]")
    module = Path(session._supervisor_for_serving().run_dir) / "probe.py"
    from conduit.loader import load_app
    from conduit.python_backend.notebook_tools import write_tools_module

    app = load_app(write_tools_module(session._app(session.tools), module))
    assert app.tools["tool"].fn(7.0) == 3


def test_a_helper_without_source_does_not_stop_the_python_backend(session: NotebookSession) -> None:
    """A helper made by exec (no source inspect can find) cannot be rebuilt: the tools module is
    still written, and a tool that does not need the helper still loads."""
    namespace: dict = {}
    exec(compile("def hidden(x):\n    return x\n", "<made-by-exec>", "exec"), namespace)
    run_cell(session, "c1", "def plain(x: int) -> int:\n    return x + 1\n")
    cell = "def uses(x: int) -> int:\n    return hidden(x)\n"
    exec(compile(cell, "cell[3]", "exec"), namespace)
    session.define_cell("c3", cell, namespace, "cell[3]")
    module = Path(session._supervisor_for_serving().run_dir) / "tools_module.py"
    from conduit.loader import load_app
    from conduit.python_backend.notebook_tools import write_tools_module

    app = load_app(write_tools_module(session._app(session.tools), module))
    assert app.tools["plain"].fn(1) == 2


def test_publish_serves_and_swaps(session: NotebookSession) -> None:
    run_cell(session, "c1", "def add(a: int, b: int) -> int:\n    return a + b\n")
    first = session.publish().result(timeout=60)
    assert first.state == "serving" and first.tools == ("add",) and first.url
    assert session.call("add", {"a": 2, "b": 3}) == 5
    run_cell(session, "c1", "def add(a: int, b: int) -> int:\n    return a + b + 100\n")
    second = session.publish().result(timeout=60)
    assert second.url == first.url and second.pid != first.pid
    assert session.call("add", {"a": 2, "b": 3}) == 105


def test_publications_asked_for_during_a_build_merge(session: NotebookSession) -> None:
    futures = []
    with session._lock:  # the builder is busy (it cannot take a publication) while all four are asked for
        for n in range(4):
            run_cell(session, f"c{n}", f"def t{n}() -> int:\n    return {n}\n")
            futures.append(session.publish())
    statuses = [f.result(timeout=60) for f in futures]
    # Asked for while the builder was busy, they are one publication of the newest tool set:
    # a plain queue would have served ("t0", "t1") and ("t0", "t1", "t2") on the way.
    assert [s.tools for s in statuses[1:]] == [("t0", "t1", "t2", "t3")] * 3
    assert len({s.pid for s in statuses[1:]}) == 1
    assert session.call("t3") == 3


def test_call_reports_the_tools_error(session: NotebookSession) -> None:
    run_cell(session, "c1", "def boom(x: int) -> int:\n    raise ValueError('no ' + str(x))\n")
    session.publish().result(timeout=60)
    with pytest.raises(ToolCallError, match="boom raised: no 3"):
        session.call("boom", {"x": 3})
    with pytest.raises(ToolDefinitionError, match="no tool named 'nope'; the tools are: boom"):
        session.call("nope")


def test_a_killed_server_comes_back_on_its_own_and_the_next_check_says_so(capsys, session: NotebookSession) -> None:
    run_cell(session, "c1", "def one() -> int:\n    return 1\n")
    status = session.publish().result(timeout=60)
    os.kill(status.pid, signal.SIGKILL)
    assert session.call("one") == 1  # answered by the restarted server: no %conduit_serve needed
    assert session.status().pid != status.pid
    session.check()
    told = capsys.readouterr().err
    assert f"conduit: the server (pid {status.pid}) was killed by SIGKILL" in told and "restarted in" in told
    session.check()
    assert capsys.readouterr().err == ""  # told once
    line = session.status().line
    assert line.startswith("conduit: serving 1 tool at ") and "; restarted 1 time, last: the server" in line


def test_a_stopped_server_stays_stopped(session: NotebookSession) -> None:
    run_cell(session, "c1", "def one() -> int:\n    return 1\n")
    status = session.publish().result(timeout=60)
    session.stop()
    assert session.status().state == "stopped"
    with pytest.raises(ProcessLookupError):
        os.kill(status.pid, 0)
    assert session.status().url is None and session.status().restarts == ()


def test_stop_and_reset(session: NotebookSession) -> None:
    run_cell(session, "c1", "def one() -> int:\n    return 1\n")
    session.publish().result(timeout=60)
    session.stop()
    assert session.status().state == "stopped" and session.status().url is None
    session.reset()
    assert session.tools == {} and session.status().state == "idle"


def test_tools_app_runs_each_definition_at_its_cells_lines(tmp_path) -> None:
    definitions = [
        {
            "kind": "tool",
            "name": "maybe",
            "source": "def maybe(x: Optional[int] = None) -> int:\n    return 0 if x is None else x\n",
            "filename": "cell[2]",
            "first_line": 3,
        }
    ]
    tools = [
        {
            "name": "maybe",
            "function": "maybe",
            "title": None,
            "description": "",
            "annotations": {"readOnlyHint": True},
            "native": None,
        }
    ]
    constants = tmp_path / "constants.pickle"
    constants.write_bytes(__import__("pickle").dumps({}))
    app = tools_app("n", definitions, tools, str(constants))
    tool = app.tools["maybe"]
    assert tool.fn(4) == 4 and tool.annotations == {"readOnlyHint": True}
    assert tool.fn.__code__.co_firstlineno == 3


def test_a_failure_without_a_message_still_has_a_status_line() -> None:
    status = Status("failed", ("a",), "native", error=ValueError(""))
    assert status.line == "conduit: build failed: ValueError"
