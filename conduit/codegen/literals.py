"""Which dict and list displays in a function become JSON builders, because Codon's are homogeneous.

`{"city": city, "temp": 21}` does not compile as written in Codon (a dict holds one value type).
A display becomes `_cj_object((key, value), ...)` (or `_cj_array(...)`) when its values are
provably of different kinds, and, in a tool's own function, whenever it *escapes*: it is returned
(directly, inside another escaping display or comprehension, or through a local name used only so)
and its values are not provably of one kind. A local that starts as `{}` or `[]` and is only
written (`d[k] = v`, `out.append(v)`), tested (`len`, `in`, truth) and returned becomes a mutable
builder (`_cj_dict()`, `_cj_list()`, conduit/runtime/jsonbuild.codon): the Python way of building
a result step by step. Everything else is left to Codon, which keeps its speed.

Kinds are known for constants, f-strings, typed parameters, `str()`/`int()`/`float()`/`len()`
calls, comparisons, a route request's parts (`req.params["id"]` is a str, `req.json()["name"]` a
JSON value) and local names assigned one known kind everywhere in the function.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["JsonPlan", "json_displays"]

JSON = "Json"
REQUEST = "Request"  # the parameter type of a route handler
JSON_VALUE = "JsonValue"  # a value of a route request's JSON body
_CONVERSIONS = {"str": "str", "int": "int", "float": "float", "len": "int", "bool": "bool", "repr": "str"}
_REQUEST_STR_PARTS = {"params", "query", "headers"}
_REQUEST_STR_ATTRIBUTES = {"method", "path"}
_WRITES = {"append", "extend"}  # list methods that only add
_READS_OK = {"len", "bool"}


@dataclass
class JsonPlan:
    objects: set[int] = field(default_factory=set)  # ids of Dict displays -> _cj_object
    arrays: set[int] = field(default_factory=set)  # ids of List displays -> _cj_array
    builders: dict[int, str] = field(default_factory=dict)  # display id -> "dict" | "list" builder


def json_displays(func: ast.FunctionDef, param_types: Mapping[str, str], *, escaping: bool) -> JsonPlan:
    """The displays of `func` to rewrite; `escaping` for a tool's own function (its result)."""
    finder = _Finder(func, param_types)
    plan = JsonPlan()
    if escaping:
        finder.find_escapes()
    for node in ast.walk(func):
        if isinstance(node, (ast.Dict, ast.List)) and finder.rewrite(node):
            (plan.objects if isinstance(node, ast.Dict) else plan.arrays).add(id(node))
    plan.builders = {i: kind for i, kind in finder.builders.items()}
    for i in plan.builders:
        plan.objects.discard(i)
        plan.arrays.discard(i)
    return plan


