"""Read a tool's description and its parameters' descriptions from a Google- or NumPy-style docstring."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

_GOOGLE_SECTION = re.compile(r"^(Args|Arguments|Parameters|Params|Returns?|Yields?|Raises|Examples?|Notes?):\s*$")
_GOOGLE_PARAM_SECTIONS = {"Args", "Arguments", "Parameters", "Params"}
_GOOGLE_PARAM = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_UNDERLINE = re.compile(r"^-{3,}\s*$")
_NUMPY_PARAM = re.compile(r"^\*{0,2}(\w+)\s*(?::.*)?$")


@dataclass
class Docstring:
    summary: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    """Split a docstring into the text before its first section and the per-parameter descriptions."""
    if not doc:
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    first_section = len(lines)
    for i, line in enumerate(lines):
        if _GOOGLE_SECTION.match(line) or _is_numpy_header(lines, i):
            first_section = i
            break
    summary = "\n".join(lines[:first_section]).strip()
    params = _google_params(lines) or _numpy_params(lines)
    return Docstring(summary=summary, params=params)


def _is_numpy_header(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and bool(lines[i].strip()) and bool(_NUMPY_UNDERLINE.match(lines[i + 1]))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _google_params(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    in_section = False
    base_indent = -1
    current: str | None = None
    for line in lines:
        header = _GOOGLE_SECTION.match(line)
        if header:
            in_section = header.group(1) in _GOOGLE_PARAM_SECTIONS
            base_indent, current = -1, None
            continue
        if not in_section or not line.strip():
            continue
        indent = _indent(line)
        if base_indent < 0:
            base_indent = indent
        if indent == base_indent and (match := _GOOGLE_PARAM.match(line.strip())):
            current = match.group(1)
            params[current] = match.group(2).strip()
        elif indent > base_indent and current is not None:
            params[current] = f"{params[current]} {line.strip()}".strip()
        elif indent < base_indent:
            in_section = False
    return params


def _numpy_params(lines: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        if _is_numpy_header(lines, i) and lines[i].strip() in ("Parameters", "Other Parameters"):
            i += 2
            current: str | None = None
            while i < len(lines) and not _is_numpy_header(lines, i):
                line = lines[i]
                if line.strip() and _indent(line) == 0 and (match := _NUMPY_PARAM.match(line.strip())):
                    current = match.group(1)
                    params[current] = ""
                elif line.strip() and current is not None:
                    params[current] = f"{params[current]} {line.strip()}".strip()
                i += 1
            continue
        i += 1
    return params
