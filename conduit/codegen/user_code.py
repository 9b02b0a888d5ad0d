"""The user's code in the generated program: each tool's whole program, rewritten, and its engine.

`analyze(tools)` finds every definition the tools reach (conduit.codegen.closure), rewrites each
one where Codon's meaning differs (conduit.codegen.rewrite) and decides per tool which engine
runs it: `native` when everything it reaches compiles with Python's meaning, `python` (CPython,
behind the same native front end) otherwise, with the first reason in the user's terms.
`emit_user_code` writes the native tools' definitions once each, in the order Codon needs:
imports, constants, classes, functions; every line mapped back to the user's file and line.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from .. import reporting
from ..routing import Route
from ..tools import Tool
from .closure import DIFFERENT_MEANING, Definition, Problem, WholeProgram, global_names, whole_program
from .decoders import Decoders, codon_param, emit_call, emit_guard
from .exceptions import BUILTIN_EXCEPTIONS, EXCEPTION_ALIASES, ExceptionTable
from .literals import json_displays
from .program import Writer
from .rewrite import RewriteContext, rewrite_definition
from .runtime_names import PY
from .unparse import codon_str, unparse_lines

__all__ = ["Engine", "Path", "PATH_CODES", "UserCode", "analyze", "emit_user_code", "PRELUDE"]

# Where a native tool's calls run; the codes are runtime/paths.codon's PATH_*.
Path = Literal["inline", "pool", "measured"]
PATH_CODES: dict[Path, int] = {"inline": 0, "pool": 1, "measured": 2}

# What every program with tools imports for the rewritten code (conduit/runtime/pysem.codon and
# the JSON builders); under `_c`-prefixed names no user name can shadow.
PRELUDE = f"""\
import conduit_runtime.pysem as {PY}
import sys as _c_sys
import re as _c_re
from conduit_runtime.json import json_object as _cj_object, json_array as _cj_array
from conduit_runtime.jsonbuild import json_dict as _cj_dict, json_list as _cj_list"""

_RE_FLAGS = ("IGNORECASE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII")
_KEEP_RETURN = {"str", "list", "dict", "optional"}  # return annotations that convert nothing


@dataclass(frozen=True)
class Engine:
    """Which engine runs a tool, and for CPython why, at the user's line."""

    native: bool
    reason: str = ""
    file: str | None = None
    line: int | None = None

    @property
    def name(self) -> str:
        return "native" if self.native else "python"

    def describe(self) -> str:
        if self.native:
            return "native"
        where = f" ({self.file}:{self.line})" if self.file and self.line else (f" ({self.file})" if self.file else "")
        return f"python: {self.reason}{where}"

    @classmethod
    def python(cls, problem: Problem) -> Engine:
        return cls(False, problem.message, problem.file, problem.line)


NATIVE = Engine(True)