class _Finder:
    def __init__(self, func: ast.FunctionDef, param_types: Mapping[str, str]) -> None:
        self.func = func
        self.param_types = param_types
        self.local_kinds: dict[str, str | None] = {}
        self.escaping: set[int] = set()
        self.builders: dict[int, str] = {}
        self._parents = {id(c): p for p in ast.walk(func) for c in ast.iter_child_nodes(p)}
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if self._assignments(name) == 1:
                    self.local_kinds[name] = self.kind_of(node.value)

    # -- kinds ---------------------------------------------------------------------------

    def kind_of(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant):
            return None if node.value is None else type(node.value).__name__
        if isinstance(node, ast.JoinedStr):
            return "str"
        if isinstance(node, ast.Name):
            return self.param_types.get(node.id, self.local_kinds.get(node.id))
        if isinstance(node, (ast.Dict, ast.List)) and self.rewrite(node):
            return JSON
        if isinstance(node, ast.Attribute) and node.attr in _REQUEST_STR_ATTRIBUTES:
            return "str" if self.kind_of(node.value) == REQUEST else None
        if isinstance(node, ast.Subscript):
            return self._part_kind(node.value)
        if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
            return "bool"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return "str" if "str" in (self.kind_of(node.left), self.kind_of(node.right)) else None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _CONVERSIONS:
                return _CONVERSIONS[func.id]
            if isinstance(func, ast.Attribute) and self.kind_of(func.value) == REQUEST:
                return {"json": JSON_VALUE, "text": "str"}.get(func.attr)
            if isinstance(func, ast.Attribute) and self._part_kind(func.value) == "str":
                return {"get": "str", "getlist": "list[str]"}.get(func.attr)
        return None

    def _part_kind(self, container: ast.expr) -> str | None:
        """`container[...]` (or `.get(...)`): request parts hold str, JSON values JSON values."""
        if isinstance(container, ast.Attribute) and container.attr in _REQUEST_STR_PARTS:
            return "str" if self.kind_of(container.value) == REQUEST else None
        return JSON_VALUE if self.kind_of(container) == JSON_VALUE else None

    def rewrite(self, node: ast.Dict | ast.List) -> bool:
        if isinstance(node, ast.Dict) and not all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys
        ):
            return False
        values = node.values if isinstance(node, ast.Dict) else node.elts
        if any(isinstance(v, ast.Starred) for v in values):
            return False
        kinds = [self.kind_of(v) for v in values]
        known = {k for k in kinds if k is not None}
        if len(known) > 1 or (JSON in known and len(values) > 1):
            return True
        # an escaping display is JSON unless every value is provably of one kind
        return id(node) in self.escaping and len(values) > 0 and (None in kinds or JSON in known)

    # -- escapes ---------------------------------------------------------------------------

    def find_escapes(self) -> None:
        for node in ast.walk(self.func):
            # a generator tool's yields are its result's items
            if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None and self._own(node):
                self._escape(node.value)

    def _own(self, node: ast.AST) -> bool:
        """Not inside a nested function or lambda: a return of the function itself."""
        parent = self._parents.get(id(node))
        while parent is not None and parent is not self.func:
            if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                return False
            parent = self._parents.get(id(parent))
        return True

    def _escape(self, expr: ast.expr) -> None:
        if isinstance(expr, (ast.Dict, ast.List, ast.Tuple)):
            self.escaping.add(id(expr))
            for value in expr.values if isinstance(expr, ast.Dict) else expr.elts:
                self._escape(value)
        elif isinstance(expr, (ast.ListComp, ast.GeneratorExp)):
            self._escape(expr.elt)
        elif isinstance(expr, ast.DictComp):
            pass  # one value expression: Codon types it
        elif isinstance(expr, ast.IfExp):
            self._escape(expr.body)
            self._escape(expr.orelse)
        elif isinstance(expr, ast.Name):
            self._escape_name(expr.id)

    def _escape_name(self, name: str) -> None:
        """A local returned: a builder if it starts as a display and is only written and returned."""
        assigned = [
            n
            for n in ast.walk(self.func)
            if isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name)
            and n.targets[0].id == name
        ]
        if len(assigned) != 1 or self._assignments(name) != 1:
            return
        display = assigned[0].value
        if not isinstance(display, (ast.Dict, ast.List)) or id(display) in self.builders:
            return
        written: list[ast.expr] = []
        for node in ast.walk(self.func):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
                use = self._use(node, display)
                if use is None:
                    return  # read as a container: left to Codon
                written.extend(use)
        self.escaping.add(id(display))
        values = display.values if isinstance(display, ast.Dict) else display.elts
        kinds = {self.kind_of(v) for v in [*values, *written]}
        if len(kinds) == 1 and None not in kinds and JSON not in kinds:
            return  # one known kind throughout: a Codon container is right
        self.builders[id(display)] = "dict" if isinstance(display, ast.Dict) else "list"
        for value in [*values, *written]:
            self._escape(value)

    def _use(self, node: ast.Name, display: ast.Dict | ast.List) -> list[ast.expr] | None:
        """The values a use of a builder candidate writes, [] for a harmless use, None for a read."""
        parent = self._parents.get(id(node))
        if isinstance(parent, (ast.Return, ast.Yield)):
            return []
        if isinstance(parent, ast.Subscript) and parent.value is node:
            grand = self._parents.get(id(parent))
            if isinstance(grand, ast.Assign) and parent in grand.targets and isinstance(display, ast.Dict):
                return [grand.value]
            return None
        if isinstance(parent, ast.Attribute) and parent.value is node and isinstance(display, ast.List):
            call = self._parents.get(id(parent))
            if parent.attr in _WRITES and isinstance(call, ast.Call) and call.func is parent:
                return list(call.args) if parent.attr == "append" else []
            return None
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _READS_OK:
            return []
        if (
            isinstance(parent, ast.Compare)
            and node in parent.comparators
            and isinstance(parent.ops[0], (ast.In, ast.NotIn))
        ):
            return []
        if isinstance(parent, (ast.If, ast.While)) or (
            isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)
        ):
            return []
        if isinstance(parent, (ast.Dict, ast.List, ast.Tuple)) and id(parent) in self.escaping:
            return []
        return None

    def _assignments(self, name: str) -> int:
        return sum(1 for n in ast.walk(self.func) if _assigns(n, name))


def _assigns(node: ast.AST, name: str) -> bool:
    """Whether `node` binds `name` (assignment, augmented or annotated assignment, for target)."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension)):
        targets = [node.target]
    elif isinstance(node, ast.NamedExpr):
        targets = [node.target]
    else:
        return False
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) for t in targets for n in ast.walk(t)
    )
