"""Codon's error output, read and mapped back to the user's file and line.

Codon prints `program.codon:LINE (COL-COL): error: message`, then a chain of "during the
realization of" notes. The first error and its chain are matched against the program's
`SourceMap`: the innermost generated line that came from the user names the user's line. Every
error carries a hint worded for tool authors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..codegen.runtime_names import PROGRAM_FILE
from ..errors import BuildError

if TYPE_CHECKING:
    from ..codegen.program import SourceMap

RUNTIME_PACKAGE = "conduit_runtime"  # generated code says `from conduit_runtime.loop import serve`


def runtime_files(runtime: Path):
    """(path relative to `runtime`, path) of every runtime source, in a stable order."""
    for path in sorted(runtime.rglob("*")):
        rel = path.relative_to(runtime)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            yield rel.as_posix(), path


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STRING_LITERAL_TYPE = re.compile(r"''[^']*''")
# 0.19.3: `program.codon:2 (12-19): error: msg`; 0.18: `program.codon:2:12-19: error: msg`.
# Notes of the "during the realization of" chain start with `├─ ` or `╰─ `.
_DIAGNOSTIC = re.compile(
    r"^(?P<note>[\s│├╰─]*)"
    r"(?P<file>[^\s:][^:]*?):(?P<line>\d+)"
    r"(?: \((?P<col>\d+)(?:-\d+)?\)|:(?P<col2>\d+)(?:-\d+)?)?"
    r": (?P<kind>error|warning): (?P<message>.*)$"
)


@dataclass(frozen=True)
class _Diagnostic:
    file: str
    line: int
    column: int | None
    message: str
    note: bool


def _parse(output: str) -> list[_Diagnostic]:
    found = []
    for raw in _ANSI.sub("", output).splitlines():
        match = _DIAGNOSTIC.match(raw)
        if match and match["kind"] == "error":
            col = match["col"] or match["col2"]
            found.append(
                _Diagnostic(
                    file=match["file"],
                    line=int(match["line"]),
                    column=int(col) if col else None,
                    # Codon shows a string literal's type as the literal, quoted: ''a''.
                    message=_STRING_LITERAL_TYPE.sub("'str'", match["message"].strip()),
                    note=bool(match["note"].strip()),
                )
            )
    return found


_HINTS: tuple[tuple[str, str], ...] = (
    (
        r"unsupported operand type",
        "Codon is statically typed: convert explicitly so both sides have one type, e.g. str(n) + s or n + int(s).",
    ),
    (
        r"does not match expected type",
        "the value's type differs from the annotation or an earlier assignment; Codon does not convert "
        "implicitly: fix the annotation or convert the value.",
    ),
    (
        r"name '.*' is not defined",
        "define or import it in the tool's own code: the native server sees the tools' source, "
        "not notebook or module globals.",
    ),
    (
        r"no module named",
        "Codon has only part of Python's standard library (no json, dataclasses, asyncio, typing.Any); "
        "use what it has, or the python backend.",
    ),
    (
        r"has no attribute|no attribute",
        "Codon's built-in types have fewer methods than Python's (e.g. no str.encode, str.format); "
        "use another method or an f-string.",
    ),
    (
        r"syntax error|unexpected (dedent|indent)|invalid syntax",
        "fix the syntax on this line; Codon parses a subset of Python (e.g. write Optional[X], not X | None).",
    ),
    (
        r"cannot find -l",
        "the linker cannot find a library: install its development package (for zlib: apt-get install zlib1g-dev).",
    ),
    (
        r"undefined reference",
        "a `from C import` names a function the linker cannot find: check the name, or link its library with -l.",
    ),
    (r"process for 'g\+\+'", "Codon links with g++: install it (apt-get install g++)."),
)
_DEFAULT_HINT = (
    "tool code must be in the subset of Python that Codon compiles; "
    "valid Python can be served by the python backend meanwhile."
)


def _hint(message: str) -> str:
    for pattern, hint in _HINTS:
        if re.search(pattern, message, re.IGNORECASE):
            return hint
    return _DEFAULT_HINT


def _unlocated_message(output: str) -> str:
    lines = [line.strip() for line in _ANSI.sub("", output).splitlines() if line.strip()]
    for needle in ("undefined reference", "cannot find -l"):
        for line in lines:
            if needle in line:
                return line
    errors = [line for line in lines if "error" in line.lower()]
    if errors:
        return errors[-1]
    return lines[-1] if lines else "codon build failed without output"


def _file_line(path: Path, line: int) -> str | None:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


def build_error(output: str, work: Path, runtime: Path, source_map: SourceMap | None) -> BuildError:
    program_path = work / PROGRAM_FILE
    diagnostics = _parse(output)
    if not diagnostics:
        message = _unlocated_message(output)
        return BuildError(message, hint=_hint(message), output=output, program_path=str(program_path))
    # The first error, then its "during the realization of" chain, innermost first.
    primary = next((d for d in diagnostics if not d.note), diagnostics[0])
    start = diagnostics.index(primary)
    chain = [primary]
    for diagnostic in diagnostics[start + 1 :]:
        if not diagnostic.note:
            break
        chain.append(diagnostic)
    in_program = [d for d in chain if d.file == PROGRAM_FILE]
    program_line = in_program[0].line if in_program else None
    common = dict(
        hint=_hint(primary.message),
        output=output,
        program_path=str(program_path),
        program_line=program_line,
        program_lines=[d.line for d in in_program],
    )
    if source_map is not None:
        for diagnostic in in_program:
            origin = source_map.get(diagnostic.line)
            if origin is None:
                continue
            message = primary.message
            if diagnostic is not primary:
                message += f" (in {_display_path(primary.file, work, runtime)}:{primary.line}, reached from this line)"
            return BuildError(
                message,
                file=origin.file,
                line=origin.line,
                column=diagnostic.column,
                source_line=origin.text,
                **common,
            )
    path = _resolve(primary.file, work, runtime)
    return BuildError(
        primary.message,
        file=str(path) if path else primary.file,
        line=primary.line,
        column=primary.column,
        source_line=_file_line(path, primary.line) if path else None,
        **common,
    )


def _resolve(file: str, work: Path, runtime: Path) -> Path | None:
    """Codon names files by base name only; find the one it means, if it is ours."""
    if file == PROGRAM_FILE:
        return work / PROGRAM_FILE
    matches = [path for rel, path in runtime_files(runtime) if Path(rel).name == file]
    return matches[0] if len(matches) == 1 else None


def _display_path(file: str, work: Path, runtime: Path) -> str:
    path = _resolve(file, work, runtime)
    if path is None:
        return file
    if path.is_relative_to(runtime):
        return f"{RUNTIME_PACKAGE}/{path.relative_to(runtime).as_posix()}"
    return str(path)