@dataclass
class _Rewritten:
    lines: list[tuple[str, int]]  # (Codon text, line in the definition's source)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class UserCode:
    """The analyzed user code of an app's tools."""

    whole: WholeProgram
    engines: dict[str, Engine]  # by tool name, and route handlers by route_entry(index)
    rewritten: dict[tuple[int, str], _Rewritten]
    exceptions: ExceptionTable
    tools: dict[str, Tool]
    routes: dict[str, Route]

    @property
    def native_tools(self) -> list[Tool]:
        return [t for name, t in self.tools.items() if self.engines[name].native]

    @property
    def python_tools(self) -> list[Tool]:
        return [t for name, t in self.tools.items() if not self.engines[name].native]

    def owners(self, definition: Definition) -> list[str]:
        return [
            name for name in self.engines if self.engines[name].native and definition in self.whole.reached_by(name)
        ]

    def retry_safe(self, name: str) -> bool:
        """Whether a call can be run again in CPython after native code began it: nothing the
        entry reaches writes files, databases or processes (judged from the code's text)."""
        return not any(d.source is not None and _EFFECTS.search(d.source.text) for d in self.whole.reached_by(name))

    def reports(self, tool: Tool) -> dict[str, str]:
        """The names under which what `tool` reaches calls `conduit.progress` or `conduit.log`
        (name as written -> "progress" | "log"): such a call can stream its messages."""
        found: dict[str, str] = {}
        for d in self.whole.reached_by(tool.name):
            fn = d.value if d.kind == "function" else tool.fn if d.key == self.whole.tools[tool.name] else None
            namespace = getattr(fn, "__globals__", None)
            if d.source is None or namespace is None:
                continue
            for name in global_names(d.source.text, function=True):
                value = namespace.get(name)
                if value is reporting.progress or value is reporting.log:
                    found[name] = value.__name__
        return found

    def path(self, tool: Tool) -> Path:
        """Where a native tool's calls run (runtime/paths.codon): `blocking=` on the tool says,
        else the pool when what it reaches sleeps, opens files, or talks to SQLite or other
        processes (judged from the code's text), else inline while the server measures it."""
        return self._path(tool.name, tool.blocking)

    def route_blocks(self, index: int, route: Route) -> bool:
        """Whether route handler `index` runs on the worker pool: the same guess (routes are not
        measured: a route handler with nothing in its code to say it blocks stays inline). A
        handler that yields streams its body from the event loop (the pool answers whole bodies)."""
        if inspect.isgeneratorfunction(route.fn):
            return False
        return self._path(route_entry(index), route.blocking) == "pool"

    def _path(self, entry: str, said: bool | None) -> Path:
        if said is not None:
            return "pool" if said else "inline"
        reached = self.whole.reached_by(entry)
        return "pool" if any(d.source is not None and _BLOCKS.search(d.source.text) for d in reached) else "measured"


def route_entry(index: int) -> str:
    """The name a route handler goes by among the entry points (tools have their own names)."""
    return f"route {index}"


class Stdlib(Protocol):
    def provides(self, module: str, name: str) -> bool | None: ...


def analyze(
    tools: Iterable[Tool],
    routes: Iterable[Route] = (),
    forced: Mapping[str, Engine] | None = None,
    stdlib: Stdlib | None = None,
) -> UserCode:
    """Whole programs, rewrites and engines for `tools` (and route handlers).

    `forced` overrides an engine (a build failure's verdict); `stdlib` says which names Codon's
    modules define (conduit.toolchain.stdlib), so a missing one is found without a compile.
    """
    tools = {t.name: t for t in tools}
    routes = {route_entry(i): r for i, r in enumerate(routes)}
    forced = dict(forced or {})
    entries = {name: (t.fn, t.source) for name, t in tools.items()}
    entries.update({name: (r.fn, r.source) for name, r in routes.items()})
    whole = whole_program(entries)
    exceptions = _exception_table(whole)
    dataclasses_ = {d.emitted_name for d in whole.definitions.values() if d.kind == "class" and _is_dataclass(d)}
    modules = {d.emitted_name: d.module for d in whole.definitions.values() if d.kind == "import" and not d.attribute}
    imported = {
        d.emitted_name: f"{d.module}.{d.attribute}"
        for d in whole.definitions.values()
        if d.kind == "import" and d.attribute
    }
    rewritten: dict[tuple[int, str], _Rewritten] = {}
    tool_of = {key: name for name, key in whole.tools.items()}
    for key, definition in whole.definitions.items():
        entry = tools.get(tool_of.get(key, "")) or routes.get(tool_of.get(key, ""))
        rewritten[key] = _rewrite(definition, whole, exceptions, dataclasses_, modules, imported, entry, stdlib)
        if (
            definition.kind == "import"
            and definition.attribute
            and not definition.erased
            and definition.problem is None
        ):
            problem = _name_problem(definition.module, definition.attribute, stdlib)
            if problem is not None:
                definition.problem = Problem(problem)
    engines: dict[str, Engine] = {}
    for name, entry in {**tools, **routes}.items():
        if name in forced:
            engines[name] = forced[name]
            continue
        if getattr(entry, "native", None) is False:
            engines[name] = Engine(False, "marked native=False", entry.source.filename, entry.source.first_line)
            continue
        problems = [
            p for d in whole.reached_by(name) for p in (*([d.problem] if d.problem else []), *rewritten[d.key].problems)
        ]
        engines[name] = Engine.python(problems[0]) if problems else NATIVE
    # `except Exception` names every exception class the program has; now that some tools run in
    # CPython, their classes are not in it: the native code is written again without them.
    needed = {d.key for name, e in engines.items() if e.native for d in whole.reached_by(name)}
    emitted = _exception_table(whole, needed)
    if emitted.parents != exceptions.parents:
        for key in needed:
            definition = whole.definitions[key]
            entry = tools.get(tool_of.get(key, "")) or routes.get(tool_of.get(key, ""))
            rewritten[key] = _rewrite(definition, whole, emitted, dataclasses_, modules, imported, entry, stdlib)
    return UserCode(whole, engines, rewritten, emitted, tools, routes)


