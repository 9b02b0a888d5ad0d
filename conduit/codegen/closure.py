"""A tool's whole program: everything its function references, found transitively.

A tool is ordinary Python: it calls helpers defined beside it, uses module-level constants and
classes, imports modules. Before generating code, each tool's function is read with `symtable`
(the compiler's own scoping rules) for the global names it loads; each name is looked up in the
namespace the function runs in (its module, or the notebook's) and becomes a `Definition`:

    function   a user function: its source, compiled with the tool (its own globals in turn)
    class      a user class, with its methods
    constant   a value snapshotted now, at build time (ints, floats, strings, containers of them)
    import     a module (`import math`) or a name from one (`from math import sqrt`)

A definition the native server cannot have (an instance of some class, a module Codon lacks, a
constant mixing value types) carries a `problem`; the tools that reach it run in CPython, with
that reason. Nothing here decides more than that: codegen writes the definitions out.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
import re
import symtable
import sys
import sysconfig
import textwrap
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..tools import Source

__all__ = ["DIFFERENT_MEANING", "Definition", "Problem", "WholeProgram", "whole_program"]

Kind = Literal["function", "class", "constant", "import", "tool"]

# What Codon 0.19.3 provides under these names (each one used by a tool in the test corpus).
# `sqlite3` is Conduit's own shim (conduit/runtime/shims). Everything else runs in CPython.
NATIVE_MODULES = frozenset(
    {
        "bisect",
        "collections",
        "copy",
        "datetime",
        "functools",
        "heapq",
        "itertools",
        "math",
        "operator",
        "os",
        "os.path",
        "random",
        "re",
        "sqlite3",
        "statistics",
        "string",
        "sys",
        "time",
    }
)
# Names those modules provide whose answers are not CPython's: a tool using one runs in CPython.
_EXACT = "computes with exact fractions in CPython (a float sum natively) and keeps ints exact"
DIFFERENT_MEANING: dict[tuple[str, str], str] = {
    **{("statistics", name): _EXACT for name in ("mean", "variance", "pvariance", "stdev", "pstdev", "harmonic_mean")},
    **{
        ("statistics", name): "returns the middle item itself in CPython (an int stays an int), a float natively"
        for name in ("median", "median_low", "median_high")
    },
    ("statistics", "multimode"): "lists the modes in first-seen order in CPython, sorted natively",
    ("statistics", "median_grouped"): "differs from CPython's interpolation natively",
    ("statistics", "quantiles"): "differs from CPython's interpolation natively",
    ("statistics", "geometric_mean"): "differs from CPython's rounding natively",
}
# Imports that only matter to type checkers or are rewritten away (see conduit.codegen.rewrite).
ERASED_MODULES = frozenset({"typing", "dataclasses", "__future__", "collections.abc", "typing_extensions"})

_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()
_SITE = {Path(p).resolve() for p in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])}
_BUILTINS = frozenset(dir(builtins))
_CONSTANT_TYPES = (bool, int, float, str, type(None))


@dataclass(frozen=True)
class Problem:
    """Why a definition cannot be compiled natively, said in the user's terms, at their line."""

    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else ""
        return where + self.message


@dataclass
class Definition:
    """One global a tool's program needs. `key` is (id of its namespace, name)."""

    name: str
    kind: Kind
    namespace: int
    source: Source | None = None  # functions, classes, tools: their code and where it is
    value: Any = None  # constants: the value; imports: the module or object
    module: str = ""  # imports: the module it comes from
    attribute: str = ""  # `from module import attribute`
    uses: dict[str, tuple[int, str]] = field(default_factory=dict)  # name as written -> key
    problem: Problem | None = None
    emitted_name: str = ""  # its name in the generated program (renamed on a clash)
    erased: bool = False  # an import the rewrite removes (typing, dataclasses): not emitted

    @property
    def key(self) -> tuple[int, str]:
        return (self.namespace, self.name)


@dataclass
class WholeProgram:
    """The tools and every definition they reach, in the order the program declares them."""

    definitions: dict[tuple[int, str], Definition]
    tools: dict[str, tuple[int, str]]  # entry (tool or route) name -> key of its function's definition

    def names_in(self, definition: Definition) -> dict[str, str]:
        """How `definition`'s code must spell each global it uses (a clash renames some)."""
        return {name: self.definitions[key].emitted_name for name, key in definition.uses.items()}

    def reached_by(self, tool: str) -> list[Definition]:
        """The definitions `tool` needs, itself included, dependencies first."""
        seen: dict[tuple[int, str], Definition] = {}

        def visit(key: tuple[int, str]) -> None:
            if key in seen or key not in self.definitions:
                return
            seen[key] = self.definitions[key]
            for used in self.definitions[key].uses.values():
                visit(used)

        visit(self.tools[tool])
        return [d for k, d in self.definitions.items() if k in seen]

    def problems_of(self, tool: str) -> list[Problem]:
        return [d.problem for d in self.reached_by(tool) if d.problem is not None]

    def tools_using(self, key: tuple[int, str]) -> list[str]:
        return [name for name in self.tools if any(d.key == key for d in self.reached_by(name))]


