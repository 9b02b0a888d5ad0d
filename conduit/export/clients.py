"""Add an exported server to a desktop MCP client's configuration (`conduit install`).

Claude Desktop, Cursor and Claude Code each read a JSON file with an `mcpServers` object and
launch every server in it as a command speaking MCP on stdin/stdout: for an exported app,
`bin/<name> --stdio`. These files are the user's own, often edited by hand and by the clients:
only our server's entry is replaced, everything else is written back as it was read, the
previous file is kept as `<file>.bak`, and a file that does not parse is never overwritten.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UsageError

__all__ = ["CLIENTS", "default_config", "install_entry"]

CLIENTS = ("claude-desktop", "cursor", "claude-code")


def default_config(client: str) -> Path:
    """The file `client` reads its servers from."""
    if client == "claude-desktop":
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        config_home = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".config"  # the XDG rule: relative is unset
        return config_home / "Claude" / "claude_desktop_config.json"
    if client == "cursor":
        return Path.home() / ".cursor" / "mcp.json"
    if client == "claude-code":
        return Path.cwd() / ".mcp.json"  # the project scope, where `claude mcp add --scope project` writes
    raise UsageError(f"unknown client {client!r}; choose one of {', '.join(CLIENTS)}")


def install_entry(client: str, binary: Path, name: str | None, config: str | None, *, print_only: bool) -> str:
    """Add (or replace) the server `name` running `binary --stdio` in `client`'s configuration.

    `binary` is the exported binary or its folder. With `print_only`, return the JSON to paste
    and write nothing; otherwise return a line saying what was written where.
    """
    path = Path(config).expanduser() if config else default_config(client)
    command = _executable(binary)
    name = name or command.name
    entry: dict[str, Any] = {"command": str(command), "args": ["--stdio"]}
    if client == "claude-code":
        entry = {"type": "stdio", **entry, "env": {}}  # the shape `claude mcp add` writes
    if print_only:
        return json.dumps({"mcpServers": {name: entry}}, indent=2, ensure_ascii=False)
    backup = _merge(path.resolve(), name, entry)
    message = f"{client}: server {name!r} written to {path}"
    if backup is not None:
        message += f" (previous file kept as {backup})"
    if client == "claude-desktop":
        message += "; restart Claude Desktop to load it"
    return message


def _executable(binary: Path) -> Path:
    """The absolute path of the exported binary `binary` names (itself, or bin/<folder> in a folder)."""
    path = Path(binary).expanduser().resolve()
    if path.is_dir():
        path = path / "bin" / path.name
    if not path.is_file():
        raise UsageError(f"{path} does not exist: give the exported binary (dist/<name>/bin/<name>) or its folder")
    if not os.access(path, os.X_OK):
        raise UsageError(f"{path} is not executable: give the exported binary (dist/<name>/bin/<name>) or its folder")
    return path


def _merge(path: Path, name: str, entry: dict[str, Any]) -> Path | None:
    """Set `mcpServers[name]` in the JSON file `path`, keeping all else; return the backup, if any."""
    previous = path.read_bytes() if path.exists() else None
    document: Any = {}
    if previous is not None and previous.strip():
        try:
            document = json.loads(previous)
        except ValueError as exc:
            raise UsageError(f"{path} is not valid JSON ({exc}); fix or move it, then install again") from None
        if not isinstance(document, dict):
            raise UsageError(f"{path}: the top level is not a JSON object; fix or move it, then install again")
    servers = document.setdefault("mcpServers", {})
    if not isinstance(servers, dict):
        raise UsageError(f"{path}: mcpServers is not a JSON object; fix or move it, then install again")
    servers[name] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if previous is not None:
        backup = path.with_name(path.name + ".bak")
        backup.write_bytes(previous)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=2, ensure_ascii=False)
            file.write("\n")
        os.chmod(temporary, path.stat().st_mode & 0o7777 if previous is not None else 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return backup
