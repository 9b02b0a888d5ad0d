"""Generate the Codon dispatcher for an app's HTTP routes: decided at build time, no regex, no scan.

For a request the generated code does, in order (see conduit.routing for the rules):

1. the method's bucket (GET, HEAD, POST, ...; runtime web.method_bucket);
2. a minimal perfect hash over that method's static paths (conduit.phf): one hash, one compare;
3. otherwise a segment matcher generated from the trie of that method's parameterized patterns:
   one function per trie node, trying its static children, then `:param`, then `*rest`.

Each (method, route) pair is an *endpoint*, numbered bucket by bucket with the static paths
first, so the perfect hash's index plus the bucket's first number is the endpoint, with no table
in between. `emit_dispatch` is used on its own by the router's property test and benchmark.
"""

from __future__ import annotations

import inspect
import json

from ..routing import HTTP_METHODS, Bucket, Endpoint, Route, RouteTable, TrieNode
from . import phf
from .program import Writer

_MANY_CHILDREN = 6  # a trie node with more static children than this looks them up by perfect hash

RUNTIME_IMPORTS = """\
from conduit_runtime.web import Request as _CWebRequest, method_bucket as _c_method_bucket
from conduit_runtime.web import reply_with as _c_reply_with, reply_error as _c_reply_error
from conduit_runtime.web import reply_unrouted as _c_reply_unrouted, BadRequest as _CBadRequest
from conduit_runtime.body_stream import stream_body as _c_stream_body
# What route handlers may name in their code:
from conduit_runtime.web import Request, Response, BadRequest"""

POOL_IMPORTS = """\
from conduit_runtime.route_pool import route_job as _c_route_job, run_route as _c_run_route
from conduit_runtime.route_pool import finish_route as _c_finish_route
from conduit_runtime.pool import JOB_ROUTE as _C_JOB_ROUTE"""


def emit_routes(
    w: Writer, routes: RouteTable, handlers: list[str], exceptions: list[str], pooled: list[int] | None = None
) -> None:
    """One call wrapper per route (its handler, already in the program under `handlers[i]`), and
    the dispatcher (`_c_find`, `_c_allowed`, `_c_call`). `pooled[i]` is route i's time limit in
    ms on the worker pool (0: none), or -1 for a handler that runs on the event loop."""
    endpoints, buckets = routes.compile()
    _emit_guard(w, exceptions)
    wrappers: dict[int, str] = {}
    for index, route in enumerate(routes):
        wrappers[id(route)] = _emit_wrapper(w, index, route, handlers[index])
    emit_dispatch(w, endpoints, buckets, helpers=False)
    _emit_call(w, endpoints, wrappers)
    if pooled and any(ms >= 0 for ms in pooled):
        _emit_pool(w, routes, endpoints, pooled)


def _emit_pool(w: Writer, routes: RouteTable, endpoints: list[Endpoint], pooled: list[int]) -> None:
    """`_C_ENDPOINT_POOL_MS` (per endpoint: -1 on the loop, else its limit) and the pool's call."""
    index = {id(route): i for i, route in enumerate(routes)}
    limits = [pooled[index[id(e.route)]] for e in endpoints]
    spans = 2 * max(1, *(len(r.param_names) for r in routes))
    w.emit(
        "# Per endpoint: -1 runs on the event loop; else it blocks, runs on the pool, with this limit (ms, 0: none)."
    )
    w.emit(f"_C_ENDPOINT_POOL_MS = List[int]([{', '.join(str(ms) for ms in limits)}])")
    w.emit(f"_C_ROUTE_NAMES = [{', '.join(json.dumps(e.route.name) for e in endpoints)}]")
    w.emit()
    w.emit("def _c_route_on_pool(e: int, req: _CRequest, reply: _CReply):")
    w.emit('    """Endpoint e\'s handler on a pool thread, its path parameters found again in the request\'s copy."""')
    w.emit(f"    spans = Ptr[int]({spans})")
    w.emit("    p, n = req.path_ptr()")
    w.emit("    if n > 1 and p[n - 1] == byte(47):")
    w.emit("        n -= 1")
    w.emit("    _c_find(_c_method_bucket(req), p, n, spans)")
    w.emit("    _c_call(e, _CWebRequest(req, _C_NO_PARAMS, spans, _CJsonDoc()), reply)")
    w.emit()