def whole_program(entries: Mapping[str, tuple[Callable[..., Any], Source]]) -> WholeProgram:
    """Find every definition the entry points reach (tools and route handlers, by name: their
    function and its source); each entry's function is itself a definition."""
    finder = _Finder()
    keys = {name: finder.add_entry(name, fn, source) for name, (fn, source) in entries.items()}
    finder.resolve_names()
    return WholeProgram(finder.definitions, keys)


class _Finder:
    def __init__(self) -> None:
        self.definitions: dict[tuple[int, str], Definition] = {}
        self.namespaces: dict[int, Mapping[str, Any]] = {}  # keeps each namespace's id valid

    # -- entry points ----------------------------------------------------------------------

    def add_entry(self, entry: str, fn: Callable[..., Any], source: Source) -> tuple[int, str]:
        namespace = fn.__globals__
        self.namespaces[id(namespace)] = namespace
        name = fn.__name__
        key = (id(namespace), name)
        existing = self.definitions.get(key)
        if existing is not None and existing.value is fn:
            existing.kind = "tool"
            return key
        if existing is not None or namespace.get(name) is not fn:
            # A tool registered under a name its module binds to something else (or a second
            # function of that name): keep it apart under its own key.
            key = (id(namespace), f"{name}#{entry}")
        definition = Definition(name, "tool", id(namespace), source=source, value=fn)
        self.definitions[key] = definition
        definition.uses = self._references(source, namespace, function=True)
        return key

    def resolve_names(self) -> None:
        """Give every definition its name in the program: its own, unless two namespaces clash."""
        taken: dict[str, Definition] = {}
        for definition in self.definitions.values():
            name = definition.name.split("#")[0]
            other = taken.get(name)
            if other is not None and definition.kind == "import" and other.kind == "import":
                if (other.module, other.attribute) == (definition.module, definition.attribute):
                    definition.emitted_name = other.emitted_name  # the same import twice
                    continue
            emitted, n = name, 2
            while emitted in taken:
                emitted, n = f"{name}_{n}", n + 1
            taken[emitted] = definition
            definition.emitted_name = emitted

    # -- references ------------------------------------------------------------------------

    def _references(
        self, source: Source, namespace: Mapping[str, Any], *, function: bool
    ) -> dict[str, tuple[int, str]]:
        uses = {}
        for name in global_names(source.text, function=function):
            key = self._define(name, namespace, source)
            if key is not None:
                uses[name] = key
        return uses

    def _define(self, name: str, namespace: Mapping[str, Any], where: Source) -> tuple[int, str] | None:
        """The key of the definition `name` means in `namespace`, found (and its own uses) if new."""
        if name not in namespace:
            return None  # a builtin, or a NameError in Python too: left for Codon (and CPython)
        value = namespace[name]
        if _is_conduit(value):
            return None  # conduit's Request/Response/BadRequest: the runtime has their native twins
        user_function = isinstance(value, types.FunctionType) and is_user_code(value)
        user_class = isinstance(value, type) and is_user_class(value)
        if user_function or user_class:
            # A helper imported from another module of the user's lives in that module's namespace.
            home = value.__globals__ if user_function else _class_globals(value, namespace)
            home_name = value.__name__ if home.get(value.__name__) is value else name
            if home.get(home_name) is not value:
                home, home_name = namespace, name
            key = (id(home), home_name)
            if key in self.definitions:
                return key
            self.namespaces[id(home)] = home
            definition = (
                self._function(home_name, value, id(home)) if user_function else self._class(home_name, value, id(home))
            )
            self.definitions[key] = definition
            if definition.source is not None and definition.problem is None:
                definition.uses = self._references(definition.source, home, function=user_function)
            return key
        key = (id(namespace), name)
        if key not in self.definitions:
            definition = self._classify(name, value, namespace, where)
            if definition is None:
                return None
            self.definitions[key] = definition
        return key

    def _classify(self, name: str, value: Any, namespace: Mapping[str, Any], where: Source) -> Definition | None:
        ns = id(namespace)
        if isinstance(value, types.ModuleType):
            module = _public_module(value.__name__, "")
            definition = Definition(name, "import", ns, value=value, module=module)
            if module.split(".")[0] in ERASED_MODULES or module in ERASED_MODULES:
                definition.erased = True
                return definition
            if module not in NATIVE_MODULES:
                definition.problem = _module_problem(module, name, where)
            return definition
        library = _library_home(value)
        if library is not None:
            module, attribute = library
            definition = Definition(name, "import", ns, value=value, module=module, attribute=attribute)
            if module.split(".")[0] in ERASED_MODULES:
                definition.erased = True
                return definition
            if module not in NATIVE_MODULES:
                definition.problem = _module_problem(module, name, where)
            return definition
        problem = constant_problem(value)
        definition = Definition(name, "constant", ns, value=value)
        if problem is not None:
            definition.problem = Problem(f"the module-level value {name!r} {problem}", where.filename, None)
        return definition

    def _function(self, name: str, fn: types.FunctionType, ns: int) -> Definition:
        try:
            source = function_source(fn)
        except (OSError, TypeError) as exc:
            return Definition(
                name, "function", ns, value=fn, problem=Problem(f"cannot read the source of {name!r} ({exc})")
            )
        definition = Definition(name, "function", ns, source=source, value=fn)
        if fn.__name__ == "<lambda>":
            definition.problem = Problem(
                f"{name!r} is a lambda bound at module level; write it as a def to compile it",
                source.filename,
                source.first_line,
            )
        return definition

    def _class(self, name: str, cls: type, ns: int) -> Definition:
        try:
            source = class_source(cls)
        except (OSError, TypeError) as exc:
            return Definition(
                name, "class", ns, value=cls, problem=Problem(f"cannot read the source of class {name!r} ({exc})")
            )
        return Definition(name, "class", ns, source=source, value=cls)


