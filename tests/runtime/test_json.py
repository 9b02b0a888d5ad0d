"""The Codon JSON layer (conduit/runtime/json.codon, buffer.codon) checked against Python's json.

json_suite.codon is built once per session; every test feeds it a batch of inputs (hex lines in a
file) and compares each output line with what Python's `json` module says. Validity is also
checked against pydantic-core, the parser the reference MCP server uses (its defaults, as the
SDK calls it: NaN and Infinity are accepted, as json.loads does; tests/json_corpus/README.md).
"""

from __future__ import annotations

import json
import math
import random
import struct
import subprocess
import sys
from pathlib import Path

import pytest

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "conduit" / "runtime"
SUITE = Path(__file__).with_name("json_suite.codon")
MAX_DEPTH = 200
MAX_INT_DIGITS = 4300  # Python's own limit on int() of a string, which json.loads and pydantic-core keep


class Suite:
    def __init__(self, exe: Path, workdir: Path):
        self.exe = exe
        self.workdir = workdir
        self.calls = 0

    def run(self, *args: str) -> list[str]:
        proc = subprocess.run([str(self.exe), *args], capture_output=True, timeout=300)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        return proc.stdout.decode("utf-8").split("\n")[:-1]

    def batch(self, mode: str, items: list[bytes]) -> list[str]:
        """One run of the binary over all items; one output line per item."""
        self.calls += 1
        path = self.workdir / f"{mode}-{self.calls}.txt"
        path.write_text("".join(b.hex() + "\n" for b in items))
        out = self.run(mode, str(path))
        assert len(out) == len(items)
        return out


@pytest.fixture(scope="session")
def suite(tmp_path_factory, build_codon) -> Suite:
    return Suite(build_codon(SUITE.read_text(), "json_suite"), tmp_path_factory.mktemp("json_suite"))


# ---------------------------------------------------------------- reference


class Invalid(Exception):
    pass


def _check_tree(obj, limit: int = MAX_DEPTH) -> None:
    """Reject lone surrogates and values nested in more than `limit` containers."""
    stack = [(obj, 0)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, str):
            if any(0xD800 <= ord(c) < 0xE000 for c in v):
                raise Invalid("lone surrogate")
        elif isinstance(v, (list, dict)):
            items = list(v) + list(v.values()) if isinstance(v, dict) else v
            if items and depth + 1 > limit:
                raise Invalid("too deep")
            stack.extend((x, depth + 1) for x in items)


def reference(doc: bytes):
    """(True, value) as Python's json reads doc under the runtime's rules, or (False, None)."""
    try:
        text = doc.decode("utf-8")
        value = json.loads(text)
        _check_tree(value)
    except (Invalid, ValueError, RecursionError):
        return False, None
    return True, value


def canon(value) -> str:
    """Comparable text: ints beyond int64 become floats (the runtime reads them with strtod)."""

    def norm(v):
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, int):
            return v if -(2**63) <= v < 2**63 else float(str(v))
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v

    return json.dumps(norm(value), sort_keys=True)


def pydantic_valid(doc: bytes) -> bool | None:
    try:
        from pydantic_core import from_json
    except ImportError:
        return None
    try:
        from_json(doc)
    except ValueError:
        return False
    return True


def check_parse(suite: Suite, docs: list[bytes], against_pydantic: bool = False) -> None:
    out = suite.batch("parse", docs)
    bad = []
    for doc, line in zip(docs, out):
        ok, value = reference(doc)
        if line.startswith("ERR"):
            bad.append((doc[:80], line))
        elif not ok:
            if line != "0":
                bad.append((doc[:80], "accepted", line[:80]))
        elif line == "0":
            bad.append((doc[:80], "rejected"))
        else:
            got = json.loads(line.split("\t", 1)[1])
            if canon(got) != canon(value):
                bad.append((doc[:80], line[:80], canon(value)[:80]))
        if against_pydantic:
            pv = pydantic_valid(doc)
            if pv is not None and pv != (line != "0"):
                bad.append((doc[:80], "pydantic says", pv))
    assert not bad, bad[:10]


