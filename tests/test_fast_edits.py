"""The split server (conduit.codegen.split): a core built once, serving a tools library built per edit.

The protocol suite runs again against it: its tests are imported below and take this module's
`server` and `session_server` fixtures, so the split answers exactly as the one-program server.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_protocol import *  # noqa: F403  # the protocol suite, against the split server

from conduit import Conduit, toolchain
from conduit.codegen import split
from conduit.loader import load_app
from conduit.notebook import NotebookSession
from conduit.routing import RouteTable
from conduit.serving import Supervisor
from conduit.serving.python_worker import PythonWorker
from conduit.tools import Source

APPS = Path(__file__).parent / "apps"


def build_split(app: Conduit) -> list[str]:
    """The argv of the app's split server: `core TOOLS.so`."""
    programs = split.generate_split(app, app.settings.with_address("127.0.0.1", 0))
    assert programs is not None
    core = toolchain.build(programs.core.text, name=split.CORE_NAME, source_map=programs.core.source_map)
    tools = toolchain.build(
        programs.tools.text, name=split.LIB_NAME, flags=split.LIB_FLAGS, source_map=programs.tools.source_map
    )
    return [str(core.binary), str(tools.binary)]


def serve_split(path: Path, app: Conduit | None = None) -> Iterator[Supervisor]:
    """The split server of the app at `path` (or of `app`, loaded from it and changed)."""
    if (reason := toolchain.native_unavailable_reason()) is not None:
        pytest.skip(f"needs Codon: {reason}")
    supervisor = Supervisor("127.0.0.1", 0)
    try:
        worker = PythonWorker(f"{path}:app", supervisor.run_dir, eager=False)  # as the notebook's servers have
        supervisor.attach(worker)
        supervisor.start(build_split(app or load_app(str(path))), env=dict(os.environ, **worker.env))
        supervisor.backend = "native"  # type: ignore[attr-defined]  # the protocol suite's known differences
        yield supervisor
    finally:
        supervisor.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Supervisor]:
    yield from serve_split(APPS / "protocol_app.py")


@pytest.fixture(scope="module")
def session_server() -> Iterator[Supervisor]:
    yield from serve_split(APPS / "sessions_app.py")


def tools_app(*sources: str) -> Conduit:
    app = Conduit("split")
    for source in sources:
        namespace: dict = {}
        exec(source, namespace)
        fn = next(v for k, v in namespace.items() if callable(v) and not k.startswith("__"))
        app.add_tool(fn, source=Source(source, "<test>", 1))
    return app


def test_the_core_does_not_depend_on_the_tools() -> None:
    one = tools_app("def a(x: int) -> int:\n    return x\n")
    two = tools_app("def b(s: str) -> str:\n    return s\n", "def c() -> int:\n    return 1\n")
    assert split.generate_core(one).text == split.generate_core(two).text
    assert split.generate_tools_lib(one).text != split.generate_tools_lib(two).text


def test_an_app_with_routes_has_no_split() -> None:
    assert split.generate_split(load_app(str(APPS / "routes_app.py"))) is None


@pytest.mark.native
def test_a_core_without_its_library_says_how_to_run_it(tmp_path: Path) -> None:
    core = build_split(tools_app("def a(x: int) -> int:\n    return x\n"))[0]
    missing = subprocess.run([core], capture_output=True, text=True, timeout=30)
    assert missing.returncode != 0 and "TOOLS.so" in missing.stderr
    wrong = subprocess.run([core, str(tmp_path / "none.so")], capture_output=True, text=True, timeout=30)
    assert wrong.returncode != 0 and "none.so" in wrong.stderr


@pytest.mark.native
def test_an_edit_recompiles_only_the_tools_library() -> None:
    session = NotebookSession("split-edit", backend="native", interim=False, out=sys.stderr)
    try:
        for version in ("one", "two"):
            cell = f"def version() -> str:\n    return {version!r}\n"
            namespace: dict = {}
            exec(cell, namespace)
            session.define_cell("cell-1", cell, namespace, "cell[1]")
            before = session.status().builds
            session.result(session.publish(), timeout=300)
            assert session.call("version") == version
            argv = session._supervisor.process.argv  # type: ignore[union-attr]
            assert argv[0].endswith("/core") and argv[1].endswith("/tools.so")
        assert session.status().builds - before <= 1  # the second edit: the library at most, never the core
    finally:
        session.close()


@pytest.fixture(scope="module")
def slow_split() -> Iterator[Supervisor]:
    app = copy.copy(load_app(str(APPS / "slow_app.py")))  # a copy: load_app's is the module's own
    app._routes = RouteTable()  # routes need the whole program; the notebook's split serves tools only
    yield from serve_split(APPS / "slow_app.py", app)


def test_the_split_server_runs_blocking_tools_on_the_pool_as_the_whole_program_does(slow_split: Supervisor) -> None:
    import test_slow_path

    test_slow_path.test_a_fast_call_is_answered_while_slow_ones_hold_the_pool(slow_split)
    test_slow_path.test_a_pooled_call_answers_as_an_inline_one(slow_split)
    test_slow_path.test_a_tool_measured_slow_moves_to_the_pool_and_one_said_not_to_block_stays(slow_split)
    test_slow_path.test_a_call_past_its_time_limit_is_an_error_result_and_the_connection_serves_on(slow_split)
