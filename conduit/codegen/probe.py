"""The app's native code as cells for Codon's JIT: every failing tool found in one pass.

`codon build` stops at the first type error, so finding each tool Codon rejects by rebuilding
would cost one whole compile per tool. Codon's JIT type-checks cell by cell and goes on after a
failed cell, so the same code is cut into cells (each import on its own, the constants, classes
and functions in batches, then each tool's call wrapper, realized without running) and one JIT session reports
every cell that fails; conduit.toolchain.probe runs it, conduit.serving maps the failures to the
tools that own them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .decoders import Decoders, emit_call, emit_guard
from .program import Program, Writer
from .server import emit_imports
from .user_code import PRELUDE, UserCode, emit_definition, function_names, import_lines, needed_definitions

if TYPE_CHECKING:
    from ..tools import Tool
    from .closure import Definition

__all__ = ["Cell", "probe_cells"]

# Modules the JIT cannot load (a `from C import LIBRARY.fn` shim): the tools using them are left
# to the real build.
JIT_UNSAFE_MODULES = frozenset({"sqlite3"})
# Each JIT cell costs about a second whatever its size, and a function or constant is rarely what
# fails (Codon checks a function when a call realizes it), so they share cells; a failure in one
# is pinned on the owners of its line (`Cell.owners_of`). Classes keep a cell each.
DEFINITIONS_PER_CELL = 16


@dataclass(frozen=True)
class Cell:
    """One JIT cell: its code, and the entries (tools) that cannot be native if it fails."""

    program: Program
    owners: tuple[str, ...]
    leaf: bool = False  # a tool's call: no later cell needs it


def probe_cells(code: UserCode, tools: list[Tool]) -> list[Cell]:
    """The cells, in order; a tool's own call cell carries its index in tools/list."""
    all_tools = tools
    cells: list[Cell] = []

    def cell(owners: list[str] | tuple[str, ...], fill) -> None:
        w = Writer()
        fill(w)
        cells.append(Cell(w.program(), tuple(owners)))

    def header(w: Writer) -> None:
        emit_imports(w, server=False)
        w.emit(PRELUDE)

    cell((), header)
    ordered = needed_definitions(code)
    unsafe = {
        name
        for d in ordered
        if d.kind == "import" and d.module.split(".")[0] in JIT_UNSAFE_MODULES
        for name in code.owners(d)
    }
    ordered = [d for d in ordered if not set(code.owners(d)) <= unsafe]
    tools = [t for t in tools if t.name not in unsafe]
    for line, owners in import_lines(code, ordered).items():
        owners = [n for n in owners if n not in unsafe]
        cell(owners, lambda w, line=line, owners=owners: w.emit_owned(line, owners))
    batches: list[list[Definition]] = []
    for definition in ordered:
        if definition.kind == "class":  # the JIT rejects some classes (inheritance) on its own
            batches += [[definition], []]
        elif definition.kind != "import":
            if not batches or len(batches[-1]) == DEFINITIONS_PER_CELL:
                batches.append([])
            batches[-1].append(definition)
    for batch in filter(None, batches):
        owners = list(dict.fromkeys(n for d in batch for n in code.owners(d) if n not in unsafe))

        def emit_batch(w: Writer, batch: list = batch) -> None:
            for definition in batch:
                emit_definition(w, code, definition)

        cell(owners, emit_batch)
    # The guard catches Python's and the modules' exceptions; the user's own classes matter to
    # no tool's type check, and one the JIT rejects would fail every tool's cell.
    users = {d.emitted_name or d.name for d in needed_definitions(code) if d.kind == "class"}
    caught = [e for e in code.exceptions.everything() if e not in users and e.split(".")[0] not in JIT_UNSAFE_MODULES]
    cell((), lambda w: emit_guard(w, caught))
    functions = function_names(code)
    decoders = Decoders()
    calls: list[tuple[int, Tool]] = [
        (i, t) for i, t in enumerate(all_tools) if code.engines[t.name].native and t.name not in unsafe
    ]
    for index, tool in calls:
        probe = Writer()
        emit_call(probe, index, tool, functions[tool.name], decoders, retry=True)
        probe.emit_owned(realize(index), [tool.name])
        cells.append(Cell(probe.program(), (tool.name,), leaf=True))
    if decoders.functions:  # the decoders the wrappers use, before them
        w = Writer()
        for text in decoders.functions:
            w.emit(text)
        cells.insert(len(cells) - len(calls), Cell(w.program(), ()))
    return cells


def realize(index: int) -> str:
    """A line that makes Codon type-check `_call_{index}` without running it. (It names no global
    of an earlier cell: after a failed cell, the JIT may have lost those.)"""
    config = '_CMcpConfig("", "", "", False, False, List[str](), List[str]())'
    return (
        f"if len(_c_sys.argv) > 1000000:\n"
        f"    _c_sys.exit(_call_{index}(_CJsonDoc(), 0, _CBuffer(), _CMcpState({config})))"
    )
