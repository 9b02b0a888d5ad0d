"""Find tool code that Codon rejects or runs differently from Python, before Codon runs.

Each finding names the user's line and says what to write instead; the facts come from probes of
Codon 0.19.3 (shared/DESIGN.md). Checking here is faster than a compile and speaks the user's terms.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from dataclasses import dataclass

_UNSUPPORTED_MODULES = {
    "json": "Codon has no json module; return dicts and lists and Conduit encodes them",
    "dataclasses": "Codon has no dataclasses; use a plain class with __init__",
    "asyncio": "Codon has no asyncio; write the tool as a plain function",
    "threading": "Codon has no threading.Thread; the server already runs one loop per core",
    "typing": "typing.Any and friends do not exist in Codon; annotate with concrete types",
    "pydantic": "pydantic is a Python library; Codon cannot import it",
}
_STR_METHODS_MISSING = {
    "format": 'str.format is not in Codon; use an f-string without a format spec, e.g. f"{x}"',
    "encode": "str.encode is not in Codon; strings are already UTF-8 bytes",
}
_BUILTINS = set(dir(builtins)) | {"List", "Dict", "Optional", "Tuple", "Ptr", "__file__", "__name__"}


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based, relative to the tool's source text
    message: str


def check_tool(func: ast.FunctionDef, known_names: Iterable[str] = ()) -> list[Finding]:
    """All findings for one tool (or route handler) function, in line order.

    `known_names` are names the generated program defines for the function (a route handler may
    use `Response` and `BadRequest`).
    """
    checker = _Checker(func)
    checker.bound.update(known_names)
    checker.visit_body(func)
    checker.check_free_names()
    return sorted(checker.findings, key=lambda f: f.line)


class _Checker(ast.NodeVisitor):
    def __init__(self, func: ast.FunctionDef) -> None:
        self.func = func
        self.findings: list[Finding] = []
        self.bound: set[str] = {a.arg for a in func.args.args + func.args.kwonlyargs}
        self.loaded: list[ast.Name] = []
        self.boolean_context: set[int] = set()

    def report(self, node: ast.AST, message: str) -> None:
        self.findings.append(Finding(getattr(node, "lineno", self.func.lineno), message))

    def visit_body(self, func: ast.FunctionDef) -> None:
        for stmt in func.body:
            self.visit(stmt)

    # -- constructs Codon lacks -----------------------------------------------------------------

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.report(node, "async functions are not supported by Codon; use a plain def")

    def visit_Await(self, node: ast.Await) -> None:
        self.report(node, "await is not supported by Codon; call the function directly")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._check_module(node, alias.name)
            self.bound.add((alias.asname or alias.name).split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._check_module(node, node.module or "")
        for alias in node.names:
            self.bound.add(alias.asname or alias.name)

    def _check_module(self, node: ast.AST, module: str) -> None:
        root = module.split(".")[0]
        if root in _UNSUPPORTED_MODULES:
            self.report(node, f"import {module}: {_UNSUPPORTED_MODULES[root]}")

    def visit_Try(self, node: ast.Try) -> None:
        for handler in node.handlers:
            if isinstance(handler.type, ast.Tuple):
                self.report(handler, "except (A, B) is not supported by Codon; write one except clause per exception")
            elif isinstance(handler.type, ast.Name) and handler.type.id in ("Exception", "BaseException"):
                self.report(
                    handler,
                    f"except {handler.type.id} does not catch subclasses in Codon (codon#737); "
                    "catch the specific exceptions (ValueError, KeyError, ...) or use a bare except:",
                )
            if handler.name:
                self.bound.add(handler.name)
        self.generic_visit(node)

    visit_TryStar = visit_Try

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Mod) and isinstance(node.left, (ast.Constant, ast.JoinedStr)):
            if isinstance(node.left, ast.JoinedStr) or isinstance(node.left.value, str):
                self.report(node, '%-formatting is not supported by Codon; use an f-string, e.g. f"{x}"')
        if isinstance(node.op, ast.BitOr) and _is_annotation_like(node):
            self.report(node, "X | None types are not supported by Codon; use Optional[X]")
        self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        if node.format_spec is not None:
            self.report(
                node,
                'format specs in f-strings (f"{x:.2f}") need a locale Codon may not have; '
                'round the value first, e.g. f"{round(x, 2)}"',
            )
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in _STR_METHODS_MISSING and isinstance(node.func.value, (ast.Constant, ast.JoinedStr, ast.Name)):
                self.report(node, _STR_METHODS_MISSING[name])
            if name == "get" and len(node.args) == 1 and not node.keywords:
                self.report(node, "dict.get(key) needs a default in Codon: write d.get(key, default)")
        self.generic_visit(node)

    # -- and/or as values -----------------------------------------------------------------------

    def _mark_condition(self, test: ast.expr) -> None:
        """`and`/`or` short-circuit in Codon only where the result is a condition."""
        if isinstance(test, ast.BoolOp):
            self.boolean_context.add(id(test))
            for value in test.values:
                self._mark_condition(value)
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            self._mark_condition(test.operand)

    def visit_If(self, node: ast.If) -> None:
        self._mark_condition(node.test)
        self.generic_visit(node)

    visit_While = visit_If

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._mark_condition(node.test)
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        self._mark_condition(node.test)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        for condition in node.ifs:
            self._mark_condition(condition)
        self._bind_target(node.target)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        if id(node) not in self.boolean_context:
            word = "and" if isinstance(node.op, ast.And) else "or"
            self.report(
                node,
                f"'{word}' used as a value does not short-circuit in Codon (both sides run); "
                "use an if statement or a conditional expression",
            )
        self.generic_visit(node)

    # -- names ----------------------------------------------------------------------------------

    def _bind_target(self, target: ast.AST) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self.bound.add(node.id)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.bound.add(node.id)
        else:
            self.loaded.append(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.bound.add(node.name)
        for arg in node.args.args + node.args.kwonlyargs:
            self.bound.add(arg.arg)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.bound.add(node.name)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for arg in node.args.args:
            self.bound.add(arg.arg)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.bound.add(node.target.id)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.report(node, "a tool is compiled on its own, without the module around it: global is not available")

    def check_free_names(self) -> None:
        reported: set[str] = set()
        for node in self.loaded:
            if node.id in self.bound or node.id in _BUILTINS or node.id in reported:
                continue
            reported.add(node.id)
            self.report(
                node,
                f"name '{node.id}' is not defined inside the tool; Conduit compiles each tool on its own, "
                "so import modules and define helpers inside the function body",
            )


def _is_annotation_like(node: ast.BinOp) -> bool:
    return any(isinstance(side, ast.Constant) and side.value is None for side in (node.left, node.right))
