"""What Codon's standard library provides, read from its sources: `from math import prod` checked
before a compile, not by one.

Codegen asks `provides(module, name)` for every `from module import name` and `module.name` in
tool code; a name the module does not define sends the tool to CPython with that reason at once,
instead of a failed compile (5-20 s) per missing name. The answer comes from the stdlib the build
really uses (the one beside the codon executable), parsed for its top-level names.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

__all__ = ["StdlibIndex", "stdlib_index"]

_TOP_LEVEL = re.compile(
    r"^(?:@\w+[^\n]*\n)*(?:def|class)\s+(\w+)|^(\w+)\s*(?::[^=\n]*)?=|^from\s+\S+\s+import\s+(.+)$|^import\s+(.+)$",
    re.MULTILINE,
)


class StdlibIndex:
    """The top-level names of each module of one Codon stdlib directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def provides(self, module: str, name: str) -> bool | None:
        """Whether `module` defines `name`; None if the module is not Codon's (a shim, say)."""
        names = self.names(module)
        if names is None:
            return None
        return name in names or (self.names(f"{module}.{name}") is not None)

    @functools.lru_cache(maxsize=None)
    def names(self, module: str) -> frozenset[str] | None:
        path = self.root.joinpath(*module.split("."))
        for candidate in (path.with_suffix(".codon"), path / "__init__.codon"):
            if candidate.is_file():
                return frozenset(_top_level_names(candidate.read_text(errors="replace")))
        return None


def _top_level_names(text: str) -> set[str]:
    found: set[str] = set()
    for match in _TOP_LEVEL.finditer(text):
        definition, assigned, from_names, imported = match.groups()
        if definition or assigned:
            found.add(definition or assigned)
        for part in (from_names or imported or "").replace("(", "").replace(")", "").split(","):
            words = part.split()
            if not words or words[0] == "*":
                continue
            found.add(words[-1] if len(words) >= 3 and words[-2] == "as" else words[0].split(".")[0])
    return found


@functools.lru_cache(maxsize=None)
def _index(root: str) -> StdlibIndex:
    return StdlibIndex(Path(root))


def stdlib_index(codon: Path | None = None) -> StdlibIndex:
    """The index of the stdlib that `codon` (default: the one builds use) compiles against."""
    from .cache import compiler

    codon = codon or compiler()
    return _index(str(codon.parent.parent / "lib" / "codon" / "stdlib"))
