"""The generated Codon program as it is written: its lines, and where the user's lines came from.

`Writer` collects the program's lines and a `SourceMap`: each line copied out of the user's code
maps to their file and line, so a Codon error maps back, and each line that belongs to some tools
(their code, their call wrappers) names them, so a build failure can be pinned on those tools.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SourceLine:
    """Where a generated line came from: the user's file (or cell name), line and its text."""

    file: str
    line: int
    text: str


class SourceMap:
    """Generated program line (1-based) -> the user's line it was copied from, and its owners.

    Codegen fills it while writing the program; `build` uses it to report errors in the
    user's terms. Lines codegen invents (dispatch, decoders) stay unmapped.
    """

    def __init__(self) -> None:
        self._lines: dict[int, SourceLine] = {}
        self._owners: dict[int, tuple[str, ...]] = {}

    def add(self, program_line: int, file: str, line: int, text: str) -> None:
        self._lines[program_line] = SourceLine(file, line, text)

    def own(self, program_line: int, owners: Iterable[str]) -> None:
        owners = tuple(owners)
        if owners:
            self._owners[program_line] = owners

    def add_block(self, program_line: int, file: str, source: str, first_line: int = 1) -> None:
        """Map consecutive program lines from `program_line` on to the lines of `source`."""
        for offset, text in enumerate(source.splitlines()):
            self.add(program_line + offset, file, first_line + offset, text)

    def get(self, program_line: int) -> SourceLine | None:
        return self._lines.get(program_line)

    def owners(self, program_line: int) -> tuple[str, ...]:
        """The tools (or routes) whose code this line is; () for shared generated code."""
        return self._owners.get(program_line, ())

    def __len__(self) -> int:
        return len(self._lines)

    def __repr__(self) -> str:
        return f"<SourceMap {len(self._lines)} lines>"


@dataclass(frozen=True)
class Program:
    """Generated Codon source, and where each of its lines that came from the user came from."""

    text: str
    source_map: SourceMap
    engines: Mapping[str, Any] = field(default_factory=dict)  # per tool: its Engine (codegen.user_code)


class Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.source_map = SourceMap()

    def emit(self, text: str = "") -> None:
        self.out.extend(text.split("\n"))

    def emit_owned(self, text: str, owners: Sequence[str]) -> None:
        """Generated lines that belong to `owners` (a tool's call wrapper, say)."""
        for line in text.split("\n"):
            self.out.append(line)
            self.source_map.own(len(self.out), owners)

    def emit_user_line(self, text: str, filename: str, line: int, original: str, owners: Sequence[str]) -> None:
        """One line of the user's (rewritten) code, mapped to `filename:line`."""
        self.out.append(text)
        self.source_map.add(len(self.out), filename, line, original)
        self.source_map.own(len(self.out), owners)

    def program(self, engines: Mapping[str, Any] | None = None) -> Program:
        return Program("\n".join(self.out) + "\n", self.source_map, dict(engines or {}))