# -- reading code -----------------------------------------------------------------------------


def global_names(text: str, *, function: bool) -> list[str]:
    """The global names a function (or class) definition loads, in order of first appearance.

    For a function, its parameter annotations and return annotation are not counted (the tool's
    header is generated, a helper's annotations are dropped); default values and decorators are.
    """
    table = symtable.symtable(text, "<tool>", "exec")
    found: dict[str, None] = {}
    top = table.get_children()
    tree = ast.parse(text)
    node = next(n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    # Names loaded at module scope by the definition itself: decorators, defaults, bases.
    for expr in _header_expressions(node, function=function):
        for sub in ast.walk(expr):
            if isinstance(sub, ast.Name):
                found.setdefault(sub.id)

    def walk(scope: symtable.SymbolTable) -> None:
        for symbol in scope.get_symbols():
            if symbol.is_referenced() and symbol.is_global():
                found.setdefault(symbol.get_name())
        for child in scope.get_children():
            walk(child)

    for child in top:
        walk(child)
    if isinstance(node, ast.ClassDef):  # field annotations name types the class needs
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign):
                for sub in ast.walk(stmt.annotation):
                    if isinstance(sub, ast.Name):
                        found.setdefault(sub.id)
    own = node.name
    return [name for name in found if name != own]


def _header_expressions(node: ast.AST, *, function: bool) -> list[ast.expr]:
    exprs: list[ast.expr] = list(getattr(node, "decorator_list", []))
    if isinstance(node, ast.ClassDef):
        exprs += node.bases + [k.value for k in node.keywords]
    else:
        args = node.args  # type: ignore[attr-defined]
        exprs += [d for d in args.defaults + args.kw_defaults if d is not None]
    return exprs


def function_source(fn: types.FunctionType) -> Source:
    lines, first_line = inspect.getsourcelines(fn)
    return Source(textwrap.dedent("".join(lines)), inspect.getsourcefile(fn) or fn.__code__.co_filename, first_line)


def class_source(cls: type) -> Source:
    """A class's source, also for classes defined in a notebook cell (whose module has no file).

    inspect.getsource finds a class through its module's file; a notebook's `__main__` has none,
    so the cell is found through the file names IPython gives each cell in `linecache`: first
    the files of the class's own methods, then every cell, newest first.
    """
    try:
        lines, first_line = inspect.getsourcelines(cls)
        return Source(textwrap.dedent("".join(lines)), inspect.getsourcefile(cls) or "<unknown>", first_line)
    except (OSError, TypeError):
        pass
    candidates = []
    for member in vars(cls).values():
        code = getattr(getattr(member, "__func__", member), "__code__", None)
        if code is not None:
            candidates.append(code.co_filename)
    candidates += sorted(linecache.cache, key=_cell_order, reverse=True)
    for filename in dict.fromkeys(candidates):
        text = "".join(linecache.getlines(filename))
        if f"class {cls.__name__}" not in text:
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                body = "\n".join(text.splitlines()[start - 1 : node.end_lineno]) + "\n"
                return Source(textwrap.dedent(body), filename, start)
    raise OSError(f"the source of class {cls.__name__} is not available")


