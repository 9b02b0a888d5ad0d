"""`conduit install`: each client's file is created, merged into without touching anything else,
never overwritten when it does not parse, and left alone by --print.

A stand-in executable plays the exported binary: only its path and executable bit matter here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conduit.errors import UsageError
from conduit.export.clients import CLIENTS, default_config, install_entry

OTHER_SERVER = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {"K": "✓"}}
OTHER_KEYS = {"globalShortcut": "Ctrl+Space", "preferences": {"theme": "dark", "list": [1, 2.5, None, True]}}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary HOME (and XDG config home), and a temporary project folder as the cwd."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    return home


@pytest.fixture
def binary(tmp_path: Path) -> Path:
    """An exported folder's layout with a stand-in executable: dist/demo/bin/demo."""
    path = tmp_path / "dist" / "demo" / "bin" / "demo"
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path.resolve()


def expected_entry(client: str, binary: Path) -> dict:
    entry = {"command": str(binary), "args": ["--stdio"]}
    return {"type": "stdio", **entry, "env": {}} if client == "claude-code" else entry


def test_default_config_paths(home: Path, monkeypatch: pytest.MonkeyPatch):
    assert default_config("cursor") == home / ".cursor" / "mcp.json"
    assert default_config("claude-code") == Path.cwd() / ".mcp.json"
    monkeypatch.setattr(sys, "platform", "linux")
    assert default_config("claude-desktop") == home / "xdg" / "Claude" / "claude_desktop_config.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert default_config("claude-desktop") == home / ".config" / "Claude" / "claude_desktop_config.json"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_config("claude-desktop") == (
        home / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
    )


@pytest.mark.parametrize("client", CLIENTS)
def test_install_creates_the_file(client: str, home: Path, binary: Path):
    message = install_entry(client, binary, None, None, print_only=False)
    path = default_config(client)
    assert json.loads(path.read_text()) == {"mcpServers": {"demo": expected_entry(client, binary)}}
    assert str(path) in message and "demo" in message
    assert ("restart Claude Desktop" in message) == (client == "claude-desktop")
    assert not path.with_name(path.name + ".bak").exists()  # there was nothing to keep


@pytest.mark.parametrize("client", CLIENTS)
def test_install_merges_into_an_existing_file(client: str, home: Path, binary: Path):
    path = default_config(client)
    path.parent.mkdir(parents=True, exist_ok=True)
    original = json.dumps({**OTHER_KEYS, "mcpServers": {"memory": OTHER_SERVER}}, indent=4)
    path.write_text(original)
    install_entry(client, binary, None, None, print_only=False)
    written = json.loads(path.read_text())
    assert {k: v for k, v in written.items() if k != "mcpServers"} == OTHER_KEYS
    assert written["mcpServers"] == {"memory": OTHER_SERVER, "demo": expected_entry(client, binary)}
    assert path.with_name(path.name + ".bak").read_text() == original


@pytest.mark.parametrize("client", CLIENTS)
def test_a_second_install_replaces_only_our_entry(client: str, home: Path, binary: Path, tmp_path: Path):
    path = default_config(client)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"mcpServers": {"memory": OTHER_SERVER, "geo": {"command": "/old/geo"}}}))
    install_entry(client, binary, "geo", None, print_only=False)
    moved = tmp_path / "elsewhere" / "geo"
    moved.parent.mkdir()
    moved.write_bytes(binary.read_bytes())
    moved.chmod(0o755)
    install_entry(client, moved, "geo", None, print_only=False)
    assert json.loads(path.read_text())["mcpServers"] == {"memory": OTHER_SERVER, "geo": expected_entry(client, moved)}
    backup = json.loads(path.with_name(path.name + ".bak").read_text())
    assert backup["mcpServers"]["geo"] == expected_entry(client, binary)  # the file as it was before this install


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    "content, problem",
    [
        ('{"mcpServers": {"memory": {"command": "npx",}}}', "not valid JSON"),
        ('["not", "an", "object"]', "top level is not a JSON object"),
        ('{"mcpServers": ["memory"]}', "mcpServers is not a JSON object"),
    ],
)
def test_a_file_that_is_not_a_config_is_never_overwritten(
    client: str, content: str, problem: str, home: Path, binary: Path
):
    path = default_config(client)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    with pytest.raises(UsageError, match=problem) as error:
        install_entry(client, binary, None, None, print_only=False)
    assert str(path) in str(error.value)
    assert path.read_text() == content
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no backup, no temporary left


@pytest.mark.parametrize("client", CLIENTS)
def test_a_missing_or_unrunnable_binary_is_refused(client: str, home: Path, binary: Path, tmp_path: Path):
    with pytest.raises(UsageError, match="does not exist"):
        install_entry(client, tmp_path / "nowhere" / "demo", None, None, print_only=False)
    binary.chmod(0o644)
    with pytest.raises(UsageError, match="not executable"):
        install_entry(client, binary, None, None, print_only=False)
    assert not default_config(client).exists()


@pytest.mark.parametrize("client", CLIENTS)
def test_print_writes_nothing(client: str, home: Path, binary: Path):
    snippet = install_entry(client, binary, "geo", None, print_only=True)
    assert json.loads(snippet) == {"mcpServers": {"geo": expected_entry(client, binary)}}
    assert not default_config(client).exists()
    assert not any(home.rglob("*")) and not any(Path.cwd().iterdir())


def test_a_folder_and_a_relative_path_name_the_binary(
    home: Path, binary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    config = tmp_path / "nested" / "dir" / "mcp.json"
    monkeypatch.chdir(binary.parent.parent.parent)  # dist/
    install_entry("cursor", Path("demo"), None, str(config), print_only=False)
    assert json.loads(config.read_text()) == {"mcpServers": {"demo": expected_entry("cursor", binary)}}


@pytest.mark.skipif(
    importlib.util.find_spec("conduit.export.deploy") is None,
    reason="the CLI imports conduit/export/deploy.py, which is not there yet",
)
def test_the_cli_installs_into_the_given_file(home: Path, binary: Path, tmp_path: Path):
    config = tmp_path / "cursor.json"
    config.write_text(json.dumps({"mcpServers": {"memory": OTHER_SERVER}}))
    result = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "install", "cursor", str(binary.parent.parent), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home)},
    )
    assert result.returncode == 0, result.stderr
    assert str(config) in result.stdout
    assert json.loads(config.read_text())["mcpServers"] == {
        "memory": OTHER_SERVER,
        "demo": expected_entry("cursor", binary),
    }
    missing = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "install", "cursor", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home)},
    )
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr
