"""Serve the corpus natively and compare each answer with CPython's: the differential harness.

Used by tests/test_corpus.py (every case, a bounded number of generated examples) and by
benchmarks/corpus_report.py (the same, printed as figures). A case runs twice, once through the
native server and once directly in CPython (`reference.python_answer`), each time in the same
temporary directory emptied in between, so file and SQLite tools see the same world.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from conduit.app import Conduit
from conduit.loader import load_app
from conduit.serving import Supervisor, start_server

from .cases import with_tmp
from .reference import compare, python_answer

APP_FILE = Path(__file__).parent / "app.py"
SAMPLE_APP_FILE = Path(__file__).parent / "sample_app.py"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
_ids = itertools.count(1)


@dataclass
class Corpus:
    """The corpus app served natively, and a client for it."""

    app: Conduit
    server: Supervisor
    client: httpx.Client
    scratch: Path

    @property
    def engines(self) -> Mapping[str, Any]:
        return self.server.engines  # type: ignore[attr-defined]

    def native_answer(self, tool: str, arguments: Any) -> dict[str, Any]:
        """The tools/call answer as a client parses it: the result, or {"error": ...}."""
        body = {
            "jsonrpc": "2.0",
            "id": next(_ids),
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments},
        }
        reply = self.client.post(self.server.url, json=body, headers=HEADERS, timeout=60)
        message = reply.json()
        if "error" in message:
            return {"error": {"code": message["error"]["code"], "message": message["error"]["message"]}}
        result = message["result"]
        return {k: v for k, v in result.items() if k in ("content", "isError", "structuredContent")}

    def difference(self, tool: str, arguments: Any) -> str | None:
        """None if the native server answers `arguments` exactly as CPython does."""
        native = self.native_answer(tool, self._fresh(arguments))
        expected = python_answer(self.app.tools[tool], self._fresh(arguments))
        return compare(native, expected)

    def _fresh(self, arguments: Any) -> Any:
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.scratch.mkdir(parents=True)
        return with_tmp(arguments, str(self.scratch))


@contextmanager
def served_corpus(scratch: Path, app_file: Path = APP_FILE) -> Iterator[Corpus]:
    app = load_app(str(app_file))
    server = start_server(app, app.settings.with_address("127.0.0.1", 0), "native", app_spec=str(app_file))
    try:
        with httpx.Client() as client:
            yield Corpus(app, server, client, scratch)
    finally:
        server.close()


@dataclass
class Tally:
    """What a run found, tool by tool."""

    native_equal: set[str] = field(default_factory=set)
    python_equal: dict[str, str] = field(default_factory=dict)  # tool -> its engine's reason
    different: dict[str, list[str]] = field(default_factory=dict)  # tool -> its differences

    def record(self, tool: str, engine: Any, difference: str | None) -> None:
        if difference is not None:
            self.different.setdefault(tool, []).append(difference)
            self.native_equal.discard(tool)
            self.python_equal.pop(tool, None)
        elif tool not in self.different:
            if engine.native:
                self.native_equal.add(tool)
            else:
                self.python_equal[tool] = engine.describe()
