"""Shared fixtures: the protocol test app, served once per session by each backend."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conduit import toolchain
from conduit.export import Export, export_app
from conduit.loader import load_app
from conduit.serving import Supervisor, start_server

APPS = Path(__file__).parent / "apps"


@pytest.fixture(scope="session")
def build_codon() -> Callable[[str, str], Path]:
    """Compile a Codon test program (source, name) through the build cache: a rerun costs no compile."""
    reason = toolchain.native_unavailable_reason()
    if reason is not None:
        pytest.skip(f"needs Codon: {reason}")
    return lambda source, name: toolchain.build(source, name=name, flags=("-release",)).binary


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """tests/apps/export_app.py exported once per session (`conduit build`'s folder and archive)."""
    reason = toolchain.native_unavailable_reason()
    if reason is not None:
        pytest.skip(f"needs Codon: {reason}")
    return export_app(load_app(str(APPS / "export_app.py")), tmp_path_factory.mktemp("dist"))


def free_port() -> int:
    """A loopback port free now (for a server about to bind it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Each backend in turn; the native one is skipped, with the reason, where Codon cannot run.
BACKENDS = [pytest.param("native", marks=pytest.mark.native), "python"]


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
