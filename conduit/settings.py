"""Server settings shared by every stage: what the HTTP layer does, and which backend serves.

A leaf module (it imports nothing of Conduit's), so that codegen, the supervisor and both
backends can read settings without importing the app model.
"""

from __future__ import annotations

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

    def with_address(self, host: str | None, port: int | None) -> ServerSettings:
        return replace(self, host=self.host if host is None else host, port=self.port if port is None else port)

    @property
    def checks_host_and_origin(self) -> bool:
        """DNS rebinding protection applies while bound to loopback, or to the allowed hosts given."""
        return self.dns_rebinding_protection and (is_loopback(self.host) or bool(self.allowed_hosts))


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")