# ---- handlers ---------------------------------------------------------------------------------


def emit_handler_class_members(w: Writer, routes: RouteTable, pooled: bool = False) -> None:
    """The route state of `_CHandler` (one per event-loop thread) and its `route` method;
    `pooled`: some handlers run on the worker pool (emit_routes wrote their table)."""
    spans = 2 * max(1, *(len(r.param_names) for r in routes))
    w.emit("    def init_routes(self):")
    w.emit(f"        self.spans = Ptr[int]({spans})  # start, end of each path parameter")
    w.emit("        self.web = _CWebRequest(_CRequest(), _C_NO_PARAMS, self.spans, _CJsonDoc())")
    w.emit("    def route(self, req: _CRequest, reply: _CReply):")
    w.emit('        """Every path but /mcp: method bucket, perfect hash, segment matcher, call."""')
    w.emit("        p, n = req.path_ptr()")
    w.emit("        if n > 1 and p[n - 1] == byte(47):  # one trailing slash is ignored")
    w.emit("            n -= 1")
    w.emit("        m = _c_method_bucket(req)")
    w.emit("        e = _c_find(m, p, n, self.spans)")
    w.emit("        if e < 0:")
    w.emit("            _c_reply_unrouted(reply, m, _c_allowed(p, n, self.spans))")
    w.emit("            return")
    if pooled:
        w.emit("        if _C_ENDPOINT_POOL_MS[e] >= 0:  # it blocks: the pool answers, the loop serves on")
        w.emit("            reply.defer(_c_route_job(req, e, _C_ROUTE_NAMES[e], _C_ENDPOINT_POOL_MS[e]))")
        w.emit("            return")
    w.emit("        self.web.http = req")
    w.emit("        _c_call(e, self.web, reply)")


def _emit_guard(w: Writer, exceptions: list[str]) -> None:
    """`_c_route_guarded`: call a handler and write its result; an exception is a JSON 400 or 500.

    Written once per program, for the reason `codegen.decoders.emit_guard` gives.
    """
    w.emit("def _c_route_guarded(f, reply: _CReply, octets: bool, what: str):")
    w.emit("    try:")
    w.emit("        _c_reply_with(reply, f(), octets)")
    w.emit("    except _CBadRequest as e:")
    w.emit('        _c_reply_error(reply, 400, "Bad Request", e.message)')
    w.emit("    except _cp.NeedsPython as e:  # routes have no CPython path: say what it would need")
    w.emit('        _c_reply_error(reply, 500, "Internal Server Error", "this request needs CPython: " + e.message)')
    for exc in exceptions:
        w.emit(f"    except {exc} as e:")
        w.emit('        _c_reply_error(reply, 500, "Internal Server Error", e.typename + ": " + e.message)')
    w.emit("    except:")
    w.emit('        _c_reply_error(reply, 500, "Internal Server Error", what + " raised an exception")')
    w.emit()


def _emit_wrapper(w: Writer, index: int, route: Route, handler: str) -> str:
    returns = inspect.signature(route.fn).return_annotation
    octets = returns in (bytes, "bytes")
    name = f"_c_route_{index}"
    what = json.dumps(f"route {route.name!r}")
    w.emit(f"# {route.describe()}: call, write the result")
    w.emit(f"def {name}(req: _CWebRequest, reply: _CReply):")
    if inspect.isgeneratorfunction(route.fn):  # its body streams as it yields (runtime/body_stream.codon)
        w.emit(f"    _c_route_guarded(lambda: _c_stream_body({handler}(req), req, reply), reply, False, {what})")
    else:
        w.emit(f"    _c_route_guarded(lambda: {handler}(req), reply, {octets}, {what})")
    w.emit()
    return name


