"""Server settings shared by every stage: what the HTTP layer does, and which backend serves.

A leaf module (it imports nothing of Conduit's), so that codegen, the supervisor and both
backends can read settings without importing the app model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Literal

Backend = Literal["native", "python"]
BACKENDS: tuple[Backend, ...] = ("native", "python")


@dataclass(frozen=True)
class ServerSettings:
    """What the server does at the HTTP layer; compiled into the native binary, passed to the SDK otherwise."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 0
    sessions: bool = False
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    dns_rebinding_protection: bool = True
    max_body_bytes: int = 1 << 20
    pool_threads: int = 64  # threads for blocking and CPython-run calls, started as calls need them
    pool_queue: int = 1024  # calls waiting or running on the pool beyond which a call is refused (503)
    call_timeout: float = 60.0  # seconds a pooled call may take before it is answered as timed out; 0: no limit
    # Bearer tokens for /mcp and routes. Never compiled in: servers read them from
    # CONDUIT_AUTH_TOKENS (the supervisor sets it from these), a binary built with some requires it.
    auth_tokens: tuple[str, ...] = ()

    def with_address(self, host: str | None, port: int | None) -> ServerSettings:
        return replace(self, host=self.host if host is None else host, port=self.port if port is None else port)

    @property
    def checks_host_and_origin(self) -> bool:
        """DNS rebinding protection applies while bound to loopback, or to the allowed hosts given."""
        return self.dns_rebinding_protection and (is_loopback(self.host) or bool(self.allowed_hosts))


AUTH_TOKENS_ENV = "CONDUIT_AUTH_TOKENS"


def auth_tokens_from_env() -> tuple[str, ...]:
    """CONDUIT_AUTH_TOKENS, comma-separated, as the servers read it."""
    return tuple(t.strip() for t in os.environ.get(AUTH_TOKENS_ENV, "").split(",") if t.strip())


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")
