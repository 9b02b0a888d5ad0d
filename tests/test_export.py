"""`conduit build`: the exported folder runs elsewhere, without Python, and answers as the served app.

The folder is unpacked from its archive into another directory and started under `env -i`; where
this machine lets a test make a private mount namespace (root, `unshare`), the venv and the
build cache are hidden behind empty mounts while it runs, so a library loaded from either shows.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conduit.export import Export, ExportError, export_app
from conduit.loader import load_app
from conduit.toolchain.cache import default_cache_dir
from conftest import free_port

pytestmark = pytest.mark.native

APPS = Path(__file__).parent / "apps"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
CALLS = [
    ("greet", {"name": "Ada"}),
    ("greet", {}),
    ("circle_area", {"radius": 2, "unit": "cm"}),
    ("circle_area", {"radius": 1, "unit": "mile"}),
    ("squares", {"n": 5}),
    ("squares", {"n": "five"}),
]


def call(port: int, tool: str, arguments: dict, id: int = 1) -> dict:
    body = {"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    return httpx.post(f"http://127.0.0.1:{port}/mcp", json=body, headers=HEADERS, timeout=10).json()


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else "exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the exported binary did not start serving")


def hidden(argv: list[str]) -> list[str]:
    """`argv` with the venv and the build cache hidden behind empty mounts, where that is possible."""
    hide = [Path(sys.prefix), default_cache_dir(), Path(os.environ.get("CONDUIT_CACHE", default_cache_dir()))]
    mounts = " && ".join(f"mount -t tmpfs none {shlex.quote(str(p))}" for p in hide if p.is_dir())
    return ["unshare", "--mount", "sh", "-c", f'{mounts} && exec env -i "$0" "$@"', *argv]


def can_hide() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def elsewhere(exported: Export, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive unpacked into a directory of its own: the binary a user copies to a server."""
    target = tmp_path_factory.mktemp("elsewhere")
    with tarfile.open(exported.archive) as tar:
        tar.extractall(target, filter="tar")
    return target / exported.name / "bin" / exported.name


