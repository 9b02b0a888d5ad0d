"""What the python backend answers before MCP and routes, as the native server does: GET /healthz,
bearer-token authentication, and the RFC 9728 metadata a 401 points clients to."""

from __future__ import annotations

import hmac
import json

from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

METADATA_PATH = "/.well-known/oauth-protected-resource"


class Gate:
    """`inner` behind the health check and, when `tokens` are given, `Authorization: Bearer`."""

    def __init__(self, inner: ASGIApp, tokens: tuple[str, ...]) -> None:
        self.inner = inner
        self.tokens = [t.encode() for t in tokens]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        path = scope["path"]
        if path == "/healthz":
            if scope["method"] in ("GET", "HEAD"):
                return await PlainTextResponse("ok\n")(scope, receive, send)
            return await PlainTextResponse("Method Not Allowed\n", 405, {"Allow": "GET, HEAD"})(scope, receive, send)
        if path == METADATA_PATH:
            body = {"resource": _origin(scope) + "/mcp", "bearer_methods_supported": ["header"]}
            return await JSONResponse(body)(scope, receive, send)
        if self.tokens and not self._authorized(scope):
            challenge = f'Bearer resource_metadata="{_origin(scope)}{METADATA_PATH}"'
            body = {"error": "invalid_token", "error_description": "a valid bearer token is required"}
            response = PlainTextResponse(json.dumps(body, separators=(",", ":")), 401, media_type="application/json")
            response.headers["WWW-Authenticate"] = challenge
            return await response(scope, receive, send)
        await self.inner(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        value = dict(scope["headers"]).get(b"authorization", b"")
        if value[:7].lower() != b"bearer ":
            return False
        given = value[7:].lstrip(b" ")
        matches = [hmac.compare_digest(given, token) for token in self.tokens]  # every token compared
        return any(matches)


def _origin(scope: Scope) -> str:
    host = dict(scope["headers"]).get(b"host", b"localhost").decode("latin-1")
    return f"http://{host}"
