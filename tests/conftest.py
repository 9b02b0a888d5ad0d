"""Shared fixtures: the protocol test app, served once per session by each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conduit.loader import load_app
from conduit.serving import start_server
from conduit.supervisor import Supervisor

APPS = Path(__file__).parent / "apps"
BACKENDS = ["native", "python"]


def serve_app(path: Path, backend: str) -> Iterator[Supervisor]:
    app = load_app(str(path))
    server = start_server(app, app.settings.with_address("127.0.0.1", 0), backend, app_spec=str(path))
    server.backend = backend  # type: ignore[attr-defined]  # lets a test name a backend's known difference
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[Supervisor]:
    """The protocol app, served by each backend in turn (built once per session)."""
    yield from serve_app(APPS / "protocol_app.py", request.param)


@pytest.fixture(scope="session", params=BACKENDS)
def session_server(request: pytest.FixtureRequest) -> Iterator[Supervisor]:
    """The same tools with `sessions=True`."""
    yield from serve_app(APPS / "sessions_app.py", request.param)