# ---------------------------------------------------------------- corpus

VALID = [
    b"{}",
    b"[]",
    b"0",
    b"-0",
    b"1",
    b"-1",
    b"0.5",
    b"-0.0",
    b"1e5",
    b"1E+5",
    b"1e-5",
    b"1.5e300",
    b"123456789012345678",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"1" + b"0" * 400,
    b"1" * MAX_INT_DIGITS,
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"[NaN,Infinity,-Infinity,1]",
    b"1e400",
    b"-1e400",
    b"1e-400",
    b"0." + b"0" * 500 + b"1",
    b"4.9406564584124654e-324",
    b"2.2250738585072011e-308",
    b"true",
    b"false",
    b"null",
    b'""',
    b'"a"',
    b" \t\r\n[ 1 , 2 ]\n ",
    b'"\\"\\\\\\/\\b\\f\\n\\r\\t"',
    b'"\\u0000"',
    b'"\\u00e9\\u20AC"',
    b'"\\ud83d\\ude00"',
    b'"\\uDBFF\\uDFFF"',
    b'"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"',
    b'"\x7f"',
    b'"\xef\xbf\xbf"',
    b'"\xf4\x8f\xbf\xbf"',
    b'{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
    b'{"a":1,"a":2}',
    b'{"":0}',
    b'{"\\u0061":1,"a":2}',
    b'[[],[[]],{},{"a":{}}]',
    b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    b'[1,"a",1.5,null,true,{"k":[]}]',
    b"[" * MAX_DEPTH + b"1" + b"]" * MAX_DEPTH,
    b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    b'{"a":' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH,
    b"[" + b",".join([b"1"] * 5000) + b"]",
    b'"' + b"x" * 100000 + b'"',
]

INVALID = [
    b"",
    b" ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"[1,]",
    b'{"a":1,}',
    b"[,1]",
    b"{,}",
    b"[1 2]",
    b'{"a" 1}',
    b'{"a":}',
    b"{a:1}",
    b"{'a':1}",
    b'{"a":1 "b":2}',
    b"{1:1}",
    b"[1]]",
    b"[1]x",
    b"1 2",
    b"01",
    b"-01",
    b"00",
    b"1.",
    b".5",
    b"-",
    b"+1",
    b"1e",
    b"1e+",
    b"0x10",
    b"1.5.5",
    b"1" * (MAX_INT_DIGITS + 1),
    b"-" + b"1" * (MAX_INT_DIGITS + 1),
    b"nan",
    b"-NaN",
    b"+Infinity",
    b"Infinit",
    b"-Inf",
    b"NaNa",
    b"nul",
    b"tru",
    b"True",
    b"nulll",
    b"truefalse",
    b'"abc',
    b'"\\"',
    b'"\\x"',
    b'"\\u12"',
    b'"\\u12G4"',
    b'"\\ud800"',
    b'"\\udc00"',
    b'"\\ud800\\u0041"',
    b'"\\ud800\\ud800"',
    b'"\\ude00\\ud83d"',
    b'"\\ud800x"',
    b'"\t"',
    b'"\n"',
    b'"\x00"',
    b'"\x1f"',
    b'"\xff"',
    b'"\x80"',
    b'"\xc0\x80"',
    b'"\xc3"',
    b'"\xe2\x82"',
    b'"\xed\xa0\x80"',
    b'"\xf4\x90\x80\x80"',
    b'"\xf5\x80\x80\x80"',
    b'"\xe0\x80\x80"',
    b'"\xf0\x80\x80\x80"',
    b"\xef\xbb\xbf{}",
    b"\xff",
    b"/*c*/1",
    b"1//c",
    b"[1]\x00",
    b"\x00",
    b'["a"\x01]',
    b"[" * (MAX_DEPTH + 1) + b"1" + b"]" * (MAX_DEPTH + 1),
    b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1),
    b"[" * 100000,
    b"[" * 100000 + b"]" * 100000,
    b"\x0b1",
    b"\x0c1",
    b"1\xa0",
    b"[1,\n]",
    b'{"a":1}{}',
]


