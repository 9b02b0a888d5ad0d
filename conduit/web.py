"""The request a route handler takes and the `Response` it may return, in Python.

The same handler runs natively, where conduit/runtime/web.codon holds the Codon twins with the
same names and behaviour; so a handler written against this API runs unchanged on both backends.

Example:
    ```python
    @app.post("/items/:id")
    def update(req) -> dict:
        body = req.json()                       # 400 if the body is not JSON
        return {"id": req.params["id"], "name": body["name"], "page": req.query.get("page", "1")}
    ```
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["BadRequest", "Headers", "QueryParams", "Request", "Response"]


class BadRequest(ValueError):
    """Raised by the request when the client sent something unusable; answered with 400."""


class QueryParams(Mapping[str, str]):
    """The decoded query string; repeated keys are kept (`q["k"]` is the first, `getlist` all)."""

    def __init__(self, query: str) -> None:
        self._items = parse_qsl(query, keep_blank_values=True)

    def __getitem__(self, key: str) -> str:
        for k, v in self._items:
            if k == key:
                return v
        raise KeyError(key)

    def getlist(self, key: str) -> list[str]:
        return [v for k, v in self._items if k == key]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k for k, _ in self._items))

    def __len__(self) -> int:
        return len(dict.fromkeys(k for k, _ in self._items))


class Headers(Mapping[str, str]):
    """Request headers by case-insensitive name (`h["content-type"]` is the first value)."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self._items = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in raw]

    def __getitem__(self, name: str) -> str:
        name = name.lower()
        for k, v in self._items:
            if k == name:
                return v
        raise KeyError(name)

    def getlist(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self._items if k == name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k for k, _ in self._items))

    def __len__(self) -> int:
        return len(dict.fromkeys(k for k, _ in self._items))


class Request:
    """One HTTP request, as a route handler sees it."""

    def __init__(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        query: str = "",
        headers: list[tuple[bytes, bytes]] | None = None,
        body: bytes = b"",
    ) -> None:
        self.method = method
        self.path = path
        self.params = params
        self.query = QueryParams(query)
        self.headers = Headers(headers or [])
        self.body = body

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON; a body that is not JSON raises `BadRequest` (answered with 400)."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise BadRequest("the request body is not valid JSON") from None

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path}>"


class Response:
    """A response with a status and headers of your choice.

    `body` may be a str (text/plain), bytes (application/octet-stream), or a dict or list (JSON);
    `content_type` overrides the type the body implies.
    """

    def __init__(
        self,
        status: int = 200,
        body: Any = "",
        headers: Mapping[str, str] | None = None,
        content_type: str = "",
    ) -> None:
        self.status = status
        self.headers = dict(headers or {})
        implied, self.body = encode_body(body)
        self.content_type = content_type or implied

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.content_type}>"


TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
OCTETS = "application/octet-stream"


def encode_body(value: Any) -> tuple[str, bytes]:
    """(content type, bytes) of what a handler returned; JSON is compact, as the native server writes it."""
    if isinstance(value, str):
        return TEXT, value.encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return OCTETS, bytes(value)
    return JSON, json.dumps(value, separators=(",", ":")).encode()
