"""Rewrite tool code where Codon's meaning differs from Python's, so the native answer is Python's.

Each rewrite is an AST transformation of one definition (a tool, a helper, a class) into Python
syntax that Codon reads with Python's meaning; the runtime half is conduit/runtime/pysem.codon,
imported as `_cp`. What cannot be given Python's meaning natively becomes a `Problem`, and the
tools that reach it run in CPython with that reason.

    a or b / a and b (as values)   both sides ran in Codon    -> _cp.or_(a, lambda: b)
    except E as e                  Codon matches exact types  -> one clause per subclass of E
    class E(Exception)             Codon's exceptions are Static[...] -> that form, its name kept
    a + b, a * b, -a, a ** b, ...  64-bit wrap, SIGFPE        -> checked: _cp.add(a, b), ...
    len/iteration/ord/chr/find     UTF-8 bytes                -> code points: _cp.length(s), ...
    s.upper(), s.split(), s[i]     ASCII tables, byte offsets -> native for ASCII, else CPython
    f"{x:.2f}", f"{x!r}"           Codon's f-strings          -> explicit format()/repr()/str()
    d.get(k), key=d.get            no one-argument get        -> _cp.get(d, k)
    X | None annotations           not Codon syntax           -> Optional[X]
    @dataclass                     no dataclasses module      -> annotated fields, __init__/__repr__/__eq__
    string literals                Codon has no \\u escapes    -> written out (conduit.codegen.unparse)
    mixed dict/list literals       Codon's containers are homogeneous -> the JSON builder (_cj_object)

Results of tools are encoded from their static types by the runtime, in insertion order (the
stdlib overlay keeps dicts ordered, conduit.toolchain.shadow).

Longer than 600 lines: `_Rewriter` is one NodeTransformer, a visit method per syntax Codon reads
differently, and its tables; the exception hierarchy (exceptions.py), the class expansions
(classes.py) and the return analysis (returns.py) live on their own.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from .classes import call_name, dataclass_class, exception_class, name_of
from .closure import Problem
from .exceptions import ExceptionTable
from .literals import JsonPlan
from .returns import explicit_none
from .runtime_names import PROGRAM_FILE, PY

__all__ = ["RewriteContext", "rewrite_definition"]


_CONDITION_HOLDERS = (ast.If, ast.While, ast.IfExp, ast.Assert)
_ARITHMETIC = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.FloorDiv: "floordiv",
    ast.Mod: "mod",
    ast.Pow: "power",
    ast.LShift: "lshift",
    ast.RShift: "rshift",
}
_IN_PLACE = {ast.Add: "iadd", ast.Sub: "isub", ast.Mult: "imul"}
_BUILTIN_CALLS = {"len": "length", "abs": "absolute", "ord": "ord_", "chr": "chr_", "reversed": "backwards"}
# str methods taking no arguments whose answer needs Unicode tables beyond ASCII
_TEXT_METHODS = {
    "upper",
    "lower",
    "title",
    "capitalize",
    "swapcase",
    "casefold",
    "isalpha",
    "isdigit",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "isnumeric",
    "isdecimal",
    "istitle",
    "split",
    "strip",
    "lstrip",
    "rstrip",
    "splitlines",
}
_POSITION_METHODS = {"find", "rfind", "index", "rindex"}
_WIDTH_METHODS = {"center", "ljust", "rjust", "zfill"}
_AFFIX_METHODS = {"startswith", "endswith"}
# builtins whose argument they iterate: a str argument is iterated by code point
_ITERATING = {"list", "tuple", "set", "frozenset", "sorted", "enumerate", "max", "min", "any", "all", "Counter"}
# functions imported by name that pysem replaces (`from math import factorial`)
_IMPORTED_CALLS = {
    "math.factorial": "factorial",
    "dataclasses.asdict": "asdict",
    "dataclasses.astuple": "astuple",
}
_REGEX_FUNCTIONS = {"search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split", "compile", "escape"}
_REGEX_METHODS = {"search", "match", "fullmatch", "findall", "finditer", "sub", "subn"}
_TYPE_NAMES = {"list", "dict", "set", "tuple", "frozenset", "List", "Dict", "Set", "Tuple", "Optional", "type"}
_ALLOWED_DECORATORS = {"staticmethod", "property"}
_DROPPED_DECORATORS = {"lru_cache", "cache", "wraps", "total_ordering"}
_UNSUPPORTED_CALLS = {
    "eval": "eval() runs code Codon cannot compile ahead of time",
    "exec": "exec() runs code Codon cannot compile ahead of time",
    "compile": "compile() builds code at run time",
    "globals": "globals() needs a Python namespace",
    "locals": "locals() needs a Python namespace",
    "vars": "vars() needs a Python object's __dict__",
    "getattr": "getattr() looks attributes up by name at run time",
    "setattr": "setattr() sets attributes by name at run time",
    "hasattr": "hasattr() looks attributes up by name at run time",
    "delattr": "delattr() removes attributes by name at run time",
    "__import__": "__import__() imports at run time",
    "id": "id() gives a CPython object's identity",
    "type": "type() of a value is a Python type object",
    "memoryview": "memoryview has no Codon equivalent",
    "bytearray": "bytes have no Codon equivalent (Codon's str is bytes)",
    "bytes": "bytes have no Codon equivalent (Codon's str is bytes)",
    "ascii": "ascii() escapes text Codon holds as UTF-8",
}
# Regular-expression syntax RE2 (Codon's `re`) does not have.
_RE2_UNSUPPORTED = ("(?=", "(?!", "(?<=", "(?<!", "(?P=", "(?>", "(?(", "*+", "++", "?+")


@dataclass
class RewriteContext:
    """What a rewrite needs to know of the whole program, and where it reports problems."""

    names: Mapping[str, str]  # global name as written -> its name in the program
    exceptions: ExceptionTable
    dataclasses: set[str]  # emitted names of the program's dataclasses
    modules: Mapping[str, str]  # global name -> the module it is bound to (`re`, `math`, ...)
    filename: str
    first_line: int
    imported: Mapping[str, str] = field(default_factory=dict)  # global name -> "module.attribute"
    module_uses: list[tuple[str, str, ast.AST]] = field(default_factory=list)  # (module, name, where)
    problems: list[Problem] = field(default_factory=list)
    tool: bool = False  # the tool's own function: its header is generated, its body kept
    json: JsonPlan = field(default_factory=JsonPlan)  # displays that become JSON builders

    def problem(self, node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", 1) + self.first_line - 1
        self.problems.append(Problem(message, self.filename, line))


def rewrite_definition(tree: ast.Module, ctx: RewriteContext) -> ast.Module:
    """Rewrite a parsed definition (one def or class, as a module) in place; returns it."""
    conditions: set[int] = set()
    for node in ast.walk(tree):
        _mark_conditions(node, conditions)
    tree = _Rewriter(ctx, conditions).visit(tree)
    ast.fix_missing_locations(tree)
    return tree


def _mark_conditions(node: ast.AST, conditions: set[int]) -> None:
    """BoolOps whose value is only tested: Codon short-circuits those as Python does."""

    def mark(test: ast.expr) -> None:
        if isinstance(test, ast.BoolOp):
            conditions.add(id(test))
            for value in test.values:
                mark(value)
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            mark(test.operand)

    if isinstance(node, _CONDITION_HOLDERS):
        mark(node.test)
    elif isinstance(node, ast.comprehension):
        for condition in node.ifs:
            mark(condition)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        mark(node.operand)


def _py(name: str, *args: ast.expr) -> ast.Call:
    """A call of pysem's `name`."""
    return ast.Call(ast.Attribute(ast.Name(PY, ast.Load()), name, ast.Load()), list(args), [])