def test_corpus_valid(suite):
    for doc in VALID:
        assert reference(doc)[0], doc[:60]
    check_parse(suite, VALID, against_pydantic=True)


def test_corpus_invalid(suite):
    for doc in INVALID:
        assert not reference(doc)[0], doc[:60]
    out = suite.batch("parse", INVALID)
    accepted = [doc[:60] for doc, line in zip(INVALID, out) if line != "0"]
    assert not accepted
    disagree = [doc[:60] for doc in INVALID if pydantic_valid(doc)]
    assert not disagree


SEEDS = [
    b'{"jsonrpc":"2.0","id":"x\\u00e9","method":"tools/call","params":{"name":"w","arguments":{"c":"Z\xc3\xbcrich","n":-1.5e-3,"l":[1,true,null,{}]}}}',
    b'[{"a":[0,-0.25,1E+2]},"\\ud83d\\ude00\\n",false]',
]


def test_truncations_and_mutations(suite):
    """Every prefix and many one-byte edits of realistic documents: same verdict and value as Python."""
    rng = random.Random(7)
    docs = []
    alphabet = b'{}[]",:\\ 0123456789-+.eEtrufalsn\x00\x1f\x7f\x80\xc3\xff'
    for seed in SEEDS:
        docs += [seed[:k] for k in range(len(seed))]
        for _ in range(1500):
            b = bytearray(seed)
            for _ in range(rng.choice((1, 1, 2, 3))):
                op = rng.random()
                k = rng.randrange(len(b))
                if op < 0.4:
                    b[k] = rng.choice(alphabet)
                elif op < 0.7:
                    b.insert(k, rng.choice(alphabet))
                else:
                    del b[k]
            docs.append(bytes(b))
    check_parse(suite, docs, against_pydantic=True)


def test_accessors(suite):
    lines = suite.run("accessors")
    failed = [ln for ln in lines if not ln.endswith("\tok")]
    assert lines and not failed


# ---------------------------------------------------------------- floats


def _bits(x: float) -> bytes:
    return struct.pack(">d", x).hex().encode()


def float_cases() -> list[float]:
    rng = random.Random(1234)
    xs = [
        0.0,
        -0.0,
        math.inf,
        -math.inf,
        math.nan,
        1.0,
        -1.0,
        0.1,
        0.2,
        0.3,
        1 / 3,
        2 / 3,
        1e16,
        1e15,
        9999999999999998.0,
        123456789012345680.0,
        1e-4,
        1e-5,
        0.00011,
        1e-7,
        1e22,
        1e23,
        5e-324,
        1e-323,
        2.2250738585072014e-308,
        2.225073858507201e-308,
        sys.float_info.max,
        sys.float_info.min,
        2.0**53,
        2.0**53 + 2,
        2.0**63,
        2.0**64,
        21.5,
        37.7749,
        -122.4194,
        3.14159,
        100.0,
        1.5,
        0.5,
        1e100,
        1.7e308,
        4.35,
        0.07,
    ]
    xs += [2.0**k for k in range(-1074, 1024)]
    xs += [10.0**k for k in range(-323, 309)]
    xs += [math.nextafter(x, d) for x in (1.0, 1e16, 2.0**-1022, 1e-4, 1e23) for d in (0, math.inf)]
    for _ in range(3000):  # every exponent, including subnormals
        x = struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0]
        if not math.isnan(x):
            xs.append(x)
    for _ in range(1500):  # short decimals, as tools return them
        xs.append(round(rng.uniform(-1e6, 1e6), rng.randrange(0, 8)))
    for _ in range(500):
        xs.append(rng.uniform(0, 1) * 10.0 ** rng.randrange(-320, 300))
    return xs


def test_float_repr(suite):
    xs = float_cases()
    out = suite.run("floats", _write_lines(suite, "floats-in", [_bits(x) for x in xs]))
    bad = [(x, got, json.dumps(x)) for x, got in zip(xs, out) if got != json.dumps(x)]
    assert len(out) == len(xs)
    assert not bad, bad[:10]