# -- rewriting one definition ------------------------------------------------------------------


def _rewrite(
    definition: Definition,
    whole: WholeProgram,
    exceptions: ExceptionTable,
    dataclasses_: set[str],
    modules: Mapping[str, str],
    imported: Mapping[str, str],
    entry: Tool | Route | None,
    stdlib: Stdlib | None = None,
) -> _Rewritten:
    if definition.problem is not None or definition.kind == "import":
        return _Rewritten([])
    if definition.kind == "constant":
        return _constant(definition)
    source = definition.source
    assert source is not None
    names = whole.names_in(definition)
    names[definition.name.split("#")[0]] = definition.emitted_name  # recursion, after a rename
    ctx = RewriteContext(
        names=names,
        exceptions=exceptions,
        dataclasses=dataclasses_,
        modules={written: modules[emitted] for written, emitted in names.items() if emitted in modules},
        imported={written: imported[emitted] for written, emitted in names.items() if emitted in imported},
        filename=source.filename,
        first_line=source.first_line,
        tool=entry is not None,
    )
    try:
        tree = ast.parse(source.text)
    except SyntaxError as exc:
        return _Rewritten([], [Problem(f"cannot parse: {exc.msg}", source.filename, source.first_line)])
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))), None)
    if node is None:
        return _Rewritten([], [Problem("no definition found in its source", source.filename, source.first_line)])
    tree.body = [node]
    if isinstance(node, ast.FunctionDef):
        if isinstance(entry, Tool):
            # A declared `dict[str, T]` / `list[T]` result is one Codon type: nothing to build as JSON.
            typed = entry.returns is not None and entry.returns.kind in _KEEP_RETURN and entry.returns.concrete
            if entry.streams:  # its items, not a list, leave the function
                typed = entry.returns is not None and entry.returns.item is not None and entry.returns.item.concrete
            ctx.json = json_displays(node, {p.name: p.type.codon() for p in entry.params}, escaping=not typed)
            _typed_header(node, entry)
        elif entry is not None:  # a route handler takes the request
            argument = node.args.args[0].arg if node.args.args else "req"
            ctx.json = json_displays(node, {argument: "Request"}, escaping=True)
            _route_header(node, entry, argument)
        else:
            ctx.json = json_displays(node, {}, escaping=False)
    try:
        tree = rewrite_definition(tree, ctx)
        if definition.emitted_name != node.name:
            tree.body[0].name = definition.emitted_name  # type: ignore[attr-defined]
        lines = list(unparse_lines(tree))
        for module, name, where in ctx.module_uses:
            problem = _name_problem(module, name, stdlib)
            if problem is not None:
                ctx.problem(where, problem)
    except (ValueError, RecursionError) as exc:
        return _Rewritten([], [Problem(f"cannot be written for Codon ({exc})", source.filename, source.first_line)])
    return _Rewritten(lines, ctx.problems)


def _name_problem(module: str, name: str, stdlib: Stdlib | None) -> str | None:
    """Why `module.name` cannot be used natively: Codon lacks it, or answers differently."""
    if (module, name) in DIFFERENT_MEANING:
        return f"{module}.{name} {DIFFERENT_MEANING[module, name]}"
    if stdlib is not None and stdlib.provides(module, name) is False:
        return f"Codon's {module!r} has no {name!r}"
    return None