def _none() -> ast.Constant:
    return ast.Constant(None)


class _Rewriter(ast.NodeTransformer):
    def __init__(self, ctx: RewriteContext, conditions: set[int]) -> None:
        self.ctx = ctx
        self.conditions = conditions
        self.exception_names: list[set[str]] = [set()]  # names bound by `except ... as name`
        self.depth = 0  # function nesting (0: the definition's own level)

    # -- definitions ------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.depth += 1
        keep_header = self.ctx.tool and self.depth == 1
        if not keep_header:
            # Python ignores annotations at run time; Codon would convert values to them (an int
            # passed for `x: float` became 1.0). Unannotated, a helper is generic, as in Python.
            for arg in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
                arg.annotation = None
            for arg in (node.args.vararg, node.args.kwarg):
                if arg is not None:
                    arg.annotation = None
            node.returns = None
        node.decorator_list = self._decorators(node)
        explicit_none(node)
        self.exception_names.append(set())
        node.body = self._body(node.body)
        node.args = self.visit(node.args)
        self.exception_names.pop()
        self.depth -= 1
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.ctx.problem(node, "async functions run in CPython (Codon has no async)")
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self.generic_visit(node)
        return node

    def _decorators(self, node: ast.FunctionDef | ast.ClassDef) -> list[ast.expr]:
        kept = []
        for decorator in node.decorator_list:
            name = _decorator_name(decorator)
            if name in _ALLOWED_DECORATORS:
                kept.append(decorator)
            elif name in _DROPPED_DECORATORS or name == "dataclass":
                continue  # memoization is transparent to the answer; dataclasses are expanded
            else:
                self.ctx.problem(
                    decorator, f"the decorator @{ast.unparse(decorator)} runs Python code at definition time"
                )
        return kept

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        is_dataclass = any(_decorator_name(d) == "dataclass" for d in node.decorator_list)
        exception_base = next(
            (b.id for b in node.bases if isinstance(b, ast.Name) and self.ctx.exceptions.known(b.id)), None
        )
        node.decorator_list = self._decorators(node)
        if node.keywords:
            self.ctx.problem(
                node, f"class {node.name}: keyword arguments in a class statement (metaclasses) run in CPython"
            )
        node.body = self._body(node.body)
        if exception_base is not None:
            return exception_class(node, exception_base, self.ctx)
        if is_dataclass:
            return dataclass_class(node)
        node.bases = [b for b in node.bases if not (isinstance(b, ast.Name) and b.id == "object")]
        for base in node.bases:
            if not (isinstance(base, ast.Name) and base.id in self.ctx.names):  # a class of the user's
                self.ctx.problem(base, f"class {node.name} derives from {ast.unparse(base)}, which Codon does not have")
        node.bases = [self.visit(b) for b in node.bases]
        return node

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            result = self.visit(stmt)
            if result is None:
                continue
            out.extend(result if isinstance(result, list) else [result])
        return out or [ast.Pass()]

    # -- statements -------------------------------------------------------------------------

    def visit_Global(self, node: ast.Global) -> ast.AST:
        self.ctx.problem(node, "`global` rebinds a module-level name, which the native server shares across threads")
        return node

    def visit_Nonlocal(self, node: ast.Nonlocal) -> ast.AST:
        self.ctx.problem(node, "`nonlocal` is not supported by Codon")
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        node.value = self.visit(node.value)
        helper = _IN_PLACE.get(type(node.op)) or _ARITHMETIC.get(type(node.op))
        if helper is None:
            node.target = self.visit(node.target)
            return node
        load = self._as_load(node.target)
        assign = ast.Assign([node.target], _py(helper, load, node.value))
        return ast.copy_location(assign, node)

    def _as_load(self, target: ast.expr) -> ast.expr:
        load = copy.deepcopy(target)
        for sub in ast.walk(load):
            if hasattr(sub, "ctx"):
                sub.ctx = ast.Load()
        return self.visit(load)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        node.annotation = _annotation(node.annotation, self.ctx)
        if node.value is not None:
            node.value = self.visit(node.value)
        node.target = self.visit(node.target) if not isinstance(node.target, ast.Name) else node.target
        return node

    def visit_For(self, node: ast.For) -> ast.AST:
        node.iter = _py("each", self.visit(node.iter))
        node.target = self.visit(node.target)
        node.body = self._body(node.body)
        node.orelse = self._body(node.orelse) if node.orelse else []
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        node.iter = _py("each", self.visit(node.iter))
        node.target = self.visit(node.target)
        node.ifs = [self.visit(i) for i in node.ifs]
        if node.is_async:
            self.ctx.problem(node.iter, "async comprehensions run in CPython")
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:
        node.body = self._body(node.body)
        handlers: list[ast.ExceptHandler] = []
        for handler in node.handlers:
            handlers.extend(self._handlers(handler))
        node.handlers = handlers
        node.orelse = self._body(node.orelse) if node.orelse else []
        node.finalbody = self._body(node.finalbody) if node.finalbody else []
        return node

    def visit_TryStar(self, node: ast.AST) -> ast.AST:
        self.ctx.problem(node, "except* (exception groups) runs in CPython")
        return node

    def _handlers(self, handler: ast.ExceptHandler) -> list[ast.ExceptHandler]:
        """One clause per concrete class; a bare `except:` lets CPython's hand-over through."""
        if handler.name:
            self.exception_names[-1].add(handler.name)
        handler.body = self._body(handler.body)
        if handler.type is None:
            passthrough = ast.ExceptHandler(
                ast.Attribute(ast.Name(PY, ast.Load()), "NeedsPython", ast.Load()), None, [ast.Raise()]
            )
            return [ast.copy_location(passthrough, handler), handler]
        written = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        classes: list[ast.expr] = []
        for expr in written:
            if isinstance(expr, ast.Name) and self.ctx.exceptions.known(expr.id):
                classes += [ast.Name(c, ast.Load()) for c in self.ctx.exceptions.expand(expr.id)]
            elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
                classes.append(expr)  # re.error, sqlite3.Error: leaf classes of their modules
            else:
                self.ctx.problem(expr, f"except {ast.unparse(expr)}: not an exception class Codon knows")
                classes.append(expr)
        expanded = []
        for cls in dict.fromkeys(classes, None):
            clause = ast.ExceptHandler(cls, handler.name, copy.deepcopy(handler.body))
            expanded.append(ast.copy_location(clause, handler))
        return expanded

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        if node.exc is not None:
            node.exc = self.visit(node.exc)
        node.cause = None  # `raise X from e`: the cause is not part of a tool's answer
        return node

    def visit_With(self, node: ast.With) -> ast.AST:
        self.generic_visit(node)
        return node

    # -- expressions ------------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> ast.AST:
        renamed = self.ctx.names.get(node.id)
        if renamed is not None and renamed != node.id:
            node.id = renamed
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, bytes):
            self.ctx.problem(node, "bytes literals have no Codon equivalent (Codon's str is bytes)")
        elif isinstance(node.value, int) and not isinstance(node.value, bool) and not -(2**63) <= node.value < 2**63:
            self.ctx.problem(node, f"the integer {node.value} does not fit in 64 bits")
        elif isinstance(node.value, complex):
            self.ctx.problem(node, "complex literals run in CPython")
        elif isinstance(node.value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in node.value):
            self.ctx.problem(node, "a lone surrogate in a string literal cannot be UTF-8 text")
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        condition = id(node) in self.conditions
        node.values = [self.visit(v) for v in node.values]
        if condition:
            return node
        # `a or b or c` -> _c_or(a, lambda: _c_or(b, lambda: c)): b runs only if a is falsy
        helper = "or_" if isinstance(node.op, ast.Or) else "and_"
        result = node.values[-1]
        for value in reversed(node.values[:-1]):
            thunk = ast.Lambda(ast.arguments([], [], None, [], [], None, []), result)
            result = _py(helper, value, thunk)
        return ast.copy_location(result, node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if (
            isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)
        ):
            value = -node.operand.value
            if isinstance(value, int) and value == -(2**63):
                return ast.copy_location(ast.BinOp(ast.Constant(-(2**63) + 1), ast.Sub(), ast.Constant(1)), node)
            return self.visit(ast.copy_location(ast.Constant(value), node)) if isinstance(value, int) else node
        node.operand = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return ast.copy_location(_py("neg", node.operand), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node.left = self.visit(node.left)
        node.right = self.visit(node.right)
        helper = _ARITHMETIC.get(type(node.op))
        if helper is None:
            return node
        return ast.copy_location(_py(helper, node.left, node.right), node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        """f"a{x}b{y:.2f}" -> "".join(["a", str(x), "b", format(y, ".2f")])."""
        parts: list[ast.expr] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value)
            elif isinstance(value, ast.FormattedValue):
                parts.append(self._formatted(value))
        if len(parts) == 1 and not isinstance(parts[0], ast.Constant):
            return ast.copy_location(parts[0], node)
        joined = ast.Call(ast.Attribute(ast.Constant(""), "join", ast.Load()), [ast.List(parts, ast.Load())], [])
        return ast.copy_location(joined, node)

    def _formatted(self, value: ast.FormattedValue) -> ast.expr:
        inner = self.visit(value.value)
        if value.conversion == ord("r"):
            inner = ast.Call(ast.Name("repr", ast.Load()), [inner], [])
        elif value.conversion == ord("a"):
            self.ctx.problem(value, "the !a conversion (ascii()) runs in CPython")
        elif value.conversion == ord("s"):
            inner = self._str_of(inner)
        if value.format_spec is None:
            return inner if value.conversion in (ord("r"),) else self._str_of(inner)
        spec = self.visit(value.format_spec)
        return ast.Call(ast.Name("format", ast.Load()), [inner, spec], [])

    def _str_of(self, expr: ast.expr) -> ast.expr:
        if isinstance(expr, ast.Name) and expr.id in self.exception_names[-1]:
            return _py("message", expr, ast.Constant(PROGRAM_FILE))
        return ast.Call(ast.Name("str", ast.Load()), [expr], [])

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        if _is_type_expression(node):
            return node
        node.value = self.visit(node.value)
        if not isinstance(node.ctx, ast.Load):
            node.slice = self.visit(node.slice)
            return node
        if isinstance(node.slice, ast.Slice):
            parts = [
                self.visit(p) if p is not None else _none()
                for p in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            return ast.copy_location(_py("getslice", node.value, *parts), node)
        node.slice = self.visit(node.slice)
        return ast.copy_location(_py("getitem", node.value, node.slice), node)

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        self.generic_visit(node)
        if any(k is None for k in node.keys):
            # {**a, "k": v, **b} (which crashes Codon's parser) -> merged(a, {"k": v}, b)
            parts: list[ast.expr] = []
            run: list[tuple[ast.expr, ast.expr]] = []
            for key, value in zip(node.keys, node.values):
                if key is None:
                    if run:
                        parts.append(ast.Dict([k for k, _ in run], [v for _, v in run]))
                        run = []
                    parts.append(value)
                else:
                    run.append((key, value))
            if run:
                parts.append(ast.Dict([k for k, _ in run], [v for _, v in run]))
            return ast.copy_location(_py("merged", *parts), node)
        builder = self.ctx.json.builders.get(id(node))
        if builder is None and id(node) not in self.ctx.json.objects:
            return node
        pairs = [ast.Tuple([k, v], ast.Load()) for k, v in zip(node.keys, node.values)]  # type: ignore[list-item]
        return ast.copy_location(
            ast.Call(ast.Name("_cj_dict" if builder else "_cj_object", ast.Load()), pairs, []), node
        )

    def visit_List(self, node: ast.List) -> ast.AST:
        self.generic_visit(node)
        builder = self.ctx.json.builders.get(id(node))
        if builder is None and id(node) not in self.ctx.json.arrays:
            return node
        return ast.copy_location(
            ast.Call(ast.Name("_cj_list" if builder else "_cj_array", ast.Load()), node.elts, []), node
        )

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        module = self._module_of(node.value)
        if module is not None:
            self.ctx.module_uses.append((module, node.attr, node))
        node.value = self.visit(node.value)
        if node.attr == "args" and isinstance(node.value, ast.Name) and node.value.id in self.exception_names[-1]:
            self.ctx.problem(node, "an exception's .args is a tuple of Python values")
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        name = call_name(node)
        if isinstance(func, ast.Name) and name in _UNSUPPORTED_CALLS and name not in self.ctx.names:
            self.ctx.problem(node, f"{name}() runs in CPython: {_UNSUPPORTED_CALLS[name]}")
        for keyword in node.keywords:
            if keyword.arg is None:
                self.ctx.problem(keyword.value, "**kwargs in a call runs in CPython")
        # `key=d.get`: a bound method of a dict as a value
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg == "key" and isinstance(value, ast.Attribute) and value.attr == "get":
                target = self.visit(value.value)
                body = _py("getitem", target, ast.Name("_c_k", ast.Load()))
                keyword.value = ast.Lambda(ast.arguments([], [ast.arg("_c_k")], None, [], [], None, []), body)
            else:
                keyword.value = self.visit(value)
        if isinstance(func, ast.Name) and func.id in self.ctx.imported:
            special = _IMPORTED_CALLS.get(self.ctx.imported[func.id])
            if special is not None:
                return ast.copy_location(_py(special, *[self.visit(a) for a in node.args]), node)
        if isinstance(func, ast.Name) and func.id not in self.ctx.names:
            return self._builtin_call(node, func.id)
        if isinstance(func, ast.Attribute):
            return self._method_call(node, func)
        node.func = self.visit(func)
        node.args = [self.visit(a) for a in node.args]
        return node

    def _module_of(self, expr: ast.expr) -> str | None:
        """`os.path` -> "os.path" when `os` is bound to a module: the module `expr` names."""
        if isinstance(expr, ast.Name):
            return self.ctx.modules.get(expr.id)
        if isinstance(expr, ast.Attribute):
            parent = self._module_of(expr.value)
            return f"{parent}.{expr.attr}" if parent is not None else None
        return None

    def _builtin_call(self, node: ast.Call, name: str) -> ast.AST:
        args = [self.visit(a) for a in node.args]
        if any(isinstance(a, ast.Starred) for a in args):
            node.args = args
            return node
        if name in _BUILTIN_CALLS and len(args) == 1 and not node.keywords:
            return ast.copy_location(_py(_BUILTIN_CALLS[name], args[0]), node)
        if name == "sum" and not node.keywords:
            if len(args) == 1:
                return ast.copy_location(_py("total", args[0]), node)
            if len(args) == 2:
                return ast.copy_location(_py("total_from", args[0], args[1]), node)
        if name == "int" and not node.keywords:
            if len(args) == 1:
                return ast.copy_location(_py("to_int", args[0]), node)
            if len(args) == 2:
                return ast.copy_location(_py("to_int_base", args[0], args[1]), node)
        if name == "pow" and len(args) == 2:
            return ast.copy_location(_py("power", args[0], args[1]), node)
        if name == "divmod" and len(args) == 2 and not node.keywords:
            return ast.copy_location(_py("divmod_", args[0], args[1]), node)
        if (
            name == "str"
            and len(args) == 1
            and isinstance(args[0], ast.Name)
            and args[0].id in self.exception_names[-1]
        ):
            return ast.copy_location(self._str_of(args[0]), node)
        if (
            name == "repr"
            and len(args) == 1
            and isinstance(args[0], ast.Name)
            and args[0].id in self.exception_names[-1]
        ):
            self.ctx.problem(node, "repr() of an exception shows its Python class")
        if name == "isinstance" and len(args) == 2:
            args[1] = self._isinstance_classes(args[1])
        if name in _ITERATING and len(args) >= 1:
            args[0] = _py("each", args[0])
        if name in ("zip", "map", "filter"):
            first = 1 if name in ("map", "filter") else 0
            args = args[:first] + [_py("each", a) for a in args[first:]]
        if name == "print":
            node.keywords.append(
                ast.keyword("file", ast.Attribute(ast.Name("_c_sys", ast.Load()), "stderr", ast.Load()))
            )
        node.args = args
        return node

    def _isinstance_classes(self, classes: ast.expr) -> ast.expr:
        """isinstance(e, LookupError): Codon's isinstance is exact for exceptions too."""
        written = classes.elts if isinstance(classes, ast.Tuple) else [classes]
        out: list[ast.expr] = []
        for expr in written:
            if isinstance(expr, ast.Name) and self.ctx.exceptions.known(expr.id):
                out += [ast.Name(c, ast.Load()) for c in self.ctx.exceptions.expand(expr.id)]
            else:
                out.append(expr)
        return out[0] if len(out) == 1 else ast.Tuple(out, ast.Load())

    def _method_call(self, node: ast.Call, func: ast.Attribute) -> ast.AST:
        receiver = func.value
        module = self.ctx.modules.get(receiver.id) if isinstance(receiver, ast.Name) else None
        node.func = self.visit(func)
        args = [self.visit(a) for a in node.args]
        node.args = args
        method = func.attr
        obj = node.func.value  # type: ignore[attr-defined]
        if module == "re":
            return self._regex_call(node, method, args)
        special = _IMPORTED_CALLS.get(f"{module}.{method}") if module is not None else None
        if special is not None:
            return ast.copy_location(_py(special, *args), node)
        if module is not None:
            return node
        if node.keywords:
            return node
        if method in _TEXT_METHODS and not args:
            return ast.copy_location(_py(f"m_{method}", obj), node)
        if method in _POSITION_METHODS and len(args) == 1:
            return ast.copy_location(_py(f"m_{method}", obj, args[0]), node)
        if method in _WIDTH_METHODS and 1 <= len(args) <= 2:
            return ast.copy_location(_py(f"m_{method}", obj, *args), node)
        if method in _AFFIX_METHODS and len(args) == 1:
            return ast.copy_location(_py(f"m_{method}", obj, args[0]), node)
        if method == "get" and len(args) == 1:
            return ast.copy_location(_py("get", obj, args[0]), node)
        if method == "join" and len(args) == 1 and isinstance(obj, ast.Constant):
            node.args = [_py("each", args[0])]
            return node
        if method in _REGEX_METHODS and args:  # a compiled pattern's methods: the subject string
            subject = 1 if method in ("sub", "subn") and len(args) > 1 else 0
            args[subject] = _py("re_text", args[subject])
            return node
        return node

    def _regex_call(self, node: ast.Call, method: str, args: list[ast.expr]) -> ast.AST:
        if method not in _REGEX_FUNCTIONS:
            return node
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            pattern = args[0].value
            unsupported = next((s for s in _RE2_UNSUPPORTED if s in pattern), None)
            if unsupported is not None or _has_backreference(pattern):
                what = f"{unsupported!r}" if unsupported else "a backreference"
                self.ctx.problem(node, f"the regular expression uses {what}, which Codon's re (RE2) lacks")
        node.args = [_py("re_text", a) if i != 1 or method not in ("sub", "subn") else a for i, a in enumerate(args)]
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        return super().generic_visit(node)


def _has_backreference(pattern: str) -> bool:
    i = 0
    while i < len(pattern) - 1:
        if pattern[i] == "\\":
            if pattern[i + 1].isdigit() and pattern[i + 1] != "0":
                return True
            i += 2
            continue
        i += 1
    return False


def _decorator_name(decorator: ast.expr) -> str:
    return name_of(decorator.func if isinstance(decorator, ast.Call) else decorator)


def _is_type_expression(node: ast.Subscript) -> bool:
    base = node.value
    return isinstance(base, ast.Name) and base.id in _TYPE_NAMES


def _annotation(expr: ast.expr, ctx: RewriteContext) -> ast.expr:
    """An annotation Codon reads: `X | None` -> Optional[X]; a string annotation parsed."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        try:
            expr = ast.parse(expr.value, mode="eval").body
        except SyntaxError:
            ctx.problem(expr, f"the annotation {expr.value!r} is not a type Codon can read")
            return expr
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        sides = [expr.left, expr.right]
        rest = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        if len(rest) == 1:
            return ast.Subscript(ast.Name("Optional", ast.Load()), _annotation(rest[0], ctx), ast.Load())
        ctx.problem(expr, f"the union {ast.unparse(expr)} has no Codon equivalent")
        return expr
    if isinstance(expr, ast.Subscript):
        expr.slice = (
            _annotation(expr.slice, ctx)
            if not isinstance(expr.slice, ast.Tuple)
            else ast.Tuple([_annotation(e, ctx) for e in expr.slice.elts], ast.Load())
        )
        if isinstance(expr.value, ast.Name) and expr.value.id == "Union":
            ctx.problem(expr, f"the union {ast.unparse(expr)} has no Codon equivalent")
    return expr
