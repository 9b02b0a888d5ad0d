"""The generated argument decoders (conduit/codegen/decoders.py), compiled and run on real JSON.

One Codon program holds the check and decode functions of several composite types; for each
(type, JSON text) case it prints whether the check accepts the value and, if so, the decoded
value as JSON. The reference is `TypeSpec.accepts` and the python backend's `decode_value`, so
the two backends decide every argument alike.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Literal, Optional

import pytest

from conduit.codegen.decoders import Decoders
from conduit.codegen.program import Writer
from conduit.python_backend.arguments import decode_value
from conduit.typespec import TypeSpec, parse_annotation

TYPES = {
    "literal": parse_annotation(Literal["fast", "slow"], "t"),
    "int_literal": parse_annotation(Literal[1, 2, 3], "t"),
    "optional_int": parse_annotation(Optional[int], "t"),
    "optional_list": parse_annotation(Optional[list[str]], "t"),
    "matrix": parse_annotation(list[list[int]], "t"),
    "series": parse_annotation(dict[str, list[float]], "t"),
    "flags": parse_annotation(dict[str, dict[str, bool]], "t"),
    "optional_in_list": parse_annotation(list[Optional[float]], "t"),
}

CASES = {
    "literal": ['"fast"', '"slow"', '"Fast"', '""', "1", "null", '["fast"]'],
    "int_literal": ["1", "3", "4", "1.0", '"1"', "true", "-1"],
    "optional_int": ["null", "0", "-7", "9223372036854775807", "9223372036854775808", "1.5", '"3"', "false"],
    "optional_list": ["null", "[]", '["a", "b\\u00e9"]', '["a", null]', '"a"', "[1]"],
    "matrix": ["[]", "[[]]", "[[1, 2], [3]]", "[[1, 2.5]]", "[1, 2]", "[[true]]", '[["1"]]'],
    "series": ["{}", '{"a": [1, 2.5], "b": []}', '{"a": [null]}', '{"a": 1}', "[]", '{"a": [1e3, -0.5]}'],
    "flags": ["{}", '{"x": {"on": true, "off": false}}', '{"x": {"on": 1}}', '{"x": true}', '{"x": {}}'],
    "optional_in_list": ["[]", "[null, 1, 2.5]", "[null, null]", '[null, "x"]', "null", "[true]"],
}


def program(decoders: Decoders, names: list[str]) -> str:
    w = Writer()
    w.emit("import sys")
    w.emit("from conduit_runtime.buffer import Buffer as _CBuffer")
    w.emit("from conduit_runtime.json import JsonDoc as _CJsonDoc, J_NULL as _J_NULL, J_TRUE as _J_TRUE")
    w.emit("from conduit_runtime.json import J_FALSE as _J_FALSE, J_NUM as _J_NUM, J_STR as _J_STR")
    w.emit("from conduit_runtime.json import J_ARR as _J_ARR, J_OBJ as _J_OBJ, write_json")
    w.emit("from conduit_runtime.calls import json_items as _c_items")
    cases = [(decoders.check(TYPES[n], "0"), decoders.decode(TYPES[n], "0")) for n in names]
    for text in decoders.functions:
        w.emit(text)
    w.emit("doc = _CJsonDoc()")
    w.emit("out = _CBuffer()")
    w.emit("for line in sys.stdin:")
    w.emit("    which, _, text = line.rstrip('\\n').partition(' ')")
    w.emit("    if not doc.parse_str(text):")
    w.emit("        print('unparsable')")
    w.emit("        continue")
    for n, (check, decode) in zip(names, cases):
        w.emit(f"    if which == {json.dumps(n)}:")
        w.emit(f"        if not ({check.replace('(0)', '(0)')}):")
        w.emit("            print('rejected')")
        w.emit("        else:")
        w.emit("            out.clear()")
        w.emit(f"            write_json(out, {decode})")
        w.emit("            print(out.to_str())")
    return w.program().text


@pytest.fixture(scope="module")
def decoder_binary(build_codon) -> Path:
    return build_codon(program(Decoders(), list(TYPES)), "decoders_test")


def python_answer(spec: TypeSpec, text: str) -> str:
    value = json.loads(text)
    if not spec.accepts(value):
        return "rejected"
    return json.dumps(decode_value(spec, value, "x"), separators=(",", ":"))


def test_decoders_decide_and_decode_as_the_python_backend(decoder_binary: Path) -> None:
    cases = [(name, text) for name, texts in CASES.items() for text in texts]
    stdin = "".join(f"{name} {text}\n" for name, text in cases)
    proc = subprocess.run([str(decoder_binary)], input=stdin, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    native = proc.stdout.splitlines()
    assert len(native) == len(cases)
    for (name, text), got in zip(cases, native):
        expected = python_answer(TYPES[name], text)
        if expected != "rejected" and got != "rejected":
            assert json.loads(got) == json.loads(expected), f"{name} {text}"
        else:
            assert got == expected, f"{name} {text}"


def test_each_composite_type_gets_one_check_and_one_decode() -> None:
    decoders = Decoders()
    for spec in (TYPES["matrix"], TYPES["matrix"], TYPES["series"]):
        decoders.check(spec, "i")
        decoders.decode(spec, "i")
    text = "\n".join(decoders.functions)
    # list[list[int]] needs list[int] too; dict[str, list[float]] needs list[float]: four types.
    assert text.count("def _check_") == text.count("def _decode_") == 4
