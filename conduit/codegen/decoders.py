"""Typed argument decoders and the per-tool call wrapper, as generated Codon.

For each tool, `_call_N(doc, args, out, st)` reads each parameter from the request's JSON tape
into a typed local (a mismatch is an MCP error naming the parameter), calls the user's function
and encodes its result. Composite types (`list[T]`, `dict[str, T]`, `Optional[T]`, `Literal`)
get one check and one decode function each, shared between the tools that use them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..typespec import TypeSpec
from .program import Writer

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


def emit_call(w: Writer, index: int, tool: Tool, function: str, decoders: Decoders, retry: bool = True) -> None:
    def emit(text: str = "") -> None:
        w.emit_owned(text, [tool.name])

    emit(f"# ---- tools/call {tool.name!r}: decode the arguments, call, encode the result")
    emit(f"def _call_{index}(doc: _CJsonDoc, args: int, out: _CBuffer, st: _CMcpState) -> int:")
    for p in tool.params:
        invalid = json.dumps(f"Invalid argument {p.name!r}: expected {p.type.describe()}")
        emit(f"    # {p.name}: {p.type.describe()}{'' if p.required else ' = ' + repr(p.default)}")
        emit(f"    i = doc.get(args, {json.dumps(p.name)}) if args >= 0 else -1")
        if p.required:
            emit("    if i < 0:")
            emit(f"        return _c_fail(out, {json.dumps(f'Missing required argument {p.name!r}')})")
            emit(f"    if not ({decoders.check(p.type, 'i')}):")
            emit(f"        return _c_fail(out, {invalid})")
            emit(f"    _a_{p.name} = {decoders.decode(p.type, 'i')}")
        else:
            emit(f"    _a_{p.name}: {p.type.codon()} = {codon_literal(p.default)}")
            emit("    if i >= 0:")
            emit(f"        if not ({decoders.check(p.type, 'i')}):")
            emit(f"            return _c_fail(out, {invalid})")
            emit(f"        _a_{p.name} = {decoders.decode(p.type, 'i')}")
    call = f"{function}({', '.join(f'{p.name}=_a_{p.name}' for p in tool.params)})"
    if tool.streams:  # a generator: its items, each handed on as it comes (runtime/stream.codon)
        call = f"_c_collect({call}, st.sink)"
    what = json.dumps(f"tool {tool.name!r}")
    emit(f"    return _c_guarded(lambda: {call}, out, st, {tool.structured}, {tool.wraps_result}, {what}, {retry})")
    emit()


def emit_guard(w: Writer, exceptions: Sequence[str]) -> None:
    """`_c_guarded`: call a tool, encode its result, turn an exception into its error result.

    Written once per program: Codon matches exceptions by exact type (`except Exception` does
    not catch subclasses, codon#737), so each exception class the program knows is named here,
    and every `_call_N` goes through it. `NeedsPython` (conduit/runtime/pysem.codon) hands the
    call to CPython; so does an exception raised inside Codon's stdlib, whose wording is Codon's,
    unless `retry` is off (the tool may already have written something).
    """
    w.emit(
        "def _c_guarded(f, out: _CBuffer, st: _CMcpState, structured: bool, wrap: bool, what: str, retry: bool) -> int:"
    )
    w.emit("    try:")
    w.emit("        return _c_write_result(out, st, f(), structured, wrap)")
    w.emit("    except _cp.NeedsPython as e:")
    w.emit("        return _c_needs_python(out, e.message, retry)")
    for exc in exceptions:
        w.emit(f"    except {exc} as e:")
        w.emit("        return _c_fail_with(out, e, retry)")
    w.emit("    except:")
    w.emit('        return _c_fail(out, what + " raised an exception", _C_CALL_FAILED)')
    w.emit()