def _emit_call(w: Writer, endpoints: list[Endpoint], wrappers: dict[int, str]) -> None:
    w.emit("_C_NO_PARAMS = List[str]()")
    names: dict[tuple[str, ...], str] = {}
    for endpoint in endpoints:
        params = endpoint.route.param_names
        if params and params not in names:
            names[params] = f"_C_PARAMS_{len(names)}"
            w.emit(f"{names[params]} = [{', '.join(json.dumps(p) for p in params)}]")
    w.emit()
    w.emit("def _c_call(e: int, req: _CWebRequest, reply: _CReply):")
    w.emit('    """Call endpoint e\'s handler (the endpoint numbers are those _c_find returns)."""')
    for endpoint in endpoints:
        route = endpoint.route
        w.emit(f"    if e == {endpoint.number}:  # {route.describe(endpoint.method)}")
        w.emit(f"        req.names = {names.get(route.param_names, '_C_NO_PARAMS')}")
        w.emit(f"        {wrappers[id(route)]}(req, reply)")
        w.emit("        return")
    w.emit()


# ---- the dispatcher ---------------------------------------------------------------------------


def emit_dispatch(w: Writer, endpoints: list[Endpoint], buckets: dict[str, Bucket], *, helpers: bool) -> None:
    """`_c_find(m, p, n, spans) -> endpoint or -1` and `_c_allowed(p, n, spans) -> method bit mask`.

    `p[0:n]` is the request path (trailing slash already dropped); `spans` receives the start
    and end offsets of each parameter, in pattern order. `helpers` adds conduit.phf's helpers
    (a program that already has them passes False).
    """
    w.emit("# ---- routes: dispatch fixed at build time " + "-" * 48)
    if helpers:
        w.emit(phf.emit_codon_helpers())
    w.emit("def _c_segment_end(p: Ptr[byte], n: int, s: int) -> int:  # end of the segment starting at s")
    w.emit("    while s < n and p[s] != byte(47):")
    w.emit("        s += 1")
    w.emit("    return s")
    w.emit()
    for method, bucket in buckets.items():
        _emit_bucket(w, method, bucket, endpoints)
    w.emit("def _c_find(m: int, p: Ptr[byte], n: int, spans: Ptr[int]) -> int:")
    w.emit('    """The endpoint serving method bucket m (web.GET, ...) and path p[0:n], or -1."""')
    for m, method in enumerate(HTTP_METHODS):
        if method == "HEAD" and "GET" in buckets:
            w.emit(f"    if m == {m}:  # HEAD: its own routes, then GET's")
            if "HEAD" in buckets:
                w.emit("        r = _c_find_HEAD(p, n, spans)")
                w.emit("        return r if r >= 0 else _c_find_GET(p, n, spans)")
            else:
                w.emit("        return _c_find_GET(p, n, spans)")
        elif method in buckets:
            w.emit(f"    if m == {m}:  # {method}")
            w.emit(f"        return _c_find_{method}(p, n, spans)")
    w.emit("    return -1")
    w.emit()
    w.emit("def _c_allowed(p: Ptr[byte], n: int, spans: Ptr[int]) -> int:")
    w.emit('    """Bit m set for each method bucket m with a route for p[0:n] (for 405 and Allow)."""')
    w.emit("    a = 0")
    for m, method in enumerate(HTTP_METHODS):
        if method in buckets:
            w.emit(f"    if _c_find_{method}(p, n, spans) >= 0:")
            w.emit(f"        a |= {1 << m}  # {method}")
    w.emit("    return a")
    w.emit()


