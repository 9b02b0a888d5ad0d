"""Hostile input for a served app: valid MCP requests, mutated at the HTTP and the JSON layer.

Shared by tests/test_fuzz.py (a bounded run in the suite) and benchmarks/fuzz.py (>= 100k cases).
Nothing here knows Conduit: it speaks raw HTTP/1.1 over sockets to tests/apps/protocol_app.py's
tools, served by any backend.

- `valid_requests()`: initialize, ping, tools/list and tools/call of each tool, in both protocol
  eras (2026-07-28 sends MCP-Protocol-Version, Mcp-Method, Mcp-Name and a `params._meta` envelope).
- `hostile_requests()`: one of those, with a JSON mutation of its body (truncation, huge numbers,
  deep nesting, invalid UTF-8, NUL bytes, lone surrogates, duplicate keys, wrong types...) and/or an
  HTTP mutation (duplicate or conflicting Content-Length / Transfer-Encoding, signs and spaces in
  Content-Length, overflowing chunk sizes, obsolete line folding, bare CR, NUL in headers,
  methods, absolute-form and odd targets, HTTP/1.0 and other versions, missing Host, many or huge
  headers, pipelined garbage, truncation of the whole request, sending it in pieces).
- `exchange(host, port, case)` and `check_answers(data)`: raw_http.py's, which sends bytes and
  checks that every byte the server sent is well-formed HTTP/1.x responses.
- `still_serving(host, port)`: a good request on a fresh connection is answered correctly.

Longer than 600 lines: most of it is the lists of hostile values and heads, one item a line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import raw_http
from hypothesis import strategies as st
from raw_http import Hung, Malformed, Response, check_answers

__all__ = [
    "Case",
    "Hung",
    "Malformed",
    "Response",
    "check_answers",
    "exchange",
    "hostile_requests",
    "request_for",
    "still_serving",
    "valid_requests",
]

MODERN = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
ACCEPT = b"application/json, text/event-stream"

# tools/call arguments each tool of tests/apps/protocol_app.py answers normally
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("add", {"a": 2, "b": 3}),
    ("add", {"a": -(2**63), "b": -1}),
    ("divide", {"a": -(2**63), "b": -1}),
    ("divide", {"a": 7, "b": 0}),
    ("echo", {"text": "héllo\u2028\U0001f600"}),
    ("weather", {"city": "Paris", "units": "imperial"}),
    ("fail", {"message": "boom"}),
    ("stats", {"xs": [1.5, -2.0, 1e300], "label": None}),
    ("pick", {"mode": "fast", "weights": {"b": 2, "a": 1}}),
]


@dataclass
class Case:
    """One request to send, as parts (so that each layer can be mutated), plus what was done to it."""

    method: bytes = b"POST"
    target: bytes = b"/mcp"
    version: bytes = b"HTTP/1.1"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    framing: str = "length"  # "length": a right Content-Length; "chunked"; "none": whatever headers say
    chunk_sizes: list[int] = field(default_factory=list)
    raw: bytes | None = None  # set by mutations of the encoded bytes; wins over the parts
    pieces: list[int] = field(default_factory=list)  # send in pieces cut at these offsets
    mutations: list[str] = field(default_factory=list)

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        head = [self.method + b" " + self.target + b" " + self.version]
        headers = list(self.headers)
        body = self.body
        if self.framing == "length":
            headers.append((b"Content-Length", str(len(body)).encode()))
        elif self.framing == "chunked":
            headers.append((b"Transfer-Encoding", b"chunked"))
            body = _chunked(body, self.chunk_sizes)
        head += [name + b": " + value for name, value in headers]
        return b"\r\n".join(head) + b"\r\n\r\n" + body

    def describe(self) -> str:
        return f"{'+'.join(self.mutations) or 'unmutated'}: {self.encode()[:300]!r}"


def _chunked(body: bytes, sizes: list[int]) -> bytes:
    out, pos = [], 0
    for size in sizes:
        if pos >= len(body):
            break
        piece = body[pos : pos + max(1, size)]
        out.append(b"%x\r\n%s\r\n" % (len(piece), piece))
        pos += len(piece)
    if pos < len(body):
        out.append(b"%x\r\n%s\r\n" % (len(body) - pos, body[pos:]))
    out.append(b"0\r\n\r\n")
    return b"".join(out)


# ---- valid requests ------------------------------------------------------------------------------


def message(method: str, params: dict[str, Any] | None, id: Any = 1) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        body["params"] = params
    return body


def request_for(
    method: str, params: dict[str, Any] | None, *, modern: bool, host: bytes = b"127.0.0.1", id: Any = 1
) -> Case:
    """A valid request of either era (2026-07-28 with its headers and `_meta` envelope)."""
    headers = [(b"Host", host), (b"Accept", ACCEPT), (b"Content-Type", b"application/json")]
    if modern:
        params = {**(params or {}), "_meta": META}
        headers += [(b"MCP-Protocol-Version", MODERN.encode()), (b"Mcp-Method", method.encode())]
        if method == "tools/call":
            headers.append((b"Mcp-Name", str(params["name"]).encode()))
    body = json.dumps(message(method, params, id), ensure_ascii=False).encode()
    return Case(headers=headers, body=body)


def _initialize(modern: bool) -> Case:
    if modern:
        return request_for("server/discover", {}, modern=True)
    params = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "fuzz", "version": "0"}}
    return request_for("initialize", params, modern=False)


_KINDS = st.sampled_from(["initialize", "ping", "tools/list", "tools/call", "tools/call", "tools/call"])
_CALLS = st.sampled_from(CALLS)
_IDS = st.one_of(st.integers(-(2**53), 2**53), st.text(max_size=8))


@st.composite
def valid_requests(draw: st.DrawFn) -> Case:
    modern = draw(st.booleans())
    kind = draw(_KINDS)
    if kind == "initialize":
        return _initialize(modern)
    if kind == "ping":
        return request_for("ping", None if draw(st.booleans()) else {}, modern=False)
    if kind == "tools/list":
        return request_for("tools/list", {}, modern=modern)
    name, arguments = draw(_CALLS)
    id = draw(_IDS)
    return request_for("tools/call", {"name": name, "arguments": arguments}, modern=modern, id=id)


# ---- the JSON layer ------------------------------------------------------------------------------

_HOLE = "\x00hole\x00"
HOSTILE_VALUES: list[bytes] = [
    # numbers
    b"1" + b"0" * 400,
    b"-" + b"9" * 5000,
    b"1" * 4301 + b".5",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551616",
    b"1e999",
    b"-1e999",
    b"1e-999",
    b"1e99999999999999999999",
    b"-0",
    b"-0.0",
    b"0.1e+0001",
    b"01",
    b"1.",
    b".1",
    b"+1",
    b"0x10",
    b"1e",
    b"--1",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"nan",
    # strings
    b'"\\ud800"',
    b'"\\udc00\\ud800"',
    b'"\\ud800\\u0041"',
    b'"\\uD834\\uDD1E"',
    b'"\xff"',
    b'"\xc3"',
    b'"\xc0\xaf"',
    b'"\xed\xa0\x80"',
    b'"\xf4\x90\x80\x80"',
    b'"\x00"',
    b'"a\x00b"',
    b'"\\u0000"',
    b'"\\x41"',
    b'"\\"',
    b'"\t"',
    b'"\\u12"',
    b'"' + b"a" * 100_000 + b'"',
    b'"' + b"\\n" * 20_000 + b'"',
    # structures
    b"[" * 10_000 + b"]" * 10_000,
    b'{"a":' * 5000 + b"1" + b"}" * 5000,
    b"[" * 200 + b"]" * 200,
    b"[" * 10_000,
    b"[1,]",
    b'{"a":1,}',
    b'{"a":1,"a":2}',
    b"[1 2]",
    b"{1:2}",
    b'{"a"}',
    b"[",
    b"{",
    b"[]",
    b"{}",
    b"null",
    b"true",
    b"tru",
    b"[" + b"1," * 50_000 + b"1]",
    b'{"\xff":1}',
    b'{"\\ud800":1}',
]
# What may stand around the whole body.
AFFIXES: list[tuple[bytes, bytes]] = [
    (b"\xef\xbb\xbf", b""),
    (b"", b"x"),
    (b"", b"\x00"),
    (b"", b"}"),
    (b"", b" {}"),
    (b" \t\r\n", b" \t\r\n"),
    (b"\x0c", b""),
    (b"\xc2\xa0", b""),
    (b"", b"\xe2\x80\xa8"),
    (b"[", b"]"),
    (b"[", b"," + b"{}]"),
]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every position in the message a value can be put at (object members and list items)."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, prefix + (i,))
    return out


def _put(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _put(value[path[0]], path[1:], new)
    return copy


JSON_MUTATIONS = st.sampled_from(
    ["value", "value", "value", "truncate", "insert", "flip", "affix", "duplicate", "batch"]
)
HOSTILE = st.sampled_from(HOSTILE_VALUES)


@st.composite
def json_mutation(draw: st.DrawFn, case: Case) -> Case:
    """The same request with its body mutated at the JSON level (the Content-Length stays right)."""
    doc = json.loads(case.body)
    kind = draw(JSON_MUTATIONS)
    body = case.body
    if kind == "value":
        path = draw(st.sampled_from(_paths(doc)[1:]))
        hostile = draw(HOSTILE)
        text = json.dumps(_put(doc, path, _HOLE), ensure_ascii=False).encode()
        body = text.replace(json.dumps(_HOLE).encode(), hostile, 1)
        kind = f"value@{'/'.join(map(str, path))}={hostile[:12]!r}"
    elif kind == "truncate":
        body = body[: draw(st.integers(0, max(0, len(body) - 1)))]
    elif kind == "insert":
        at = draw(st.integers(0, len(body)))
        junk = draw(
            st.one_of(
                st.sampled_from(
                    [
                        b"\x00",
                        b"\xff",
                        b"\xc3",
                        b"\xed\xa0\x80",
                        b'"',
                        b"\\",
                        b"\\u",
                        b"{",
                        b"[",
                        b",",
                        b"]",
                        b"}",
                        b":",
                        b" ",
                    ]
                ),
                st.binary(min_size=1, max_size=8),
            )
        )
        body = body[:at] + junk + body[at:]
    elif kind == "flip":
        at = draw(st.integers(0, max(0, len(body) - 1)))
        body = body[:at] + bytes([draw(st.integers(0, 255))]) + body[at + 1 :]
    elif kind == "affix":
        before, after = draw(st.sampled_from(AFFIXES))
        body = before + body + after
    elif kind == "duplicate":
        key = draw(st.sampled_from(["jsonrpc", "id", "method", "params"]))
        value = draw(st.sampled_from(['"2.0"', "1", '"tools/list"', "{}", "null", '"x"']))
        body = b'{"' + key.encode() + b'":' + value.encode() + b"," + body[1:]
    else:
        body = b"[" + body + b"," + body + b"]"
    return replace(case, body=body, mutations=case.mutations + [f"json:{kind}"])


# ---- the HTTP layer ------------------------------------------------------------------------------

METHODS = [
    b"GET",
    b"PUT",
    b"DELETE",
    b"OPTIONS",
    b"PATCH",
    b"post",
    b"CONNECT",
    b"TRACE",
    b"P\x00ST",
    b"PO ST",
    b"",
    b"X" * 5000,
]
TARGETS = [
    b"/mcp?x=1",
    b"/mcp#frag",
    b"*",
    b"http://127.0.0.1/mcp",
    b"http://evil.example/mcp",
    b"HTTP://127.0.0.1:1/mcp?x",
    b"//mcp",
    b"/mcp/../mcp",
    b"/%00",
    b"/mcp%",
    b"/" + b"a" * 70_000,
    b"/m\xffcp",
    b"mcp",
    b"",
    b"/healthz",
    b"/nowhere",
]
VERSIONS = [
    b"HTTP/1.0",
    b"HTTP/2.0",
    b"HTTP/1.10",
    b"HTTP/0.9",
    b"HTTP/1.1 ",
    b"http/1.1",
    b"",
    b"HTTP/9.9",
    b"HTTP/1",
    b"HTTP/1.1\r",
]
CONTENT_LENGTHS = [
    b"+{n}",
    b" {n}",
    b"{n} ",
    b"-1",
    b"{n},{n}",
    b"{n}, {n}",
    b"0x10",
    b"99999999999999999999999",
    b"",
    b"{m}",
    b"0",
    b"0{n}",
    b"{n}\x00",
    b"\xff",
]


def _headers_named(case: Case, name: bytes) -> list[int]:
    return [i for i, (k, _) in enumerate(case.headers) if k.lower() == name.lower()]


HTTP_MUTATIONS = st.sampled_from(
    [
        "duplicate-header",
        "content-length",
        "two-lengths",
        "length-and-chunked",
        "transfer-encoding",
        "chunked",
        "chunk-size",
        "fold",
        "bare-cr",
        "nul",
        "bytes-in-header",
        "method",
        "target",
        "version",
        "no-host",
        "many-headers",
        "huge-header",
        "bad-header-line",
        "expect",
        "connection",
        "line-ends",
        "pipeline",
        "garbage-after",
        "garbage-before",
        "truncate",
        "pieces",
        "drop-header",
    ]
)


@st.composite
def http_mutation(draw: st.DrawFn, case: Case) -> Case:
    """The same request with its head, framing or bytes mutated."""
    case = replace(case, headers=list(case.headers))
    kind = draw(HTTP_MUTATIONS)
    n = len(case.body)
    if kind == "duplicate-header":
        i = draw(st.integers(0, len(case.headers) - 1))
        name, value = case.headers[i]
        other = draw(st.sampled_from([value, b"", b"text/plain", b"2025-06-18", b"tools/list", b"evil.example", b"x"]))
        case.headers.insert(draw(st.integers(0, len(case.headers))), (name, other))
    elif kind == "content-length":
        form = draw(st.sampled_from(CONTENT_LENGTHS))
        value = form.replace(b"{n}", str(n).encode()).replace(
            b"{m}", str(max(0, n + draw(st.integers(-5, 5)))).encode()
        )
        case.headers.append((b"Content-Length", value))
        case.framing = "none"
    elif kind == "two-lengths":
        case.headers += [
            (b"Content-Length", str(n).encode()),
            (b"Content-Length", str(n + draw(st.integers(-3, 3))).encode()),
        ]
        case.framing = "none"
    elif kind == "length-and-chunked":
        case.framing = "chunked"
        case.headers.insert(draw(st.integers(0, len(case.headers))), (b"Content-Length", str(n).encode()))
        case.chunk_sizes = [draw(st.integers(1, 64))]
    elif kind == "transfer-encoding":
        value = draw(
            st.sampled_from(
                [
                    b"gzip",
                    b"chunked, chunked",
                    b"Chunked",
                    b"gzip, chunked",
                    b"chunked;q=1",
                    b"identity",
                    b"",
                    b"\x00chunked",
                ]
            )
        )
        case.headers.append((b"Transfer-Encoding", value))
        case.framing = draw(st.sampled_from(["none", "chunked", "length"]))
    elif kind == "chunked":
        case.framing = "chunked"
        case.chunk_sizes = draw(st.lists(st.integers(1, 40), max_size=8))
    elif kind == "chunk-size":
        size = draw(
            st.sampled_from(
                [
                    b"ffffffffffffffffffffffff",
                    b"8000000000000000",
                    b"-1",
                    b"+5",
                    b"0x5",
                    b" 5",
                    b"5 ",
                    b"5;ext=1",
                    b"5;" + b"e" * 5000,
                    b"",
                    b"g",
                    b"00000000000000000005",
                ]
            )
        )
        body = case.body
        case.headers.append((b"Transfer-Encoding", b"chunked"))
        case.framing = "none"
        end = draw(st.sampled_from([b"0\r\n\r\n", b"", b"0\r\n", b"0\r\nX-Trailer: 1\r\n\r\n", b"0\n\n"]))
        case.body = size + b"\r\n" + body[:5] + b"\r\n" + b"%x\r\n" % (len(body) - 5) + body[5:] + b"\r\n" + end
    elif kind == "fold":
        i = draw(st.integers(0, len(case.headers) - 1))
        name, value = case.headers[i]
        case.headers[i] = (name, value + b"\r\n " + draw(st.sampled_from([b"more", b"", b"\t"])))
    elif kind in ("bare-cr", "nul", "bytes-in-header"):
        junk = {"bare-cr": b"\r", "nul": b"\x00"}.get(kind) or draw(
            st.sampled_from([b"\xff", b"\xc3\x28", b"\x7f", b"\x1b", b"\xe2\x80\xa8", b"\n"])
        )
        i = draw(st.integers(0, len(case.headers) - 1))
        name, value = case.headers[i]
        at = draw(st.integers(0, len(value)))
        if draw(st.booleans()):
            case.headers[i] = (name, value[:at] + junk + value[at:])
        else:
            case.headers[i] = (name[:1] + junk + name[1:], value)
    elif kind == "method":
        case.method = draw(st.sampled_from(METHODS))
    elif kind == "target":
        case.target = draw(st.sampled_from(TARGETS))
    elif kind == "version":
        case.version = draw(st.sampled_from(VERSIONS))
    elif kind == "no-host":
        case.headers = [(k, v) for k, v in case.headers if k.lower() != b"host"]
        if draw(st.booleans()):
            case.version = b"HTTP/1.0"
    elif kind == "many-headers":
        count = draw(st.sampled_from([99, 101, 150, 1000]))
        case.headers += [(b"X-H%d" % i, b"v") for i in range(count)]
    elif kind == "huge-header":
        case.headers.append((b"X-Big", b"a" * draw(st.sampled_from([8000, 65000, 70_000, 200_000]))))
    elif kind == "bad-header-line":
        line = draw(
            st.sampled_from([(b"Bad Header", b"x"), (b"", b"x"), (b"Name ", b"x"), (b"N\xffame", b"x"), (b"X", b"")])
        )
        case.headers.insert(draw(st.integers(0, len(case.headers))), line)
    elif kind == "expect":
        case.headers.append((b"Expect", draw(st.sampled_from([b"100-continue", b"nonsense", b"100-CONTINUE"]))))
    elif kind == "connection":
        case.headers.append(
            (b"Connection", draw(st.sampled_from([b"close", b"keep-alive", b"upgrade", b"close, keep-alive", b"\xff"])))
        )
    elif kind == "line-ends":
        sep = draw(st.sampled_from([b"\n", b"\r", b"\r\r\n", b"\n\r"]))
        raw = case.encode()
        head, _, body = raw.partition(b"\r\n\r\n")
        case.raw = head.replace(b"\r\n", sep) + sep + sep + body
    elif kind == "pipeline":
        count = draw(st.integers(2, 20))
        case.raw = case.encode() * count
    elif kind == "garbage-after":
        garbage = draw(
            st.one_of(
                st.binary(max_size=64),
                st.sampled_from(
                    [
                        b"\r\n\r\n",
                        b"GET / HTTP/1.1\r\n\r\n",
                        b"\x16\x03\x01\x02\x00",
                        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                    ]
                ),
            )
        )
        case.raw = case.encode() + garbage
    elif kind == "garbage-before":
        garbage = draw(
            st.one_of(
                st.binary(min_size=1, max_size=64), st.sampled_from([b"\r\n\r\n", b"\x16\x03\x01\x02\x00", b"\r\n"])
            )
        )
        case.raw = garbage + case.encode()
    elif kind == "truncate":
        raw = case.encode()
        case.raw = raw[: draw(st.integers(0, len(raw) - 1))]
    elif kind == "pieces":
        raw = case.encode()
        case.pieces = sorted(set(draw(st.lists(st.integers(1, max(1, len(raw) - 1)), min_size=1, max_size=6))))
    else:
        i = draw(st.integers(0, len(case.headers) - 1))
        del case.headers[i]
    return replace(case, mutations=case.mutations + [f"http:{kind}"])


LAYERS = st.sampled_from(["json", "http", "http", "both", "both", "http+http"])


@st.composite
def hostile_requests(draw: st.DrawFn) -> Case:
    """A valid request mutated at the JSON layer, the HTTP layer, or both (rarely neither)."""
    case = draw(valid_requests())
    layers = draw(LAYERS)
    if layers in ("json", "both"):
        case = draw(json_mutation(case))
    if layers in ("http", "both", "http+http"):
        case = draw(http_mutation(case))
    if layers == "http+http" and case.raw is None:
        case = draw(http_mutation(case))
    return case


# ---- talking to the server ---------------------------------------------------------------------


def exchange(host: str, port: int, case: Case, timeout: float = 10.0, settle: float = 0.0) -> bytes:
    """Send the case (in its pieces) and read until the server closes (raw_http.exchange)."""
    return raw_http.exchange(host, port, case.encode(), case.pieces, timeout=timeout, settle=settle)


GOOD = request_for("tools/call", {"name": "add", "arguments": {"a": 20, "b": 22}}, modern=False, id=99)


def still_serving(host: str, port: int, settle: float = 0.0) -> None:
    """A good request on a fresh connection gets the right answer."""
    answers = check_answers(exchange(host, port, GOOD, settle=settle))
    assert len(answers) == 1 and answers[0].status == 200, answers
    reply = json.loads(answers[0].body)
    assert reply["id"] == 99 and reply["result"]["structuredContent"] == {"result": 42}, reply
