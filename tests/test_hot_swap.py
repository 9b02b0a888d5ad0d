"""Five hot swaps of the notebook's native server under continuous load from another process:
no request fails, and after each swap the new tool set answers.

Two tool sets alternate, so the test costs two native builds (none once they are cached).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conduit.client import call_tool
from conduit.errors import ConduitError
from conduit.notebook import NotebookSession, Status

pytestmark = pytest.mark.native

# Calls `version` over keep-alive connections, as an MCP client's pool does, until told to stop.
LOAD = textwrap.dedent(
    """
    import json, sys, httpx
    url, stop = sys.argv[1], sys.argv[2]
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "version", "arguments": {}}}
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    ok, failures, seen = 0, [], []
    with httpx.Client(timeout=10) as client:
        while not __import__("os").path.exists(stop):
            try:
                reply = client.post(url, json=body, headers=headers)
                reply.raise_for_status()
                version = reply.json()["result"]["structuredContent"]["result"]
                ok += 1
                if not seen or seen[-1] != version:
                    seen.append(version)
            except Exception as exc:
                failures.append(repr(exc))
    print(json.dumps({"ok": ok, "failures": failures, "seen": seen}))
    """
)


def tool_cell(version: str, extra: str) -> str:
    return (
        f"def version() -> str:\n    return {version!r}\n\ndef {extra}(x: int) -> int:\n    return x + {len(extra)}\n"
    )


def define(session: NotebookSession, cell: str, key: str = "cell-1") -> None:
    namespace: dict = {}
    exec(compile(cell, "cell[1]", "exec"), namespace)
    session.define_cell(key, cell, namespace, "cell[1]")


def test_five_swaps_under_load_lose_no_request(tmp_path: Path) -> None:
    sets = [("a", "alpha"), ("b", "beta")]
    session = NotebookSession("swap", backend="native")
    try:
        define(session, tool_cell(*sets[0]))
        url = session.result(session.publish(), timeout=300).url
        stop = tmp_path / "stop"
        load = subprocess.Popen([sys.executable, "-c", LOAD, url, str(stop)], stdout=subprocess.PIPE, text=True)
        try:
            time.sleep(0.3)
            for swap in range(1, 6):
                version, extra = sets[swap % 2]
                define(session, tool_cell(version, extra))
                status = session.result(session.publish(), timeout=300)
                assert status.url == url and status.tools == ("version", extra)
                assert session.call("version") == version
                assert session.call(extra, {"x": 1}) == 1 + len(extra)
                time.sleep(0.3)  # the load sees this server too
        finally:
            stop.touch()
            out, _ = load.communicate(timeout=30)
        report = json.loads(out)
    finally:
        session.close()
    assert report["failures"] == []
    assert report["ok"] > 100
    assert report["seen"] == ["a", "b", "a", "b", "a", "b"]


def test_a_tool_codon_rejects_is_served_by_cpython_beside_the_native_ones(tmp_path: Path) -> None:
    """A Codon type error is no failure: the tool runs in CPython, with the cell's line as the
    reason, and answers as Python does; the native tools stay native."""
    session = NotebookSession("swap", backend="native", interim=False)
    try:
        both = 'def version() -> str:\n    n = 1\n    return str(n) + "b"\n\ndef alpha() -> int:\n    return 0\n'
        define(session, both)
        define(session, "def typed(s: str) -> str:\n    n = 1\n    return s + n if s else s\n", key="cell-2")
        status = session.result(session.publish(), timeout=300)
        engines = session.engines
        assert engines["version"].native and engines["alpha"].native
        assert not engines["typed"].native and (engines["typed"].file, engines["typed"].line) == ("cell[1]", 3)
        assert call_tool(status.url, "version", {}, unwrap=True) == "1b"
        assert call_tool(status.url, "typed", {"s": ""}, unwrap=True) == ""  # Python's answer, from CPython
        assert session._supervisor.process.argv[0].endswith(("/core", "/server"))  # type: ignore[union-attr]
    finally:
        session.close()


def test_a_failed_build_brings_the_previous_server_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the build runs, the python backend serves the new tools; the compiler then fails
    (here: a broken Codon install), and the previous native server answers again."""
    session = NotebookSession("swap", backend="native", interim=True)
    try:
        define(session, tool_cell("a", "alpha"))  # the same program as above: cached
        before = session.result(session.publish(), timeout=300)
        broken = tmp_path / "codon" / "bin" / "codon"
        broken.parent.mkdir(parents=True)
        broken.write_text("#!/bin/sh\nexit 1\n")
        broken.chmod(0o755)
        monkeypatch.setenv("CONDUIT_CODON", str(broken))
        define(session, 'def version() -> str:\n    return "b"\n')
        seen: list[Status] = []
        with pytest.raises(ConduitError):
            session.result(session.publish(progress=seen.append), timeout=300)
        assert [s.interim for s in seen] == [True] and seen[0].url == before.url
        assert call_tool(before.url, "alpha", {"x": 1}, unwrap=True) == 1 + len("alpha")  # the previous tools
        assert session._supervisor.process.argv[0].endswith(("/core", "/server"))  # type: ignore[union-attr]
    finally:
        session.close()
