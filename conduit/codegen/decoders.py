"""Typed argument decoders and the per-tool call wrapper, as generated Codon.

For each tool, `_call_N(doc, args, out, st)` reads each parameter from the request's JSON tape
into a typed local (a mismatch is an MCP error naming the parameter), calls the user's function
and encodes its result. Composite types (`list[T]`, `dict[str, T]`, `Optional[T]`, `Literal`)
get one check and one decode function each, shared between the tools that use them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..typespec import TypeSpec
from .program import CAUGHT_EXCEPTIONS, Writer

if TYPE_CHECKING:
    from ..tools import Param, Tool


def codon_param(param: Param) -> str:
    text = f"{param.name}: {param.type.codon()}"
    if not param.required:
        text += f" = {codon_literal(param.default)}"
    return text


def codon_literal(value: Any) -> str:
    """`value` (a default, a Literal choice) as a Codon literal."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return (
            repr(value) if value == value and value not in (float("inf"), float("-inf")) else f"float({str(value)!r})"
        )
    if isinstance(value, (int,)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(codon_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {codon_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as a Codon literal")


class Decoders:
    """One check function and one decode function per composite type, shared between tools."""

    def __init__(self) -> None:
        self.functions: list[str] = []
        self.names: dict[TypeSpec, int] = {}

    def check(self, spec: TypeSpec, i: str) -> str:
        if spec.kind == "str":
            return f"doc.kind({i}) == _J_STR"
        if spec.kind == "int":
            return f"doc.is_int({i})"
        if spec.kind == "float":
            return f"doc.kind({i}) == _J_NUM"
        if spec.kind == "bool":
            return f"(doc.kind({i}) == _J_TRUE or doc.kind({i}) == _J_FALSE)"
        return f"_check_{self._define(spec)}(doc, {i})"

    def decode(self, spec: TypeSpec, i: str) -> str:
        kind = spec.kind if spec.kind != "literal" else spec.codon()
        if kind == "str":
            return f"doc.as_str({i})"
        if kind == "int":
            return f"doc.as_int({i})"
        if kind == "float":
            return f"doc.as_float({i})"
        if kind == "bool":
            return f"doc.kind({i}) == _J_TRUE"
        return f"_decode_{self._define(spec)}(doc, {i})"

    def _define(self, spec: TypeSpec) -> int:
        if spec in self.names:
            return self.names[spec]
        n = self.names[spec] = len(self.names)
        codon = spec.codon()
        check = [f"def _check_{n}(doc: _CJsonDoc, i: int) -> bool:  # {spec.describe()}"]
        decode = [f"def _decode_{n}(doc: _CJsonDoc, i: int) -> {codon}:"]
        if spec.kind == "literal":
            base = TypeSpec(spec.codon())  # type: ignore[arg-type]
            check += [f"    if not ({self.check(base, 'i')}):", "        return False"]
            check += [
                f"    if {self.decode(base, 'i')} == {codon_literal(c)}:\n        return True" for c in spec.choices
            ]
            check += ["    return False"]
            decode += [f"    return {self.decode(base, 'i')}"]
        elif spec.kind == "optional":
            check += [
                "    if doc.kind(i) == _J_NULL:",
                "        return True",
                f"    return {self.check(spec.inner, 'i')}",
            ]
            decode += [
                "    if doc.kind(i) == _J_NULL:",
                f"        return {codon}()",
                f"    return {codon}({self.decode(spec.inner, 'i')})",
            ]
        else:  # list[T] or dict[str, T]: every item checked, then decoded into a new container
            container = "_J_ARR" if spec.kind == "list" else "_J_OBJ"
            store = "result.append({})" if spec.kind == "list" else "result[doc.key(j)] = {}"
            check += [
                f"    if doc.kind(i) != {container}:",
                "        return False",
                "    for j in _c_items(doc, i):",
                f"        if not ({self.check(spec.inner, 'j')}):",
                "            return False",
                "    return True",
            ]
            decode += [
                f"    result = {codon}()",
                "    for j in _c_items(doc, i):",
                "        " + store.format(self.decode(spec.inner, "j")),
                "    return result",
            ]
        self.functions.append("\n".join(check) + "\n")
        self.functions.append("\n".join(decode) + "\n")
        return n


def emit_call(w: Writer, index: int, tool: Tool, function: str, decoders: Decoders) -> None:
    w.emit(f"# ---- tools/call {tool.name!r}: decode the arguments, call, encode the result")
    w.emit(f"def _call_{index}(doc: _CJsonDoc, args: int, out: _CBuffer, st: _CMcpState) -> int:")
    for p in tool.params:
        invalid = json.dumps(f"Invalid argument {p.name!r}: expected {p.type.describe()}")
        w.emit(f"    # {p.name}: {p.type.describe()}{'' if p.required else ' = ' + repr(p.default)}")
        w.emit(f"    i = doc.get(args, {json.dumps(p.name)}) if args >= 0 else -1")
        if p.required:
            w.emit("    if i < 0:")
            w.emit(f"        return _c_fail(out, {json.dumps(f'Missing required argument {p.name!r}')})")
            w.emit(f"    if not ({decoders.check(p.type, 'i')}):")
            w.emit(f"        return _c_fail(out, {invalid})")
            w.emit(f"    _a_{p.name} = {decoders.decode(p.type, 'i')}")
        else:
            w.emit(f"    _a_{p.name}: {p.type.codon()} = {codon_literal(p.default)}")
            w.emit("    if i >= 0:")
            w.emit(f"        if not ({decoders.check(p.type, 'i')}):")
            w.emit(f"            return _c_fail(out, {invalid})")
            w.emit(f"        _a_{p.name} = {decoders.decode(p.type, 'i')}")
    call = f"{function}({', '.join(f'{p.name}=_a_{p.name}' for p in tool.params)})"
    what = json.dumps(f"tool {tool.name!r}")
    w.emit(f"    return _c_guarded(lambda: {call}, out, st, {tool.structured}, {tool.wraps_result}, {what})")
    w.emit()


def emit_guard(w: Writer) -> None:
    """`_c_guarded`: call a tool, encode its result, turn an exception into its error result.

    Written once per program: Codon's `except Exception` does not catch subclasses (codon#737),
    so each exception a tool may raise is named here, and every `_call_N` goes through it.
    """
    w.emit("def _c_guarded(f, out: _CBuffer, st: _CMcpState, structured: bool, wrap: bool, what: str) -> int:")
    w.emit("    try:")
    w.emit("        return _c_write_result(out, st, f(), structured, wrap)")
    for exc in CAUGHT_EXCEPTIONS:
        w.emit(f"    except {exc} as e:")
        w.emit("        return _c_fail(out, e.message if e.message else e.typename, _C_CALL_FAILED)")
    w.emit("    except:")
    w.emit('        return _c_fail(out, what + " raised an exception", _C_CALL_FAILED)')
    w.emit()