def _write_lines(suite: Suite, name: str, lines: list[bytes]) -> str:
    path = suite.workdir / (name + ".txt")
    path.write_bytes(b"".join(ln + b"\n" for ln in lines))
    return str(path)


# ---------------------------------------------------------------- strings


def string_cases() -> list[bytes]:
    rng = random.Random(99)
    cases = [bytes([c]) for c in range(128)]
    cases += [
        chr(cp).encode()
        for cp in (
            0x80,
            0xA0,
            0xE9,
            0x7FF,
            0x800,
            0x20AC,
            0xD7FF,
            0xE000,
            0xFFFD,
            0xFEFF,
            0xFFFF,
            0x10000,
            0x1F600,
            0x10FFFF,
        )
    ]
    cases += [
        b"",
        b"plain ascii",
        'caf\u00e9 \u2603 \U0001f600 "q" \\ /'.encode(),
        "\u2028\u2029".encode(),
        b"a\x00b",
        b"\x7f\x80",
    ]
    cases += [
        b"\x80",
        b"\xbf",
        b"\xc0\x80",
        b"\xc1\xbf",
        b"\xc2",
        b"\xc2A",
        b"\xe0\x80\x80",
        b"\xe0\xa0",
        b"\xe0\xa0A",
        b"\xed\xa0\x80",
        b"\xed\xbf\xbf",
        b"\xef\xbf",
        b"\xf0\x80\x80\x80",
        b"\xf0\x90\x80",
        b"\xf0\x90\x80A",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xf8\x88\x80\x80\x80",
        b"\xfe\xff",
        b"\xff",
        b"ok\xe2\x82",
        b"\xe2\x82\xac\xe2\x82",
        b"\xf0\x9f\x98",
    ]
    for _ in range(2000):
        kind = rng.random()
        if kind < 0.5:
            s = "".join(
                chr(rng.choice((rng.randrange(0, 128), rng.randrange(128, 0xD800), rng.randrange(0xE000, 0x110000))))
                for _ in range(rng.randrange(0, 12))
            )
            cases.append(s.encode())
        else:
            cases.append(bytes(rng.randrange(256) for _ in range(rng.randrange(0, 12))))
    return cases


def test_string_escaping(suite):
    cases = string_cases()
    out = suite.batch("strings", cases)
    bad = [(b, got) for b, got in zip(cases, out) if got != json.dumps(b.decode("utf-8", "replace"))]
    assert not bad, bad[:10]


# ---------------------------------------------------------------- indent


def indent_cases() -> list[object]:
    rng = random.Random(5)

    def value(depth: int):
        r = rng.random()
        if depth > 4 or r < 0.4:
            return rng.choice(
                [0, -7, 2**70, 1.5, -0.0, 1e-9, True, False, None, "", "s", 'q"uote', "a,b:c", "{[]}", "\u00e9\n", "\\"]
            )
        if r < 0.7:
            return [value(depth + 1) for _ in range(rng.randrange(0, 4))]
        return {
            rng.choice(["a", "b", "k:", "x,y", "\u00e9", ""]) + str(i): value(depth + 1)
            for i in range(rng.randrange(0, 4))
        }

    return [value(0) for _ in range(400)] + [{}, [], [[]], {"a": {}}, [{}, []], {"": [{}]}]


def test_indent_matches_json_dumps(suite):
    objs = indent_cases()
    compact = [json.dumps(o, separators=(",", ":")).encode() for o in objs]
    spaced = [json.dumps(o).encode() for o in objs]  # ", " and ": " separators
    out = suite.batch("indent", compact + spaced)
    expected = [json.dumps(o, indent=2) for o in objs] * 2
    bad = [(e, bytes.fromhex(h).decode()) for e, h in zip(expected, out) if bytes.fromhex(h).decode() != e]
    assert not bad, bad[:3]


# ---------------------------------------------------------------- write_json and builders