def _cell_order(filename: str) -> tuple[int, str]:
    match = re.search(r"(\d+)\.py$", filename)
    return (int(match.group(1)) if match else -1, filename)


def _class_globals(cls: type, fallback: Mapping[str, Any]) -> Mapping[str, Any]:
    module = sys.modules.get(cls.__module__)
    return vars(module) if module is not None and cls.__module__ != "__main__" else fallback


def is_user_code(fn: types.FunctionType) -> bool:
    """A function of the user's (a file of theirs, a notebook cell), not of a library."""
    return _is_user_file(fn.__code__.co_filename)


def is_user_class(cls: type) -> bool:
    module = sys.modules.get(cls.__module__)
    if cls.__module__ in ("__main__", "builtins") or module is None:
        return cls.__module__ == "__main__"
    file = getattr(module, "__file__", None)
    return file is not None and _is_user_file(file)


def _is_user_file(filename: str) -> bool:
    if filename.startswith("<") and not filename.startswith("<ipython"):
        return filename != "<frozen>" and not filename.startswith("<frozen")
    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return True
    if any(path.is_relative_to(site) for site in _SITE):
        return False
    return not path.is_relative_to(_STDLIB)


def _is_conduit(value: Any) -> bool:
    module = getattr(value, "__module__", None) or getattr(value, "__name__", "")
    return isinstance(module, str) and (module == "conduit" or module.startswith("conduit."))


def _library_home(value: Any) -> tuple[str, str] | None:
    """(module, attribute) for a function, class or constant that a library module provides."""
    module = getattr(value, "__module__", None)
    name = getattr(value, "__name__", None)
    if isinstance(module, str) and isinstance(name, str) and module in sys.modules:
        return (_public_module(module, name), name)
    return None


def _public_module(module: str, name: str) -> str:
    """`_collections` -> `collections`, `posixpath` -> `os.path`: the name users import from."""
    aliases = {"posixpath": "os.path", "_collections": "collections", "_heapq": "heapq", "_bisect": "bisect"}
    if module in aliases:
        return aliases[module]
    if name and module.startswith("_") and module[1:] in sys.modules and hasattr(sys.modules[module[1:]], name):
        return module[1:]
    return module


def _module_problem(module: str, name: str, where: Source) -> Problem:
    hint = {
        "json": "Codon has no json module",
        "numpy": "numpy runs in CPython so that its results are numpy's",
    }.get(module.split(".")[0], f"Codon does not provide {module!r}")
    return Problem(f"uses {name!r} from {module!r}: {hint}", where.filename, None)


def constant_problem(value: Any, depth: int = 0) -> str | None:
    """None if `value` can be written into the program as a literal; else why not."""
    if depth > 32:
        return "is nested too deeply to snapshot"
    if isinstance(value, _CONSTANT_TYPES):
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            problem = constant_problem(item, depth + 1)
            if problem is not None:
                return problem
        shapes = {_shape(v) for v in value}
        if not isinstance(value, tuple) and len(shapes) > 1:
            return f"mixes value types ({', '.join(sorted(shapes))}), which Codon's containers cannot hold"
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            for part in (k, v):
                problem = constant_problem(part, depth + 1)
                if problem is not None:
                    return problem
        for what, parts in (("keys", value.keys()), ("values", value.values())):
            shapes = {_shape(v) for v in parts}
            if len(shapes) > 1:
                return f"mixes {what} of different types ({', '.join(sorted(shapes))}), which Codon's dicts cannot hold"
        return None
    if type(value).__name__ == "Pattern" and type(value).__module__ == "re":
        return None
    return f"is a {type(value).__name__} object, which cannot be snapshotted into native code"


def _shape(value: Any) -> str:
    """A value's type for Codon: containers by their item shapes (tuples keep every position)."""
    if isinstance(value, tuple):
        return "tuple[" + ", ".join(_shape(v) for v in value) + "]"
    if isinstance(value, (list, set, frozenset)):
        items = {_shape(v) for v in value}
        return f"{type(value).__name__}[{'|'.join(sorted(items)) if items else '?'}]"
    if isinstance(value, dict):
        keys = {_shape(k) for k in value}
        values = {_shape(v) for v in value.values()}
        return f"dict[{'|'.join(sorted(keys)) or '?'}, {'|'.join(sorted(values)) or '?'}]"
    return type(value).__name__
