"""HTTP routes: patterns, the rules that pick one route for a path, and the table both backends use.

A pattern is a path whose segments are static (`users`), a parameter (`:id`, one non-empty
segment) or, last only, a catch-all (`*path`, one or more segments, slashes included).

Which route serves a path (the same on both backends, and what the generated Codon does):
- `/mcp` is always the MCP endpoint; no route may be registered on it.
- The method picks a bucket first; HEAD falls back to GET's routes, OPTIONS is answered with
  `Allow` unless a route handles it.
- One trailing slash is ignored: `/users/` is served by `/users` (and a pattern may not end
  with one, except `/`).
- Among the routes of the bucket that match, the most specific wins, comparing segment by
  segment from the left: a static segment beats `:param`, which beats `*rest`. So
  `/users/me` beats `/users/:id`, and `/a/b/:x` beats `/a/:y/c` for `/a/b/c`.
- Two routes that match exactly the same paths (the same method and pattern, up to parameter
  names) are refused at registration; every other overlap is settled by the rule above.
- Segments are matched as sent (percent-encoded); parameter values are percent-decoded.

`RouteTable` holds the routes, refuses conflicts, and builds per method the static paths
(looked up by perfect hash natively) and a segment trie for the rest; `find` walks it in Python
(the python backend) exactly as the generated matcher does.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from .errors import ToolDefinitionError
from .tools import Source, source_of

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MCP_PATH = "/mcp"

SegmentKind = Literal["static", "param", "rest"]
_STATIC = re.compile(r"^[A-Za-z0-9\-._~!$&'()+,;=@]+$")  # RFC 3986 pchar, minus '%' and ':'
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RouteDefinitionError(ToolDefinitionError):
    """A route that cannot be registered: a bad pattern, a method, or a conflict."""


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    text: str  # the static text, or the parameter's name

    def __str__(self) -> str:
        return {"static": "", "param": ":", "rest": "*"}[self.kind] + self.text

    @property
    def shape(self) -> tuple[SegmentKind, str]:
        """What the segment matches: parameter names do not matter."""
        return (self.kind, self.text if self.kind == "static" else "")


def parse_pattern(pattern: str) -> tuple[Segment, ...]:
    """The segments of `pattern`; a `RouteDefinitionError` says what is wrong and how to write it."""
    if not isinstance(pattern, str) or not pattern.startswith("/"):
        raise RouteDefinitionError(f"route pattern {pattern!r} must start with '/', e.g. '/users/:id'")
    if pattern == "/":
        return ()
    if pattern.endswith("/"):
        raise RouteDefinitionError(
            f"route pattern {pattern!r} ends with '/'; write {pattern.rstrip('/')!r} "
            "(a trailing slash is ignored when matching, so it serves both)"
        )
    segments: list[Segment] = []
    parts = pattern[1:].split("/")
    for position, part in enumerate(parts):
        if part.startswith((":", "*")):
            kind: SegmentKind = "param" if part[0] == ":" else "rest"
            name = part[1:]
            if not _NAME.match(name):
                raise RouteDefinitionError(
                    f"route pattern {pattern!r}: {part!r} needs a Python identifier as its name, e.g. ':id'"
                )
            if kind == "rest" and position != len(parts) - 1:
                raise RouteDefinitionError(
                    f"route pattern {pattern!r}: the catch-all {part!r} must be the last segment"
                )
            if any(s.kind != "static" and s.text == name for s in segments):
                raise RouteDefinitionError(f"route pattern {pattern!r} names the parameter {name!r} twice")
            segments.append(Segment(kind, name))
        elif not _STATIC.match(part):
            what = "an empty segment ('//')" if not part else f"the segment {part!r}"
            raise RouteDefinitionError(
                f"route pattern {pattern!r} has {what}; static segments use letters, digits and -._~!$&'()+,;=@"
            )
        else:
            segments.append(Segment("static", part))
    return tuple(segments)


@dataclass(frozen=True)
class Route:
    """One handler and the methods and pattern it serves."""

    pattern: str
    methods: tuple[str, ...]
    fn: Callable[..., Any] = field(repr=False, compare=False)
    source: Source = field(repr=False, compare=False)
    segments: tuple[Segment, ...] = field(repr=False)
    blocking: bool | None = field(default=None, compare=False)  # None: Conduit decides; True: on the pool
    timeout: float | None = field(default=None, compare=False)  # seconds on the pool; None: call_timeout

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def is_static(self) -> bool:
        return all(s.kind == "static" for s in self.segments)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.segments if s.kind != "static")

    def describe(self, method: str | None = None) -> str:
        return f"{method or '|'.join(self.methods)} {self.pattern} ({self.name})"


def make_route(
    pattern: str,
    methods: Sequence[str],
    fn: Callable[..., Any],
    source: Source | None = None,
    *,
    blocking: bool | None = None,
    timeout: float | None = None,
) -> Route:
    if isinstance(methods, str):
        methods = [methods]
    upper = tuple(dict.fromkeys(m.upper() for m in methods))
    unknown = [m for m in upper if m not in HTTP_METHODS]
    if unknown or not upper:
        raise RouteDefinitionError(
            f"route {pattern!r}: methods must be some of {list(HTTP_METHODS)}, got {list(methods)}"
        )
    if not inspect.isfunction(fn):
        raise RouteDefinitionError(
            f"a route handler must be a plain function, got {fn!r}; "
            "did you write @app.get instead of @app.get('/path')?"
        )
    params = list(inspect.signature(fn).parameters.values())
    if len(params) != 1 or params[0].kind not in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
        raise RouteDefinitionError(
            f"route handler {fn.__name__!r} must take exactly one argument, the request: def {fn.__name__}(req): ..."
        )
    segments = parse_pattern(pattern)
    if segments == (Segment("static", MCP_PATH[1:]),):
        raise RouteDefinitionError(
            f"route {fn.__name__!r}: {MCP_PATH} is the MCP endpoint and cannot be a route; pick another path"
        )
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0):
        raise RouteDefinitionError(
            f"route {pattern!r}: timeout must be a number of seconds >= 0 (0: no limit), got {timeout!r}"
        )
    return Route(pattern, upper, fn, source or source_of(fn), segments, blocking, timeout)


class TrieNode:
    """A trie node over non-static routes: children by segment, the route that ends here."""

    def __init__(self, depth: int) -> None:
        self.depth = depth  # captures taken on the way here
        self.static: dict[str, TrieNode] = {}
        self.param: TrieNode | None = None
        self.rest: int = -1  # endpoint of a `*rest` ending here
        self.end: int = -1  # endpoint whose pattern ends here

    def walk(self) -> Iterator[TrieNode]:
        yield self
        for child in self.static.values():
            yield from child.walk()
        if self.param is not None:
            yield from self.param.walk()


@dataclass
class Bucket:
    """The endpoints of one method: static paths (a perfect hash natively), then a trie."""

    method: str
    static: dict[str, int] = field(default_factory=dict)  # path -> endpoint
    root: TrieNode = field(default_factory=lambda: TrieNode(0))


@dataclass(frozen=True)
class Endpoint:
    """One (method, route) pair; natively, its number is what the dispatcher returns."""

    number: int
    method: str
    route: Route


class RouteTable:
    """The app's routes, free of conflicts, and the per-method lookup structures built from them."""

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._shapes: dict[tuple[str, tuple[tuple[SegmentKind, str], ...]], Route] = {}
        self._compiled: tuple[list[Endpoint], dict[str, Bucket]] | None = None

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)

    def add(self, route: Route) -> None:
        """Register `route`, or raise naming the route it conflicts with."""
        shape = tuple(s.shape for s in route.segments)
        for method in route.methods:
            other = self._shapes.get((method, shape))
            if other is not None:
                raise RouteDefinitionError(
                    f"route {route.describe(method)} conflicts with {other.describe(method)}: "
                    "both match exactly the same paths; change one pattern or merge the handlers"
                )
        for method in route.methods:
            self._shapes[(method, shape)] = route
        self._routes.append(route)
        self._compiled = None

    # -- the lookup structures ----------------------------------------------------------------

    def compile(self) -> tuple[list[Endpoint], dict[str, Bucket]]:
        """Endpoints numbered bucket by bucket (each bucket's static paths first, in table order)."""
        if self._compiled is not None:
            return self._compiled
        endpoints: list[Endpoint] = []
        buckets: dict[str, Bucket] = {}
        for method in HTTP_METHODS:
            routes = [r for r in self._routes if method in r.methods]
            if not routes:
                continue
            bucket = buckets[method] = Bucket(method)
            for route in sorted(routes, key=lambda r: not r.is_static):
                endpoint = Endpoint(len(endpoints), method, route)
                endpoints.append(endpoint)
                if route.is_static:
                    bucket.static["/" + "/".join(s.text for s in route.segments)] = endpoint.number
                else:
                    _insert(bucket.root, route.segments, endpoint.number)
        self._compiled = (endpoints, buckets)
        return self._compiled

    def find(self, method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        """The endpoint serving `method path` (raw, percent-encoded path) and its decoded params."""
        endpoints, buckets = self.compile()
        path = normalize(path)
        for m in ("HEAD", "GET") if method == "HEAD" else (method,):
            bucket = buckets.get(m)
            if bucket is None:
                continue
            found = _find_in(bucket, path)
            if found is not None:
                number, spans = found
                endpoint = endpoints[number]
                values = [unquote(path[a:b]) for a, b in spans]
                return endpoint, dict(zip(endpoint.route.param_names, values))
        return None

    def allowed(self, path: str) -> list[str]:
        """The methods some route serves `path` with (HEAD with GET, OPTIONS when any), for `Allow`."""
        _, buckets = self.compile()
        path = normalize(path)
        methods = [m for m, b in buckets.items() if _find_in(b, path) is not None]
        if "GET" in methods and "HEAD" not in methods:
            methods.append("HEAD")
        if methods and "OPTIONS" not in methods:
            methods.append("OPTIONS")
        return sorted(methods, key=HTTP_METHODS.index)


def normalize(path: str) -> str:
    """The path as routes see it: one trailing slash dropped (but `/` stays `/`)."""
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


def _insert(node: TrieNode, segments: tuple[Segment, ...], endpoint: int) -> None:
    for segment in segments:
        if segment.kind == "rest":
            node.rest = endpoint
            return
        if segment.kind == "static":
            node = node.static.setdefault(segment.text, TrieNode(node.depth))
        else:
            if node.param is None:
                node.param = TrieNode(node.depth + 1)
            node = node.param
    node.end = endpoint


def _find_in(bucket: Bucket, path: str) -> tuple[int, list[tuple[int, int]]] | None:
    if path in bucket.static:
        return bucket.static[path], []
    if not path.startswith("/"):
        return None
    spans: list[tuple[int, int]] = []
    found = _match(bucket.root, path, 0, spans)
    return None if found < 0 else (found, spans)


def _match(node: TrieNode, path: str, i: int, spans: list[tuple[int, int]]) -> int:
    """Depth-first, static before `:param` before `*rest`: the first hit is the most specific."""
    n = len(path)
    if i == n:
        return node.end
    s = i + 1
    e = path.find("/", s)
    e = n if e < 0 else e
    child = node.static.get(path[s:e])
    if child is not None:
        found = _match(child, path, e, spans)
        if found >= 0:
            return found
    if node.param is not None and e > s:
        spans.append((s, e))
        found = _match(node.param, path, e, spans)
        if found >= 0:
            return found
        spans.pop()
    if node.rest >= 0 and n > s:
        spans.append((s, n))
        return node.rest
    return -1