def _typed_header(node: ast.FunctionDef, tool: Tool) -> None:
    """The tool's parameters with the Codon types its decoders produce; its return annotation
    only where it converts nothing (Codon would turn an int returned for `-> float` into 1.0)."""
    header = ast.parse(f"def _({', '.join(codon_param(p) for p in tool.params)}): pass").body[0]
    node.args = header.args  # type: ignore[attr-defined]
    keep = tool.returns is not None and tool.returns.kind in _KEEP_RETURN and tool.returns.concrete
    keep = keep and not tool.streams  # a generator returns its items one by one, not the list
    node.returns = ast.parse(tool.returns.codon(), mode="eval").body if keep else None  # type: ignore[union-attr]
    node.decorator_list = []


def _route_header(node: ast.FunctionDef, route: Route, argument: str) -> None:
    """`def handler(req: Request)`, `-> str` for text and bytes (natively, bytes are a str)."""
    returns = inspect.signature(route.fn).return_annotation
    node.args = ast.parse(f"def _({argument}: Request): pass").body[0].args  # type: ignore[attr-defined]
    text = returns in (str, bytes, "str", "bytes")
    node.returns = ast.Name("str", ast.Load()) if text else None
    node.decorator_list = []


def _constant(definition: Definition) -> _Rewritten:
    try:
        text = codon_value(definition.value)
    except ValueError as exc:
        return _Rewritten([], [Problem(f"the module-level value {definition.name!r} {exc}")])
    return _Rewritten([(f"{definition.emitted_name} = {text}", 1)])


