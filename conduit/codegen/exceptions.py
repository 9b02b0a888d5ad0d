"""Python's exception hierarchy as a table, so `except E` can name every class Codon must match.

Codon matches an `except` clause by exact type; Python by subclass. The table knows Codon's
builtins, the classes of the modules a program imports and the user's own, and expands a clause
into the concrete classes it means (conduit.codegen.rewrite writes one clause per class).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BUILTIN_EXCEPTIONS", "EXCEPTION_ALIASES", "ExceptionTable"]

# Python's exception hierarchy, restricted to the classes Codon has (name -> parent).
BUILTIN_EXCEPTIONS: dict[str, str | None] = {
    "BaseException": None,
    "SystemExit": "BaseException",
    "Exception": "BaseException",
    "NameError": "Exception",
    "OSError": "Exception",
    "IOError": "OSError",  # one class in Python, two in Codon: `except OSError` catches both
    "EOFError": "Exception",
    "ValueError": "Exception",
    "LookupError": "Exception",
    "IndexError": "LookupError",
    "KeyError": "LookupError",
    "TypeError": "Exception",
    "ArithmeticError": "Exception",
    "ZeroDivisionError": "ArithmeticError",
    "OverflowError": "ArithmeticError",
    "AttributeError": "Exception",
    "RuntimeError": "Exception",
    "NotImplementedError": "RuntimeError",
    "StopIteration": "Exception",
    "AssertionError": "Exception",
}
# Python names Codon lacks, and the Codon class that stands for them (what Codon raises there).
EXCEPTION_ALIASES = {
    "EnvironmentError": "OSError",
    "FileNotFoundError": "IOError",
    "FileExistsError": "IOError",
    "IsADirectoryError": "IOError",
    "PermissionError": "IOError",
    "RecursionError": "RuntimeError",
}


@dataclass
class ExceptionTable:
    """Every exception class a program knows: Codon's builtins, the modules it imports, the user's.

    `parents` maps a class (as written in code) to its parent; `expand(E)` lists the concrete
    classes an `except E` must name, for Codon matches exceptions by exact type.
    """

    parents: dict[str, str | None] = field(default_factory=lambda: dict(BUILTIN_EXCEPTIONS))

    def add(self, name: str, parent: str) -> None:
        self.parents[name] = EXCEPTION_ALIASES.get(parent, parent)

    def known(self, name: str) -> bool:
        return name in self.parents or name in EXCEPTION_ALIASES

    def expand(self, name: str) -> list[str]:
        name = EXCEPTION_ALIASES.get(name, name)
        found = [c for c in self.parents if self._descends(c, name)]
        # the most derived first, so a subclass's clause is not shadowed by its parent's
        return sorted(found, key=lambda c: -self._depth(c))

    def everything(self) -> list[str]:
        """What a bare `except:` or `except BaseException` means, as named classes."""
        return self.expand("BaseException")

    def _descends(self, cls: str, ancestor: str) -> bool:
        seen = 0
        current: str | None = cls
        while current is not None and seen < 64:
            if current == ancestor:
                return True
            current = self.parents.get(current)
            seen += 1
        return False

    def _depth(self, cls: str) -> int:
        depth, current = 0, self.parents.get(cls)
        while current is not None and depth < 64:
            depth, current = depth + 1, self.parents.get(current)
        return depth
