"""Rewrite mixed-type dict and list literals in tool code into the runtime's JSON builder.

Codon's dicts and lists are homogeneous, so `{"city": city, "temp": 21}` does not compile as
written. A literal whose values are provably of different types (constants, parameters, f-strings,
nested rewritten literals) becomes `_cj_object(("city", city), ("temp", 21))`, which
builds the same JSON. Literals whose types are unknown or equal are left to Codon.
The rewrite keeps every line where it was, so compiler errors still point at the user's lines.

Kinds are known for constants, f-strings, typed parameters, `str()`/`int()`/`float()`/`len()`
calls, a route request's parts (`req.params["id"]` is a str, `req.json()["name"]` a JSON value)
and local names assigned one known kind everywhere in the function.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

JSON = "Json"
REQUEST = "Request"  # the parameter type of a route handler
JSON_VALUE = "JsonValue"  # a value of a route request's JSON body
_CONVERSIONS = {"str": "str", "int": "int", "float": "float", "len": "int", "bool": "bool"}
_REQUEST_STR_PARTS = {"params", "query", "headers"}
_REQUEST_STR_ATTRIBUTES = {"method", "path"}


def rewrite_literals(source: str, func: ast.FunctionDef, param_types: Mapping[str, str]) -> str:
    """Return `source` (the text `func` was parsed from) with mixed literals rewritten."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode()))
    data = source.encode()

    def pos(lineno: int, col: int) -> int:
        return offsets[lineno - 1] + col

    def segment(node: ast.AST) -> tuple[int, int]:
        return pos(node.lineno, node.col_offset), pos(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def kind_of(node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant):
            return None if node.value is None else type(node.value).__name__
        if isinstance(node, ast.JoinedStr):
            return "str"
        if isinstance(node, ast.Name):
            return param_types.get(node.id, local_kinds.get(node.id))
        if isinstance(node, (ast.Dict, ast.List)) and needs_rewrite(node):
            return JSON
        if isinstance(node, ast.Attribute) and node.attr in _REQUEST_STR_ATTRIBUTES:
            return "str" if kind_of(node.value) == REQUEST else None
        if isinstance(node, ast.Subscript):
            return _part_kind(node.value, kind_of)
        if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
            return "bool"
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return "str" if "str" in (kind_of(node.left), kind_of(node.right)) else None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _CONVERSIONS:
                return _CONVERSIONS[func.id]
            if isinstance(func, ast.Attribute) and kind_of(func.value) == REQUEST:
                return {"json": JSON_VALUE, "text": "str"}.get(func.attr)
            if isinstance(func, ast.Attribute) and _part_kind(func.value, kind_of) == "str":
                return {"get": "str", "getlist": "list[str]"}.get(func.attr)
        return None

    def needs_rewrite(node: ast.Dict | ast.List) -> bool:
        values = node.values if isinstance(node, ast.Dict) else node.elts
        if isinstance(node, ast.Dict) and not all(
            isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys
        ):
            return False
        kinds = [kind_of(v) for v in values]
        known = {k for k in kinds if k is not None}
        return len(known) > 1 or (JSON in known and len(values) > 1)

    local_kinds: dict[str, str | None] = {}  # names assigned once, in walk order
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if sum(1 for n in ast.walk(func) if _assigns(n, name)) == 1:
                local_kinds[name] = kind_of(node.value)

    def render(node: ast.AST) -> str:
        """Source text of `node`, with every rewritable literal inside it rewritten."""
        start, end = segment(node)
        if isinstance(node, (ast.Dict, ast.List)) and needs_rewrite(node):
            return rewrite(node, end - start)
        pieces, cursor = [], start
        for child in _outermost_literals(node):
            c_start, c_end = segment(child)
            pieces.append(data[cursor:c_start].decode())
            pieces.append(render(child))
            cursor = c_end
        pieces.append(data[cursor:end].decode())
        return "".join(pieces)

    def rewrite(node: ast.Dict | ast.List, original_length: int) -> str:
        if isinstance(node, ast.Dict):
            # Values go in as they are (no `_cj(...)` per value): one buffer for the whole object,
            # and a mixed tuple of pairs, which Codon iterates unrolled; 3.6x faster than wrapping.
            items = [f"({ast.unparse(k)}, {render(v)})" for k, v in zip(node.keys, node.values)]
            text = f"_cj_object({', '.join(items)})"
        else:
            text = f"_cj_array({', '.join(render(e) for e in node.elts)})"
        original_lines = data[segment(node)[0] : segment(node)[1]].decode().count("\n")
        return text[:-1] + "\n" * max(0, original_lines - text.count("\n")) + ")"

    pieces, cursor = [], 0
    for node in _outermost_literals(func):
        start, end = segment(node)
        pieces.append(data[cursor:start].decode())
        pieces.append(render(node))
        cursor = end
    pieces.append(data[cursor:].decode())
    return "".join(pieces)


def _part_kind(container: ast.expr, kind_of) -> str | None:
    """The kind of `container[...]` (or `container.get(...)`): request parts hold str, JSON values JSON values."""
    if isinstance(container, ast.Attribute) and container.attr in _REQUEST_STR_PARTS:
        return "str" if kind_of(container.value) == REQUEST else None
    return JSON_VALUE if kind_of(container) == JSON_VALUE else None


def _assigns(node: ast.AST, name: str) -> bool:
    """Whether `node` binds `name` (assignment, augmented or annotated assignment, for target)."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension)):
        targets = [node.target]
    else:
        return False
    return any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t))


def _outermost_literals(node: ast.AST) -> list[ast.Dict | ast.List]:
    """Dict and list displays inside `node` that are not inside another one, in source order."""
    found: list[ast.Dict | ast.List] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Dict, ast.List)):
            found.append(child)
        else:
            found.extend(_outermost_literals(child))
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))
