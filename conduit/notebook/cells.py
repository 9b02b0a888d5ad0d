"""Reading a `%%conduit_tool` cell: the public functions it defines, each with its own source."""

from __future__ import annotations

import ast
import textwrap

from ..tools import Source

__all__ = ["cell_functions"]


def cell_functions(cell: str, filename: str) -> list[tuple[str, Source]]:
    """The public top-level functions a cell defines, each with its own source and first line."""
    tree = ast.parse(cell, filename)
    lines = cell.splitlines()
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            text = textwrap.dedent("\n".join(lines[start - 1 : node.end_lineno])) + "\n"
            found.append((node.name, Source(text, filename, start)))
    return found
