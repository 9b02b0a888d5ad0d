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
    # Time limits, in seconds (nginx's defaults are 60 s each; shorter here, as MCP requests are
    # small): the request head must arrive within head_timeout, its body within body_timeout
    # after that (else 408), and a keep-alive connection idle for idle_timeout is closed.
    head_timeout: float = 10.0
    body_timeout: float = 30.0
    idle_timeout: float = 60.0
    max_connections: int = 10_000  # per server process; one more is answered 503 and closed
    # With sessions: how many may be open at once (an initialize beyond is refused, 503) and how
    # long one may go unused before it ends (its id then answers 404) -- the reference SDK's
    # defaults, so both backends agree.
    max_sessions: int = 10_000
    session_idle_timeout: float = 1800.0
    pool_threads: int = 64  # threads for blocking and CPython-run calls, started as calls need them
    pool_queue: int = 1024  # calls waiting or running on the pool beyond which a call is refused (503)
    call_timeout: float = 60.0  # seconds a pooled call may take before it is answered as timed out; 0: no limit
    # Bearer tokens for /mcp and routes. Never compiled in: servers read them from
    # CONDUIT_AUTH_TOKENS (the supervisor sets it from these), a binary built with some requires it.
    auth_tokens: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("head_timeout", "body_timeout", "idle_timeout", "session_idle_timeout"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and 0 < value < 1e9):
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        for name in ("max_connections", "max_sessions"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value > 0):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")

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


def unauthenticated_public_warning(host: str, tokens: tuple[str, ...]) -> str | None:
    """The warning for a server reachable beyond this machine that anyone may call, else None."""
    if tokens or is_loopback(host):
        return None
    return (
        f"conduit: warning: serving {host} without authentication: anyone who can reach this address can call "
        f"its tools. Set auth_tokens=[...] (or {AUTH_TOKENS_ENV}=token1,token2) to require a bearer token, "
        "or bind 127.0.0.1."
    )
