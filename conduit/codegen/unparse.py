"""Rewritten tool code back to text: Codon's string literals, and where each line came from.

`ast.unparse` writes Python; Codon reads the same syntax except string literals (it has no
`\\u`/`\\N{}` escapes: a literal `"\\u2713 "` came back as six characters). Here every string is
written with the escapes Codon understands and non-ASCII text as UTF-8, and each output line
records the line of the statement it came from, so Codon's errors map back to the user's line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

__all__ = ["codon_str", "unparse_lines"]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def codon_str(text: str) -> str:
    """A Codon string literal with exactly `text`'s characters."""
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            raise ValueError("a lone surrogate cannot be written as UTF-8")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class _Unparser(ast._Unparser):  # type: ignore[name-defined,misc]
    """`ast._Unparser` with Codon string literals and a record of each statement's first line."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[tuple[int, int]] = []  # (output offset, source line)

    def traverse(self, node):  # type: ignore[no-untyped-def]
        if isinstance(node, ast.stmt) and getattr(node, "lineno", None):
            self.marks.append((sum(len(s) for s in self._source), node.lineno))
        return super().traverse(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.write(codon_str(node.value))
        else:
            super().visit_Constant(node)


def unparse_lines(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(line of Codon text, source line it came from) for a rewritten module or statement."""
    unparser = _Unparser()
    text = unparser.visit(tree)
    lines = text.split("\n")
    origin: dict[int, int] = {}  # output line index -> source line of the statement starting there
    for offset, source_line in unparser.marks:
        while offset < len(text) and text[offset] in " \n":
            offset += 1
        origin.setdefault(text.count("\n", 0, offset), source_line)
    current = unparser.marks[0][1] if unparser.marks else 1
    for index, line in enumerate(lines):
        current = origin.get(index, current)
        if line.strip():
            yield line, current