EXPECTED_VALUES = {
    "opt_list_none": None,
    "opt_list_some": [2],
    "opt_str": [None, "s"],
    "list_of_tuples": [[1, "a"], [2, "b"]],
    "dict_opt_values": {"k": None},
    "list_of_dicts": [{"x": 1.5}, {"y": -0.0}],
    "int": 42,
    "neg": -(2**63),
    "float": 2.0,
    "float2": 0.1,
    "nan": math.nan,
    "bool": True,
    "str": 'h\u00e9llo "w"\n',
    "none": None,
    "opt_none": None,
    "opt_some": 5,
    "list_int": [1, 2, 3],
    "list_empty": [],
    "list_str": ["a", "b"],
    "list_float": [1.0, 1.5, 1e100],
    "list_opt": [1, None],
    "nested": [[1], [], [2, 3]],
    "tuple": [1, "two", 3.0, None, False],
    "tuple_empty": [],
    "dict_one": {"k": [1, 2]},
    "dict_empty": {},
    "dict_int_key": {7: "seven"},
    "dict_float_key": {1.5: 1},
    "dict_bool_key": {True: 1},
    "dict_nested": {"a": {"b": {"c": [None, 3]}}},
    "json": {"pre": 1},
    "list_json": [1, "a"],
    "custom": {"x": 1, "y": 2},
    "list_custom": [{"x": 3, "y": 4}],
    "to_json": [1, 2],
    "obj": {"city": "Paris", "temp": 21, "rain": 0.5},
    "obj_direct": {"a": 1, "b": "x", "c": [True]},
    "obj_empty": {},
    "arr": [1, "a", None, {"k": 1}],
    "arr_direct": [1, "a", 2.5],
    "arr_empty": [],
    "obj_nested": {"inner": {"x": [1.0, 2.0]}, "z": []},
    "obj_order": {"z": 1, "a": 2, "m": 3},
}


def test_write_json_and_builders(suite):
    got = dict(ln.split("\t", 1) for ln in suite.run("values"))
    assert set(got) == set(EXPECTED_VALUES)
    for name, value in EXPECTED_VALUES.items():
        # every case has at most one key per object, so the text must match exactly
        assert got[name] == json.dumps(value, separators=(",", ":")), name


# ---------------------------------------------------------------- properties

if given is not None:
    json_values = st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | st.floats(allow_nan=False)
        | st.text(max_size=12),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=6), inner, max_size=5),
        max_leaves=30,
    )
    fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

    @fast
    @given(values=st.lists(json_values, min_size=1, max_size=20), ascii_only=st.booleans(), compact=st.booleans())
    def test_property_parse(suite, values, ascii_only, compact):
        seps = (",", ":") if compact else (", ", ": ")
        docs = [json.dumps(v, ensure_ascii=ascii_only, separators=seps).encode() for v in values]
        check_parse(suite, docs)

    @fast
    @given(values=st.lists(json_values, min_size=1, max_size=20))
    def test_property_indent(suite, values):
        docs = [json.dumps(v, separators=(",", ":")).encode() for v in values]
        out = suite.batch("indent", docs)
        assert [bytes.fromhex(h).decode() for h in out] == [json.dumps(v, indent=2) for v in values]

    @fast
    @given(xs=st.lists(st.floats(allow_nan=False) | st.floats(width=32), min_size=1, max_size=50))
    def test_property_floats(suite, xs):
        out = suite.run("floats", _write_lines(suite, "prop-floats", [_bits(x) for x in xs]))
        assert out == [json.dumps(x) for x in xs]

    @fast
    @given(items=st.lists(st.binary(max_size=16) | st.text(max_size=8).map(str.encode), min_size=1, max_size=30))
    def test_property_strings(suite, items):
        out = suite.batch("strings", items)
        assert out == [json.dumps(b.decode("utf-8", "replace")) for b in items]


def test_bench_smoke(suite):
    """The benchmark mode runs; the real measurement is `json_suite bench 1000000`."""
    got = dict(ln.split("\t", 1) for ln in suite.run("bench", "20000"))
    assert int(got["bytes"]) > 200 and int(got["parse_ns_best"]) > 0
