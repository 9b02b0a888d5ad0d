"""Falling off the end of a function: None in Python, a zero value in Codon.

`explicit_none` writes Python's `return None` where a function that returns a value somewhere
would fall off its end, so Codon infers an Optional and the answer is Python's.
"""

from __future__ import annotations

import ast

__all__ = ["explicit_none", "terminates"]


def explicit_none(func: ast.FunctionDef) -> None:
    """Falling off the end returns None in Python and 0 in Codon: a function that returns a value
    somewhere says `return None` where it would fall off (and for a bare `return`)."""
    returns: list[ast.Return] = []
    yields = False

    def walk(node: ast.AST) -> None:
        nonlocal yields
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            if isinstance(child, ast.Return):
                returns.append(child)
            elif isinstance(child, (ast.Yield, ast.YieldFrom)):
                yields = True
            walk(child)

    walk(func)
    if yields or func.returns is not None or not any(r.value is not None and not _is_none(r.value) for r in returns):
        return
    for r in returns:
        if r.value is None:
            r.value = ast.Constant(None)
    if not terminates(func.body):
        func.body.append(ast.copy_location(ast.Return(ast.Constant(None)), func.body[-1]))


def terminates(body: list[ast.stmt]) -> bool:
    """Whether control cannot fall off the end of `body`."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True
    if isinstance(last, ast.If):
        return terminates(last.body) and terminates(last.orelse)
    if isinstance(last, (ast.With, ast.AsyncWith)):
        return terminates(last.body)
    if isinstance(last, ast.Try):
        body_ends = terminates(last.body + last.orelse) if not last.orelse else terminates(last.orelse)
        return (body_ends and all(terminates(h.body) for h in last.handlers)) or terminates(last.finalbody)
    if isinstance(last, ast.While) and isinstance(last.test, ast.Constant) and last.test.value is True:
        return not any(isinstance(n, ast.Break) for n in ast.walk(last))
    if isinstance(last, ast.Match):
        return any(isinstance(c.pattern, ast.MatchAs) and c.pattern.pattern is None for c in last.cases) and all(
            terminates(c.body) for c in last.cases
        )
    return False


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None
