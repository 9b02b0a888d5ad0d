"""Classes whose Python meaning Codon spells differently: exceptions and dataclasses.

class E(Exception)   Codon's exceptions are Static[...]  -> that form, its typename kept as E
@dataclass           no dataclasses module in Codon      -> annotated fields and generated
                                                            __init__/__repr__/__eq__/__c_asdict__
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .exceptions import EXCEPTION_ALIASES
from .runtime_names import PY

if TYPE_CHECKING:
    from .rewrite import RewriteContext

__all__ = ["call_name", "dataclass_class", "exception_class", "name_of"]


def exception_class(node: ast.ClassDef, base: str, ctx: RewriteContext) -> ast.ClassDef:
    """`class E(Base)` -> `class E(Static[Base])` whose typename is E (what a client sees)."""
    codon_base = EXCEPTION_ALIASES.get(base, base)
    node.bases = [ast.Subscript(ast.Name("Static", ast.Load()), ast.Name(codon_base, ast.Load()), ast.Load())]
    init = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
    if init is None:
        text = "def __init__(self, message: str = ''):\n    super().__init__(message)\n"
        init = _generated(text + f"    self.typename = {node.name!r}", node.lineno)
        node.body = [s for s in node.body if not isinstance(s, ast.Pass)] + [init]
    else:
        init.body.append(_generated(f"self.typename = {node.name!r}", init.lineno))
    for stmt in ast.walk(init):
        if isinstance(stmt, ast.Call) and _is_super_init(stmt) and len(stmt.args) > 1:
            ctx.problem(
                stmt, f"exception {node.name} is built from several values, which Codon's exceptions cannot hold"
            )
    return node


def dataclass_class(node: ast.ClassDef) -> ast.ClassDef:
    fields: list[tuple[str, ast.expr, ast.expr | None, ast.expr | None]] = []  # name, type, default, factory
    body: list[ast.stmt] = []
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            default, factory = stmt.value, None
            if isinstance(default, ast.Call) and call_name(default) == "field":
                keywords = {k.arg: k.value for k in default.keywords}
                default, factory = keywords.get("default"), keywords.get("default_factory")
            fields.append((stmt.target.id, stmt.annotation, default, factory))
            body.append(ast.AnnAssign(stmt.target, stmt.annotation, None, 1))
        else:
            body.append(stmt)
    name = node.name
    params = ", ".join(_init_param(*f) for f in fields)
    lines = [f"def __init__(self{', ' + params if params else ''}):"]
    for f_name, _annotation, _default, factory in fields:
        if factory is not None:
            lines.append(f"    self.{f_name} = {f_name} if {f_name} is not None else {ast.unparse(factory)}()")
        else:
            lines.append(f"    self.{f_name} = {f_name}")
    if len(lines) == 1:
        lines.append("    pass")
    line = node.lineno
    generated = [_generated("\n".join(lines), line)]
    shown = " + ', ' + ".join(f"{f!r} + '=' + repr(self.{f})" for f, *_ in fields) or "''"
    generated.append(_generated(f"def __repr__(self) -> str:\n    return {name!r} + '(' + {shown} + ')'", line))
    if fields:
        own = ", ".join(f"self.{f}" for f, *_ in fields)
        other = ", ".join(f"other.{f}" for f, *_ in fields)
        generated.append(
            _generated(f"def __eq__(self, other: {name}) -> bool:\n    return ({own},) == ({other},)", line)
        )
        pairs = ", ".join(f"({f!r}, {PY}.asdict(self.{f}))" for f, *_ in fields)
        generated.append(_generated(f"def __c_asdict__(self):\n    return _cj_object({pairs})", line))
    defined = {s.name for s in body if isinstance(s, ast.FunctionDef)}
    body += [g for g in generated if g.name not in defined]  # type: ignore[attr-defined]
    node.body = [s for s in body if not isinstance(s, ast.Pass)] or [ast.Pass()]
    return node


def name_of(target: ast.expr) -> str:
    """`f` of `f` or `m.f`; "" for anything else."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return ""


def call_name(node: ast.Call) -> str:
    return name_of(node.func)


def _is_super_init(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )


def _init_param(name: str, annotation: ast.expr, default: ast.expr | None, factory: ast.expr | None) -> str:
    codon_type = ast.unparse(annotation)
    if factory is not None:
        return f"{name}: Optional[{codon_type}] = None"
    if default is not None:
        return f"{name}: {codon_type} = {ast.unparse(default)}"
    return f"{name}: {codon_type}"


def _generated(text: str, line: int) -> ast.stmt:
    """A statement written by the rewrite, placed at `line` (errors in it point at that line)."""
    stmt = ast.parse(text).body[0]
    for sub in ast.walk(stmt):
        if isinstance(sub, (ast.stmt, ast.expr, ast.arg, ast.keyword, ast.excepthandler)):
            sub.lineno = sub.end_lineno = line
            sub.col_offset = sub.end_col_offset = 0
    return stmt