def _emit_bucket(w: Writer, method: str, bucket: Bucket, endpoints: list[Endpoint]) -> None:
    static = list(bucket.static)
    base = bucket.static[static[0]] if static else -1
    nodes = _number_nodes(bucket.root)
    dynamic = len(nodes) > 1 or bucket.root.rest >= 0
    w.emit(f"# ---- {method}: {len(static)} static path(s) by perfect hash, then the segment matcher")
    if static:
        w.emit(phf.emit_codon(phf.build([p.encode() for p in static]), f"_c_static_{method}", helpers=False))
    if dynamic:
        prefixes = _prefixes(nodes)
        for node, number in nodes.items():
            _emit_node(w, method, node, number, nodes, prefixes[node], endpoints)
    w.emit(f"def _c_find_{method}(p: Ptr[byte], n: int, spans: Ptr[int]) -> int:")
    if static:
        w.emit(f"    k = _c_static_{method}(p, n)")
        w.emit("    if k >= 0:")
        w.emit(f"        return {base} + k  # endpoints {base}..{base + len(static) - 1} are the static paths")
    if dynamic:
        w.emit("    if n == 0 or p[0] != byte(47):")
        w.emit("        return -1")
        w.emit(f"    return _c_{method}_0(p, n, 0, spans)")
    else:
        w.emit("    return -1")
    w.emit()


def _number_nodes(root: TrieNode) -> dict[TrieNode, int]:
    return {node: i for i, node in enumerate(root.walk())}


def _prefixes(nodes: dict[TrieNode, int]) -> dict[TrieNode, str]:
    """The pattern prefix that leads to each node (parents come first in `nodes`), for comments."""
    prefix = {next(iter(nodes)): ""}
    for parent in nodes:
        for text, child in parent.static.items():
            prefix[child] = f"{prefix[parent]}/{text}"
        if parent.param is not None:
            prefix[parent.param] = f"{prefix[parent]}/:"
    return prefix


def _emit_node(
    w: Writer,
    method: str,
    node: TrieNode,
    number: int,
    nodes: dict[TrieNode, int],
    prefix: str,
    endpoints: list[Endpoint],
) -> None:
    children = list(node.static.items())
    table = f"_c_{method}_{number}_segment"
    if len(children) > _MANY_CHILDREN:
        w.emit(phf.emit_codon(phf.build([t.encode() for t, _ in children]), table, helpers=False))
    w.emit(f"def _c_{method}_{number}(p: Ptr[byte], n: int, i: int, spans: Ptr[int]) -> int:")
    w.emit(f"    # after {prefix or '/'}; p[i] is the '/' before the next segment, or i == n")
    w.emit("    if i == n:")
    if node.end >= 0:
        w.emit(f"        return {node.end}  # {endpoints[node.end].route.describe(method)}")
    else:
        w.emit("        return -1")
    w.emit("    s = i + 1")
    w.emit("    e = _c_segment_end(p, n, s)  # the next segment is p[s:e]")
    if len(children) > _MANY_CHILDREN:
        w.emit(f"    k = {table}(p + s, e - s)  # perfect hash over the {len(children)} static segments here")
        for k, (text, child) in enumerate(children):
            w.emit(f"    if k == {k}:  # {text}")
            w.emit(f"        r = _c_{method}_{nodes[child]}(p, n, e, spans)")
            w.emit("        if r >= 0:")
            w.emit("            return r")
    else:
        for text, child in children:
            literal = json.dumps(text)
            w.emit(f"    if e - s == {len(text.encode())} and _conduit_phf_equal(p + s, {literal}.ptr, {len(text)}):")
            w.emit(f"        r = _c_{method}_{nodes[child]}(p, n, e, spans)")
            w.emit("        if r >= 0:")
            w.emit("            return r")
    if node.param is not None:
        d = node.depth
        w.emit("    if e > s:  # :param")
        w.emit(f"        spans[{2 * d}] = s")
        w.emit(f"        spans[{2 * d + 1}] = e")
        w.emit(f"        r = _c_{method}_{nodes[node.param]}(p, n, e, spans)")
        w.emit("        if r >= 0:")
        w.emit("            return r")
    if node.rest >= 0:
        d = node.depth
        w.emit(f"    if n > s:  # *rest: {endpoints[node.rest].route.describe(method)}")
        w.emit(f"        spans[{2 * d}] = s")
        w.emit(f"        spans[{2 * d + 1}] = n")
        w.emit(f"        return {node.rest}")
    w.emit("    return -1")
    w.emit()