def codon_value(value: Any) -> str:
    """A snapshot of a module-level value as a Codon expression; ValueError says why not."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValueError(f"holds the integer {value}, beyond 64 bits")
        return repr(value) if value != -(2**63) else "(-9223372036854775807 - 1)"
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(value)
    if isinstance(value, str):
        return codon_str(value)
    if isinstance(value, tuple):
        items = [codon_value(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, (list, set, frozenset)):
        if not value:
            raise ValueError(f"is an empty {type(value).__name__}, whose item type Codon cannot know")
        items = [codon_value(v) for v in (value if isinstance(value, list) else sorted(value, key=repr))]
        if isinstance(value, list):
            return "[" + ", ".join(items) + "]"
        return "{" + ", ".join(items) + "}"
    if isinstance(value, dict):
        if not value:
            raise ValueError("is an empty dict, whose key and value types Codon cannot know")
        return "{" + ", ".join(f"{codon_value(k)}: {codon_value(v)}" for k, v in value.items()) + "}"
    if type(value).__name__ == "Pattern" and type(value).__module__ == "re":
        flags = " | ".join(f"_c_re.{f}" for f in _RE_FLAGS if value.flags & getattr(re, f)) or "0"
        return f"_c_re.compile({codon_str(value.pattern)}, {flags})"
    raise ValueError(f"is a {type(value).__name__} object, which cannot be snapshotted into native code")


def _is_dataclass(definition: Definition) -> bool:
    return hasattr(definition.value, "__dataclass_fields__")


def _exception_table(whole: WholeProgram, keys: set[tuple[int, str]] | None = None) -> ExceptionTable:
    """Codon's exceptions plus the user's exception classes, under their names in the program
    (of the definitions `keys` only, when given: those the native program has)."""
    table = ExceptionTable()
    table.add("_c_re.error", "Exception")  # the prelude imports re as _c_re
    definitions = [d for d in whole.definitions.values() if keys is None or d.key in keys]
    for d in definitions:  # exception classes of the native modules a program imports
        if d.kind == "import" and d.problem is None:
            for module, attribute, parent in _MODULE_EXCEPTIONS:
                if d.module == module and not d.attribute:
                    table.add(f"{d.emitted_name}.{attribute}", parent)
                elif d.module == module and d.attribute == attribute:
                    table.add(d.emitted_name, parent)
    classes = [d for d in definitions if d.kind == "class" and isinstance(d.value, type)]
    for definition in classes:
        if not issubclass(definition.value, BaseException):
            continue
        parent = definition.value.__mro__[1]
        parent_definition = next((d for d in classes if d.value is parent), None)
        if parent_definition is not None:
            table.add(definition.emitted_name, parent_definition.emitted_name)
        elif parent.__name__ in BUILTIN_EXCEPTIONS or parent.__name__ in EXCEPTION_ALIASES:
            table.add(definition.emitted_name, parent.__name__)
        else:
            definition.problem = Problem(
                f"exception {definition.name} derives from {parent.__name__}, which Codon does not have",
                definition.source.filename if definition.source else None,
                definition.source.first_line if definition.source else None,
            )
    return table


# -- writing ----------------------------------------------------------------------------------

_MODULE_EXCEPTIONS = (
    ("statistics", "StatisticsError", "ValueError"),
    # sqlite3 (conduit/runtime/shims/sqlite3.codon): Python's hierarchy, a parent in the module
    # named as `import sqlite3` names it
    ("sqlite3", "Warning", "Exception"),
    ("sqlite3", "Error", "Exception"),
    ("sqlite3", "InterfaceError", "sqlite3.Error"),
    ("sqlite3", "DatabaseError", "sqlite3.Error"),
    ("sqlite3", "DataError", "sqlite3.DatabaseError"),
    ("sqlite3", "OperationalError", "sqlite3.DatabaseError"),
    ("sqlite3", "IntegrityError", "sqlite3.DatabaseError"),
    ("sqlite3", "InternalError", "sqlite3.DatabaseError"),
    ("sqlite3", "ProgrammingError", "sqlite3.DatabaseError"),
    ("sqlite3", "NotSupportedError", "sqlite3.DatabaseError"),
)
# Calls that change the world outside the process: such a tool is not run a second time.
_BLOCKS = re.compile(r"\bsleep\(|\bopen\(|\bsqlite3\b|\bos\.(system|popen|wait\w*)\b|\bsubprocess\b|\bsocket\b")
_EFFECTS = re.compile(
    r"\bopen\([^)]*[\"'][^\"']*[wax+]|\bsqlite3\b|\.write\(|\.commit\(|\bos\.(remove|unlink|rename|replace|mkdir|makedirs|rmdir|system)\b"
    r"|\bshutil\b|\bsubprocess\b"
)
_ORDER = {"import": 0, "constant": 1, "class": 2, "function": 3, "tool": 3}


def needed_definitions(code: UserCode) -> list[Definition]:
    """What the native entries reach, each once, in the order the program declares them."""
    needed: dict[tuple[int, str], Definition] = {}
    for name, engine in code.engines.items():
        if engine.native:
            for definition in code.whole.reached_by(name):
                needed[definition.key] = definition
    return _dependency_order(needed)


def import_lines(code: UserCode, definitions: Iterable[Definition]) -> dict[str, list[str]]:
    """Each import statement the definitions need, with the entries that need it."""
    owners: dict[str, list[str]] = {}
    for d in definitions:
        if d.kind == "import" and not d.erased:
            owners.setdefault(_import_line(d), []).extend(code.owners(d))
    return {line: list(dict.fromkeys(names)) for line, names in owners.items()}


def emit_definition(w: Writer, code: UserCode, definition: Definition) -> None:
    """One constant, class or function of the user's, rewritten, its lines mapped and owned."""
    rewritten = code.rewritten[definition.key]
    owners = code.owners(definition)
    source = definition.source
    if definition.kind == "constant":
        w.emit(f"# ---- constant {definition.name!r}, snapshotted at build time")
        w.emit_owned(rewritten.lines[0][0], owners)
        return
    assert source is not None
    what = {"tool": "tool", "function": "function", "class": "class"}[definition.kind]
    if definition.kind == "tool" and definition.key in {code.whole.tools[name] for name in code.routes}:
        what = "route handler"
    label = definition.name.split("#")[0]
    w.emit(f"# ---- {what} {label!r} ({source.filename}, line {source.first_line}) " + "-" * 20)
    originals = source.text.split("\n")
    for text, line in rewritten.lines:
        original = originals[line - 1] if 0 < line <= len(originals) else ""
        w.emit_user_line(text, source.filename, source.first_line + line - 1, original, owners)
    w.emit()