@pytest.fixture(scope="module")
def running(elsewhere: Path) -> Iterator[int]:
    port = free_port()
    argv = [str(elsewhere), "--port", str(port)]
    process = subprocess.Popen(hidden(argv) if can_hide() else ["env", "-i", *argv], stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


def test_the_folder_holds_the_binary_and_its_libraries_and_points_only_at_itself(exported: Export) -> None:
    assert exported.binary.is_file() and os.access(exported.binary, os.X_OK)
    assert (exported.directory / "lib" / "libcodonrt.so").is_file()
    for path in [exported.binary, *(exported.directory / "lib").iterdir()]:
        dynamic = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
        runpaths = [line for line in dynamic.splitlines() if "RUNPATH" in line or "RPATH" in line]
        assert all("$ORIGIN" in line and sys.prefix not in line and ".cache" not in line for line in runpaths), runpaths
    with tarfile.open(exported.archive) as tar:
        names = tar.getnames()
    assert f"{exported.name}/bin/{exported.name}" in names and f"{exported.name}/lib/libcodonrt.so" in names


def test_the_unpacked_binary_loads_nothing_from_the_venv_or_the_cache(elsewhere: Path) -> None:
    loaded = subprocess.run(["ldd", str(elsewhere)], capture_output=True, text=True, env={}).stdout
    outside = [line for line in loaded.splitlines() if "=>" in line and str(elsewhere.parent.parent) not in line]
    assert all(line.split("=>")[1].strip().startswith(("/lib", "/usr/lib")) for line in outside), loaded


def test_it_answers_as_the_served_app_does(running: int) -> None:
    app = load_app(str(APPS / "export_app.py"))
    from conduit.serving import start_server

    served = start_server(app, app.settings.with_address("127.0.0.1", 0), "native")
    try:
        for i, (tool, arguments) in enumerate(CALLS):
            assert call(running, tool, arguments, i) == call(served.port, tool, arguments, i), (tool, arguments)
    finally:
        served.close()
    assert call(running, "greet", {"name": "Ada"})["result"]["content"][0]["text"] == "Hello, Ada ✓"


def test_health_endpoint(running: int) -> None:
    answer = httpx.get(f"http://127.0.0.1:{running}/healthz")
    assert (answer.status_code, answer.text) == (200, "ok\n")
    assert httpx.head(f"http://127.0.0.1:{running}/healthz").status_code == 200
    assert httpx.post(f"http://127.0.0.1:{running}/healthz").status_code == 405
    assert call(running, "squares", {"n": 3})["result"]["structuredContent"] == {"result": [0, 1, 4]}


def test_the_binary_binds_the_apps_address_by_default_and_says_what_it_accepts(elsewhere: Path) -> None:
    bad = subprocess.run([str(elsewhere), "--port", "seventy"], capture_output=True, text=True, timeout=10)
    assert bad.returncode == 2 and "--port needs a number" in bad.stderr and bad.stdout == ""
    unknown = subprocess.run([str(elsewhere), "--verbose"], capture_output=True, text=True, timeout=10)
    assert unknown.returncode == 2 and "unknown argument '--verbose'" in unknown.stderr
    usage = subprocess.run([str(elsewhere), "--help"], capture_output=True, text=True, timeout=10)
    assert usage.returncode == 0 and "--stdio" in usage.stdout
    process = subprocess.Popen([str(elsewhere)], stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(18931, process)  # Conduit(..., port=18931) in the app file
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


def test_an_app_with_cpython_tools_is_refused_with_their_reasons(tmp_path: Path) -> None:
    app = load_app(str(APPS / "engines_app.py"))
    with pytest.raises(ExportError, match="runs without Python") as error:
        export_app(app, tmp_path)
    assert "conduit serve" in str(error.value)
    assert not any(tmp_path.iterdir())


def test_host_and_origin_are_checked_while_bound_to_loopback_only(elsewhere: Path) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "greet", "arguments": {}}}
    for host, expected in (("127.0.0.1", 421), ("0.0.0.0", 200)):
        port = free_port()
        process = subprocess.Popen([str(elsewhere), "--host", host, "--port", str(port)], stderr=subprocess.PIPE)
        try:
            wait_until_serving(port, process)
            answer = httpx.post(
                f"http://127.0.0.1:{port}/mcp", json=body, headers={**HEADERS, "Host": "mcp.example.com"}, timeout=10
            )
            assert answer.status_code == expected, (host, answer.text)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(10)


def test_a_draining_binary_refuses_new_connections_instead_of_resetting_them(elsewhere: Path) -> None:
    """Bound by itself (no supervisor to hand the socket on), a stopping server takes what is
    queued and then refuses connections, which a load balancer retries elsewhere; a connection
    it accepted is always answered."""
    port = free_port()
    process = subprocess.Popen([str(elsewhere), "--port", str(port)], stderr=subprocess.PIPE)
    try:
        wait_until_serving(port, process)
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "greet", "arguments": {}}}
        with httpx.Client() as idle:  # a keep-alive connection keeps the drain going for a moment
            idle.post(f"http://127.0.0.1:{port}/mcp", json=body, headers=HEADERS)
            process.send_signal(signal.SIGTERM)
            outcomes = []
            while process.poll() is None and len(outcomes) < 500:
                try:
                    answer = httpx.post(f"http://127.0.0.1:{port}/mcp", json=body, headers=HEADERS, timeout=5)
                    outcomes.append(answer.status_code)
                except httpx.ConnectError:
                    outcomes.append("refused")
                    break
                except httpx.TransportError as exc:  # accepted, then dropped: what must not happen
                    outcomes.append(repr(exc))
        assert all(o in (200, "refused") for o in outcomes), outcomes
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
