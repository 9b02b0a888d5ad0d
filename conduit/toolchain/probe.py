"""Type-check many cells in one `codon jit` session, each error reported against its own cell.

Codon's JIT reads cells separated by `#%%` lines from stdin, compiles and runs each, prints
`[done]` after each one and carries on after a failed cell. conduit.codegen.probe writes the
cells so that running them realizes every tool without calling it; this reads which cells
failed, and why, in the user's terms (through each cell's SourceMap).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import RUNTIME_DIR, SHIMS_DIR, cache_key, compiler, default_cache_dir
from .diagnostics import RUNTIME_PACKAGE, _Diagnostic, _parse

if TYPE_CHECKING:
    from ..codegen.program import Program

__all__ = ["CellError", "probe"]

_SEPARATOR = "#%%"
_DONE = "[done]"


@dataclass(frozen=True)
class CellError:
    """Why a cell failed: Codon's message and, when it maps back, the user's file and line."""

    index: int
    message: str
    file: str | None = None
    line: int | None = None
    where: tuple[int, int] | None = None  # (cell, line) of the user's code the error is at


def probe(
    cells: Sequence[Program], *, leaves: Collection[int] = (), timeout: float = 1800.0, sessions: int | None = None
) -> list[CellError]:
    """Run `cells` through `codon jit`; the errors of the cells that failed, in order.

    `leaves` are cells no later cell needs (a tool's call): they are shared out between
    `sessions` JIT processes run side by side (one per core by default), each with every other
    cell. A cell that kills the JIT (it happens: an LLVM assertion) is reported as failed, and
    its session runs again without it and without the leaves it got through. The outcome is
    kept in the cache: probing the same cells again costs nothing.
    """
    leaf_set = set(leaves)
    ordered_leaves = sorted(leaf_set)
    remembered = _remembered(cells, ordered_leaves)
    if remembered.is_file():
        return [_error_of(e) for e in json.loads(remembered.read_text())]
    shared = [i for i in range(len(cells)) if i not in leaf_set]
    count = max(1, min(sessions or os.cpu_count() or 1, len(ordered_leaves)))
    parts = [sorted(shared + ordered_leaves[k::count]) for k in range(count)]
    with ThreadPoolExecutor(count) as pool:
        found = pool.map(lambda part: _probe_part(cells, part, leaf_set, timeout), parts)
    errors: dict[int, CellError] = {}
    for part_errors in found:
        for error in part_errors:
            errors.setdefault(error.index, error)  # a shared cell fails alike in every session
    result = [errors[i] for i in sorted(errors)]
    remembered.parent.mkdir(parents=True, exist_ok=True)
    staged = remembered.with_suffix(f".{os.getpid()}.tmp")
    staged.write_text(json.dumps([asdict(e) for e in result]))
    staged.replace(remembered)
    return result


def _error_of(saved: dict) -> CellError:
    where = saved.pop("where")
    return CellError(**saved, where=tuple(where) if where else None)


def _remembered(cells: Sequence[Program], leaves: list[int]) -> Path:
    """Where this probe's outcome is kept: the same cells, runtime and Codon answer the same."""
    text = "".join(cell.text + _SEPARATOR for cell in cells) + repr(leaves)
    key = cache_key(text, codon=compiler(), version="jit", flags=(), name="probe")
    return default_cache_dir() / "probes" / f"{key}.json"


def _probe_part(cells: Sequence[Program], part: list[int], leaves: set[int], timeout: float) -> list[CellError]:
    errors: list[CellError] = []
    settled: set[int] = set()  # cells whose outcome is known: the dead ones, leaves run before them
    for _ in range(5):
        kept = [i for i in part if i not in settled]
        found, died_at = _run([cells[i] for i in kept], timeout)
        errors = [_renumbered(e, kept) for e in found] + [e for e in errors if e.index in settled]
        if died_at is None or died_at == 0:
            break
        settled.add(kept[died_at])
        settled.update(i for i in kept[:died_at] if i in leaves)
        errors = [e for e in errors if e.index in settled]  # the rest are found again
        errors.append(CellError(kept[died_at], "Codon's JIT failed on this code"))
    return errors


def _renumbered(error: CellError, kept: list[int]) -> CellError:
    """An error of a session over `kept`, with its cells numbered as in the whole probe."""
    where = (kept[error.where[0]], error.where[1]) if error.where else None
    return replace(error, index=kept[error.index], where=where)


def _run(cells: Sequence[Program], timeout: float) -> tuple[list[CellError], int | None]:
    """One JIT session: the errors by cell, and the cell it died in (None if it finished)."""
    codon = compiler()
    with tempfile.TemporaryDirectory(prefix="conduit-probe-") as work:
        root = Path(work)
        shutil.copytree(RUNTIME_DIR, root / RUNTIME_PACKAGE, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        for shim in sorted((RUNTIME_DIR / SHIMS_DIR).glob("*.codon")):
            shutil.copyfile(shim, root / shim.name)
        text = "".join(cell.text.rstrip("\n") + f"\n{_SEPARATOR}\n" for cell in cells)
        proc = subprocess.run(
            [str(codon), "jit"],
            input=text,
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # one stream: each error lands before its cell's [done]
            text=True,
            errors="replace",
            timeout=timeout,
        )
    chunks = proc.stdout.split(_DONE)
    errors = []
    for index, chunk in enumerate(chunks[: len(cells)]):
        found = _parse(chunk)
        if not found:
            continue
        primary = next((d for d in found if not d.note), found[0])
        where = _locate(found, cells, index)
        origin = cells[where[0]].source_map.get(where[1]) if where else None
        errors.append(
            CellError(index, primary.message, origin.file if origin else None, origin.line if origin else None, where)
        )
    died = len(chunks) <= len(cells)
    return errors, (len(chunks) - 1 if died else None)


_REALIZING = re.compile(r"during the realization of (%?[\w.]+)")


def _locate(found: Sequence[_Diagnostic], cells: Sequence[Program], failed: int) -> tuple[int, int] | None:
    """The innermost (cell, line) of Codon's chain that is the user's code.

    The JIT numbers each cell's lines from 1 and names no cell: a `<jit>` line is in the body of
    the function the next entry of the chain realizes (the outermost one, in the cell that
    failed), so that function's cell is found by its `def` (a method by its class)."""
    for k, diagnostic in enumerate(found):
        if diagnostic.file != "<jit>":
            continue
        enclosing = _REALIZING.match(found[k + 1].message) if k + 1 < len(found) else None
        cell = failed if enclosing is None else _defining_cell(enclosing[1], cells, failed)
        if cell is not None and cells[cell].source_map.get(diagnostic.line) is not None:
            return cell, diagnostic.line
    return None


def _defining_cell(function: str, cells: Sequence[Program], failed: int) -> int | None:
    if function.startswith("%"):  # a lambda: the call wrapper's, in the cell that failed
        return failed
    parts = function.split(".")
    header = rf"^class {re.escape(parts[0])}\b" if len(parts) > 1 else rf"^def {re.escape(parts[0])}\("
    pattern = re.compile(header, re.M)
    return next((i for i in range(failed, -1, -1) if pattern.search(cells[i].text)), None)
