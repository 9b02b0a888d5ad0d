"""Write an exported app as an MCP Bundle (`<name>.mcpb`), the file a desktop client installs in one step.

A bundle is a zip of `manifest.json` and the server's files (the MCPB format of
modelcontextprotocol/mcpb). Ours holds the exported folder's `bin/` and `lib/` and declares a
`binary` server run as `bin/<name> --stdio`: the client starts it and speaks MCP on its stdin and
stdout, and it needs nothing on the machine but glibc. Each file keeps its Unix mode in the zip
entry (the way `mcpb pack` stores it and `mcpb unpack` restores it), so the binary stays
executable once the client unpacks it.
"""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path
from typing import Any

from ..app import Conduit
from .folder import Export

__all__ = ["MANIFEST_VERSION", "bundle_manifest", "write_mcpb"]

# "0.2", not the "0.3" MANIFEST.md describes: 0.2 is what `mcpb init` writes (the CLI's
# DEFAULT_MANIFEST_VERSION since mcpb 1.3, still in 2.1) because Claude Desktop has refused
# "0.3" manifests (modelcontextprotocol/mcpb#143). `mcpb validate` accepts 0.1 to 0.4, and every
# field used here exists in 0.2.
MANIFEST_VERSION = "0.2"


def bundle_manifest(exported: Export, app: Conduit) -> dict[str, Any]:
    """The bundle's manifest.json: what a client shows before installing, and how it runs the server."""
    entry_point = f"bin/{exported.name}"
    return {
        "manifest_version": MANIFEST_VERSION,
        "name": exported.name,
        "display_name": app.name,
        "version": app.version,
        "description": app.instructions or f"{app.name}, an MCP server built with Conduit.",
        # The format requires an author; the app does not know one. Edit it before publishing.
        "author": {"name": app.name},
        "server": {
            "type": "binary",
            "entry_point": entry_point,
            "mcp_config": {"command": f"${{__dirname}}/{entry_point}", "args": ["--stdio"]},
        },
        "tools": [
            {"name": tool.name, "description": tool.description} if tool.description else {"name": tool.name}
            for tool in app.tools.values()
        ],
        # The binary is a glibc Linux executable (of the machine that built it).
        "compatibility": {"platforms": ["linux"]},
    }


def write_mcpb(exported: Export, app: Conduit, out: Path) -> Path:
    """Write `out/<name>.mcpb` (replacing it) from the exported folder; return its path."""
    path = Path(out) / f"{exported.name}.mcpb"
    manifest = json.dumps(bundle_manifest(exported, app), indent=2, ensure_ascii=False) + "\n"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        info = zipfile.ZipInfo("manifest.json", time.localtime()[:6])
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        bundle.writestr(info, manifest)
        for folder in ("bin", "lib"):
            for file in sorted((exported.directory / folder).rglob("*")):
                if file.is_file():  # files only: `mcpb unpack` would try to write a directory entry as a file
                    # ZipFile.write stores the file's mode in external_attr, executable bits included.
                    bundle.write(file, file.relative_to(exported.directory).as_posix())
    return path
