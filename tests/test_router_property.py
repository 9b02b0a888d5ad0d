"""Property test: the generated native router agrees with a plain reference matcher.

Hypothesis draws route tables (a small alphabet of segments, so patterns overlap a lot); one Codon
program holding the dispatchers of all of them is compiled once per session and answers
"table method path" lines on stdin. Hypothesis then draws paths, most built from a table's own
patterns, and each answer (endpoint and parameter values) must equal the reference's, and the
python backend's `RouteTable.find`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conduit.codegen.program import Writer
from conduit.codegen.routes import emit_dispatch
from conduit.routing import HTTP_METHODS, Route, RouteDefinitionError, RouteTable, Segment, parse_pattern
from conduit.tools import Source

STATIC = ["a", "b", "users", "me", "x-1"]
N_TABLES = 25
MAX_PARAMS = 8


def _handler(req):  # every route of the generated tables shares this handler
    return ""


def _route(pattern: str, methods: tuple[str, ...]) -> Route:
    return Route(pattern, methods, _handler, Source("", "<property>", 1), parse_pattern(pattern))


@st.composite
def patterns(draw) -> str:
    parts = draw(st.lists(st.sampled_from([*STATIC, ":p", ":p", "*r"]), max_size=4))
    parts = [p for p in parts if p != "*r"] + (["*r"] if "*r" in parts else [])
    named = [f":p{i}" if p == ":p" else p for i, p in enumerate(parts)]
    return "/" + "/".join(named)


@st.composite
def route_tables(draw) -> RouteTable:
    table = RouteTable()
    for pattern, methods in draw(
        st.lists(
            st.tuples(patterns(), st.sets(st.sampled_from(["GET", "POST", "HEAD"]), min_size=1)),
            min_size=1,
            max_size=14,
        )
    ):
        try:
            table.add(_route(pattern, tuple(sorted(methods))))
        except RouteDefinitionError:
            pass  # a conflict: the table keeps the first route
    return table


def _collect_tables() -> list[RouteTable]:
    tables: list[RouteTable] = []

    @settings(max_examples=2 * N_TABLES, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(route_tables())
    def collect(table: RouteTable) -> None:
        if len(tables) < N_TABLES:
            tables.append(table)

    collect()
    return tables


TABLES = _collect_tables()


def _program(tables: list[RouteTable]) -> str:
    w = Writer()
    w.emit("import sys")
    for k, table in enumerate(tables):
        endpoints, buckets = table.compile()
        part = Writer()
        emit_dispatch(part, endpoints, buckets, helpers=k == 0)
        # One program, many tables: each table's functions get their own prefix.
        w.emit("\n".join(part.out).replace("_c_", f"_t{k}_"))
    w.emit("def find(k: int, m: int, p: Ptr[byte], n: int, spans: Ptr[int]) -> int:")
    for k in range(len(tables)):
        w.emit(f"    if k == {k}:")
        w.emit(f"        return _t{k}_find(m, p, n, spans)")
    w.emit("    return -1")
    w.emit(f"_methods = {list(HTTP_METHODS)!r}")
    w.emit(f"spans = Ptr[int]({2 * MAX_PARAMS})")
    w.emit("for line in sys.stdin:")
    w.emit('    k, method, path = line.rstrip("\\n").split(" ")')
    w.emit("    n = len(path)")
    w.emit("    if n > 1 and path[n - 1] == '/':  # one trailing slash is ignored")
    w.emit("        n -= 1")
    w.emit("    e = find(int(k), _methods.index(method), path.ptr, n, spans)")
    w.emit(f'    print(e, " ".join(str(spans[i]) for i in range({2 * MAX_PARAMS})))')
    w.emit("    sys.stdout.flush()")
    return w.program().text


@pytest.fixture(scope="session")
def native_router(build_codon) -> Iterator[subprocess.Popen]:
    binary = build_codon(_program(TABLES), "router_property")
    process = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    yield process
    process.stdin.close()
    process.wait(timeout=10)


def native_find(process: subprocess.Popen, k: int, table: RouteTable, method: str, path: str):
    process.stdin.write(f"{k} {method} {path}\n")
    process.stdin.flush()
    number, *spans = map(int, process.stdout.readline().split())
    if number < 0:
        return None
    endpoints, _ = table.compile()
    endpoint = endpoints[number]
    n = len(endpoint.route.param_names)
    return endpoint.method, endpoint.route.pattern, [path[spans[2 * i] : spans[2 * i + 1]] for i in range(n)]


# ---- the reference: every route tried, the most specific match kept ------------------------------


def _match(segments: tuple[Segment, ...], path: str) -> list[str] | None:
    if not path.startswith("/"):
        return None
    parts = [] if path == "/" else path[1:].split("/")
    values = []
    for i, segment in enumerate(segments):
        if segment.kind == "rest":
            rest = "/".join(parts[i:])
            return values + [rest] if i < len(parts) and rest else None
        if i >= len(parts):
            return None
        if segment.kind == "static" and parts[i] != segment.text:
            return None
        if segment.kind == "param":
            if not parts[i]:
                return None
            values.append(parts[i])
    return values if len(parts) == len(segments) else None


def reference_find(table: RouteTable, method: str, path: str):
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    rank = {"static": 0, "param": 1, "rest": 2}
    for m in ("HEAD", "GET") if method == "HEAD" else (method,):
        matches = []
        for route in table:
            values = _match(route.segments, path) if m in route.methods else None
            if values is not None:
                matches.append(([rank[s.kind] for s in route.segments], route, values))
        if matches:
            _, route, values = min(matches, key=lambda found: found[0])
            return m, route.pattern, values
    return None


@st.composite
def paths_for(draw, table: RouteTable) -> str:
    """A path near the table's patterns: their segments, with parameters filled and a few changed."""
    routes = list(table)
    segments = list(draw(st.sampled_from(routes)).segments) if routes and draw(st.booleans()) else []
    out = []
    for segment in segments:
        if segment.kind == "static" and draw(st.integers(0, 9)) > 0:
            out.append(segment.text)
        elif segment.kind == "rest":
            out.extend(draw(st.lists(st.sampled_from([*STATIC, "q", "%2F", ""]), min_size=0, max_size=3)))
        else:
            out.append(draw(st.sampled_from([*STATIC, "42", "%41b", "", "mcp"])))
    out.extend(draw(st.lists(st.sampled_from([*STATIC, "7"]), max_size=1)))
    path = "/" + "/".join(out)
    return path + "/" if draw(st.integers(0, 5)) == 0 else path


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_native_router_agrees_with_the_reference(native_router, data):
    k = data.draw(st.integers(0, len(TABLES) - 1), label="table")
    table = TABLES[k]
    method = data.draw(st.sampled_from(["GET", "POST", "HEAD", "PUT"]), label="method")
    path = data.draw(paths_for(table), label="path")
    expected = reference_find(table, method, path)
    assert native_find(native_router, k, table, method, path) == expected
    found = table.find(method, path)  # the python backend's router
    if expected is None:
        assert found is None
    else:
        endpoint, params = found
        assert (endpoint.method, endpoint.route.pattern) == expected[:2]
        assert list(params) == list(endpoint.route.param_names)


def test_the_paths_often_match(native_router):
    matched = 0
    for k, table in enumerate(TABLES):
        for route in table:
            path = "/" + "/".join("v" if s.kind != "static" else s.text for s in route.segments)
            found = native_find(native_router, k, table, route.methods[0], path)
            matched += found is not None
            assert found == reference_find(table, route.methods[0], path)
    assert matched == sum(len(t) for t in TABLES)


def test_the_tables_are_varied():
    assert len(TABLES) >= N_TABLES // 2
    assert sum(len(t) for t in TABLES) > 3 * N_TABLES
    assert any(not r.is_static for t in TABLES for r in t)