def emit_user_code(w: Writer, code: UserCode) -> dict[str, str]:
    """The native tools' definitions, each once; returns tool name -> its function's name."""
    ordered = needed_definitions(code)
    w.emit(PRELUDE)
    reports = {name: what for t in code.native_tools for name, what in code.reports(t).items()}
    for name, what in sorted(reports.items()):  # conduit.progress / conduit.log: runtime/stream.codon
        w.emit(f"from conduit_runtime.stream import {what}" + (f" as {name}" if name != what else ""))
    for line, owners in import_lines(code, ordered).items():
        w.emit_owned(line, owners)
    w.emit()
    for definition in ordered:
        if definition.kind != "import":
            emit_definition(w, code, definition)
    return function_names(code)


def function_names(code: UserCode) -> dict[str, str]:
    """Each native entry's function name in the program."""
    return {
        name: code.whole.definitions[code.whole.tools[name]].emitted_name
        for name in code.engines
        if code.engines[name].native
    }


def emit_guard_and_calls(w: Writer, code: UserCode, functions: Mapping[str, str], tools: list[Tool]) -> None:
    """`_c_guarded`, one `_call_N` per native tool, their decoders, and `_c_call_tool`: the call
    of tool N by index, or CALL_NEEDS_PYTHON for a tool CPython runs (its reason in `out`)."""
    emit_guard(w, code.exceptions.everything())
    decoders = Decoders()
    for index, tool in enumerate(tools):
        if code.engines[tool.name].native:
            emit_call(w, index, tool, functions[tool.name], decoders, retry=code.retry_safe(tool.name))
    for text in decoders.functions:
        w.emit(text)
    w.emit("def _c_call_tool(index: int, doc: _CJsonDoc, args: int, out: _CBuffer, st: _CMcpState) -> int:")
    w.emit('    """tools/call of tool `index` (its place in tools/list)."""')
    for index, tool in enumerate(tools):
        engine = code.engines[tool.name]
        w.emit(f"    if index == {index}:  # {tool.name}")
        if engine.native:
            w.emit(f"        return _call_{index}(doc, args, out, st)")
        else:
            w.emit(f"        return _c_needs_python(out, {codon_str(engine.describe())}, True)")
    w.emit('    return _c_fail(out, "unknown tool", _C_CALL_FAILED)')
    w.emit()


def _import_line(definition: Definition) -> str:
    module = "sqlite3" if definition.module == "sqlite3" else definition.module
    if not definition.attribute:
        root = module.split(".")[0]
        if definition.emitted_name == root:
            return f"import {module}"
        return f"import {module} as {definition.emitted_name}"
    if definition.attribute == definition.emitted_name:
        return f"from {module} import {definition.attribute}"
    return f"from {module} import {definition.attribute} as {definition.emitted_name}"


def _dependency_order(needed: Mapping[tuple[int, str], Definition]) -> list[Definition]:
    """Imports, constants, classes (each after the classes it names), then functions."""
    by_kind = sorted(needed.values(), key=lambda d: _ORDER[d.kind])
    classes = [d for d in by_kind if d.kind == "class"]
    placed: list[Definition] = []
    seen: set[tuple[int, str]] = set()

    def place(definition: Definition, depth: int = 0) -> None:
        if definition.key in seen or depth > len(classes):
            return
        seen.add(definition.key)
        for key in definition.uses.values():
            used = needed.get(key)
            if used is not None and used.kind == "class":
                place(used, depth + 1)
        placed.append(definition)

    for definition in classes:
        place(definition)
    return (
        [d for d in by_kind if d.kind in ("import", "constant")]
        + placed
        + [d for d in by_kind if d.kind in ("function", "tool")]
    )
