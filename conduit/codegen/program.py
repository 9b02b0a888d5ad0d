"""The generated Codon program as it is written: lines, where user lines came from, user functions.

`Writer` collects the program's lines and a `SourceMap` from the lines copied out of the user's
code to their file and line, so a Codon error maps back. `emit_function` copies one user function
(a tool or a route handler) after the pre-Codon checks, with its header rewritten to typed
parameters and its mixed-type literals rewritten (conduit.literals), every line kept in place.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UnsupportedCodeError
from .literals import rewrite_literals
from .subset import check_tool

if TYPE_CHECKING:
    from ..tools import Source

# Exceptions user code may raise, caught by name: Codon's `except Exception` does not catch
# subclasses (codon#737), so generated calls name each one; a bare `except:` catches the rest.
CAUGHT_EXCEPTIONS = (
    "ValueError",
    "ZeroDivisionError",
    "KeyError",
    "IndexError",
    "TypeError",
    "AssertionError",
    "OverflowError",
    "AttributeError",
    "NotImplementedError",
    "RuntimeError",
    "OSError",
    "StopIteration",
)


@dataclass(frozen=True)
class SourceLine:
    """Where a generated line came from: the user's file (or cell name), line and its text."""

    file: str
    line: int
    text: str


class SourceMap:
    """Generated program line (1-based) -> the user's line it was copied from.

    Codegen fills it while writing the program; `build` uses it to report errors in the
    user's terms. Lines codegen invents (dispatch, decoders) stay unmapped.
    """

    def __init__(self) -> None:
        self._lines: dict[int, SourceLine] = {}

    def add(self, program_line: int, file: str, line: int, text: str) -> None:
        self._lines[program_line] = SourceLine(file, line, text)

    def add_block(self, program_line: int, file: str, source: str, first_line: int = 1) -> None:
        """Map consecutive program lines from `program_line` on to the lines of `source`."""
        for offset, text in enumerate(source.splitlines()):
            self.add(program_line + offset, file, first_line + offset, text)

    def get(self, program_line: int) -> SourceLine | None:
        return self._lines.get(program_line)

    def __len__(self) -> int:
        return len(self._lines)

    def __repr__(self) -> str:
        return f"<SourceMap {len(self._lines)} lines>"


@dataclass(frozen=True)
class Program:
    """Generated Codon source, and where each of its lines that came from the user came from."""

    text: str
    source_map: SourceMap


class Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.source_map = SourceMap()

    def emit(self, text: str = "") -> None:
        self.out.extend(text.split("\n"))

    def emit_user(self, text: str, filename: str, first_line: int, originals: list[str]) -> None:
        for offset, line in enumerate(text.split("\n")):
            user_line = first_line + offset
            original = originals[offset] if offset < len(originals) else ""
            self.out.append(line)
            self.source_map.add(len(self.out), filename, user_line, original)

    def program(self) -> Program:
        return Program("\n".join(self.out) + "\n", self.source_map)


def emit_function(
    w: Writer,
    source: Source,
    what: str,
    header: Callable[[str], str],
    param_types: Mapping[str, str],
    taken: set[str],
    known_names: Iterable[str] = (),
) -> str:
    """Copy the function in `source` into the program; returns the name it has there.

    `what` names it in messages and comments ("tool 'add'", "route GET /users/:id");
    `header(name)` is its rewritten `def` line; `param_types` are its parameters' Codon types.
    """
    module = ast.parse(source.text)
    func = next((n for n in module.body if isinstance(n, ast.FunctionDef)), None)
    if func is None:
        raise UnsupportedCodeError(
            f"{what}: no function definition found in its source", file=source.filename, line=source.first_line
        )
    findings = check_tool(func, known_names)
    if findings:
        first = findings[0]
        more = "".join(f"\n  line {source.first_line + f.line - 1}: {f.message}" for f in findings[1:])
        lines = source.text.splitlines()
        raise UnsupportedCodeError(
            f"{first.message}{more}",
            file=source.filename,
            line=source.first_line + first.line - 1,
            source_line=lines[first.line - 1] if first.line <= len(lines) else None,
            hint=f"in {what}; Conduit compiles it with Codon, which runs a subset of Python",
        )
    name = func.name if func.name not in taken else f"{func.name}_{len(taken)}"
    text = rewrite_literals(source.text, func, param_types)
    lines = text.split("\n")
    header_end = func.body[0].lineno - 1 if func.body[0].lineno > func.lineno else func.lineno
    start = (func.decorator_list[0].lineno if func.decorator_list else func.lineno) - 1
    header_lines = header_end - func.lineno + 1
    lines[func.lineno - 1 : header_end] = [header(name)] + [""] * (header_lines - 1)
    for i in range(start, func.lineno - 1):
        lines[i] = ""
    while lines and not lines[-1].strip():
        lines.pop()
    w.emit(f"# ---- {what} ({source.filename}, line {source.first_line}) " + "-" * 20)
    w.emit_user("\n".join(lines), source.filename, source.first_line, source.text.split("\n"))
    w.emit()
    return name
