"""Route dispatch, per lookup: the generated native router against a linear chain and Python routers.

For 10, 100 and 1,000 routes (four in five static, one in five with a `:param`), it times, over
the same request paths (every route hit in turn):
- native: the generated dispatcher (method bucket, perfect hash, segment matcher), in Codon;
- native linear: a chain of length-and-bytes compares over the static paths, in Codon;
- python dict+regex: a dict for static paths, then a scan of compiled regexes (a typical router);
- python RouteTable: the python backend's router (conduit.routing).
Prints a table; figures are machine-dependent. Run: python benchmarks/routes/dispatch.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from conduit import toolchain  # noqa: E402
from conduit.codegen.program import Writer  # noqa: E402
from conduit.codegen.routes import emit_dispatch  # noqa: E402
from conduit.routing import Route, RouteTable, parse_pattern  # noqa: E402
from conduit.tools import Source  # noqa: E402

SIZES = (10, 100, 1000)
NATIVE_LOOKUPS = 20_000_000
PYTHON_LOOKUPS = 200_000


def _handler(req):
    return ""


def table_of(size: int) -> tuple[RouteTable, list[str]]:
    """`size` GET routes and one request path per route."""
    table, paths = RouteTable(), []
    for i in range(size):
        if i % 5 == 4:
            pattern, path = f"/api/v1/items{i}/:id", f"/api/v1/items{i}/{i * 7}"
        else:
            pattern, path = f"/api/v1/resource{i}/list", f"/api/v1/resource{i}/list"
        table.add(Route(pattern, ("GET",), _handler, Source("", "<bench>", 1), parse_pattern(pattern)))
        paths.append(path)
    return table, paths


def program(tables: list[tuple[RouteTable, list[str]]]) -> str:
    w = Writer()
    w.emit("import time")
    for k, (table, paths) in enumerate(tables):
        endpoints, buckets = table.compile()
        part = Writer()
        emit_dispatch(part, endpoints, buckets, helpers=k == 0)
        w.emit("\n".join(part.out).replace("_c_", f"_t{k}_"))
        # The baseline: every static path compared in turn.
        w.emit(f"def _linear_{k}(p: Ptr[byte], n: int) -> int:")
        for i, route in enumerate(table):
            if route.is_static:
                w.emit(f'    if n == {len(route.pattern)} and _conduit_phf_equal(p, "{route.pattern}".ptr, n):')
                w.emit(f"        return {i}")
        w.emit("    return -1")
        w.emit(f"_paths_{k} = [{', '.join(repr(p) for p in paths)}]")
        w.emit(f"_static_{k} = [p for p in _paths_{k} if not p.startswith('/api/v1/items')]")
    w.emit("spans = Ptr[int](8)")
    w.emit("def bench(k: int, paths: List[str], linear: bool) -> float:")
    w.emit(f"    rounds = {NATIVE_LOOKUPS} // len(paths)")
    w.emit("    check = 0")
    w.emit("    t0 = time.time()")
    w.emit("    for _ in range(rounds):")
    w.emit("        for path in paths:")
    for k in range(len(tables)):
        w.emit(f"            if k == {k}:")
        chain = f"_linear_{k}(path.ptr, len(path))"
        w.emit(f"                check += {chain} if linear else _t{k}_find(0, path.ptr, len(path), spans)")
    w.emit("    elapsed = time.time() - t0")
    w.emit("    if check == -1:  # keeps the lookups from being optimized away")
    w.emit("        print(check)")
    w.emit("    return elapsed * 1e9 / (rounds * len(paths))")
    for k in range(len(tables)):
        w.emit(
            f"print({k}, bench({k}, _paths_{k}, False), bench({k}, _static_{k}, True), bench({k}, _static_{k}, False))"
        )
    return w.program().text


def python_regex_router(table: RouteTable):
    static = {r.pattern: i for i, r in enumerate(table) if r.is_static}
    dynamic = [
        (re.compile("^" + re.sub(r":(\w+)", r"(?P<\1>[^/]+)", r.pattern) + "$"), i)
        for i, r in enumerate(table)
        if not r.is_static
    ]

    def find(path: str):
        if path in static:
            return static[path], {}
        for regex, i in dynamic:
            m = regex.match(path)
            if m:
                return i, m.groupdict()
        return None

    return find


def per_lookup_ns(find, paths: list[str]) -> float:
    rounds = max(1, PYTHON_LOOKUPS // len(paths))
    t0 = time.perf_counter()
    for _ in range(rounds):
        for path in paths:
            find(path)
    return (time.perf_counter() - t0) * 1e9 / (rounds * len(paths))


def main() -> None:
    tables = [table_of(size) for size in SIZES]
    binary = toolchain.build(program(tables), name="route_dispatch_bench", flags=("-release",)).binary
    native = {}
    for line in subprocess.run([str(binary)], capture_output=True, text=True, check=True).stdout.splitlines():
        k, mixed, linear, static = line.split()
        native[int(k)] = (float(mixed), float(linear), float(static))
    print("ns per lookup (lower is better); paths: every route in turn, 1 in 5 with a :param")
    header = ("routes", "native", "native static", "native linear (static)", "python dict+regex", "python RouteTable")
    print(" | ".join(f"{h:>22}" if i else f"{h:>6}" for i, h in enumerate(header)))
    for k, (table, paths) in enumerate(tables):
        mixed, linear, static = native[k]
        regex = per_lookup_ns(python_regex_router(table), paths)
        ours = per_lookup_ns(lambda p, t=table: t.find("GET", p), paths)
        row = (
            f"{len(table):>6}",
            f"{mixed:22.1f}",
            f"{static:22.1f}",
            f"{linear:22.1f}",
            f"{regex:22.1f}",
            f"{ours:22.1f}",
        )
        print(" | ".join(row))


if __name__ == "__main__":
    main()
