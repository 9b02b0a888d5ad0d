"""The servers compared: the same 5 tools in every MCP implementation, and nginx as the ceiling.

A peer is a command that serves http://127.0.0.1:PORT/mcp, plus what must be deployed to run it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import nginx

BENCHMARKS = Path(__file__).resolve().parent.parent
PEERS = BENCHMARKS / "peers"
CONDUIT_APP = PEERS / "conduit" / "app.py"
FASTMCP_PYTHON = PEERS / "fastmcp" / ".venv" / "bin" / "python"
TYPESCRIPT = PEERS / "typescript"

NATIVE, PYTHON, FASTMCP, TYPESCRIPT_SDK, NGINX = (
    "conduit native",
    "conduit python (MCP SDK)",
    "FastMCP",
    "TypeScript SDK + Express",
    "nginx fixed body",
)


@dataclass
class Peer:
    name: str
    argv: list[str]
    deploy_bytes: Callable[[], int]
    deploy_note: str
    cwd: Path | None = None
    fixed_body: bytes | None = None  # nginx: the bytes it answers every request with
    extra: dict[str, object] = field(default_factory=dict)


def native(port: int) -> Peer:
    from conduit.loader import load_app
    from conduit.serving import native_build

    app = load_app(str(CONDUIT_APP))
    # The binary binds the app's own port when it runs without a socket handed to it, as here.
    app.settings = app.settings.with_address("127.0.0.1", port)
    binary = native_build(app).binary
    return Peer(
        NATIVE,
        [str(binary)],
        lambda: binary.stat().st_size + sum(p.stat().st_size for p in _codon_libraries(binary)),
        "binary + the Codon runtime libraries it links",
        extra={"binary_bytes": binary.stat().st_size},
    )


def python_backend(port: int) -> Peer:
    argv = [
        sys.executable,
        "-m",
        "conduit.python_backend",
        str(CONDUIT_APP),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return Peer(
        PYTHON, argv, lambda: _distributions_size(sys.executable, "conduit-mcp"), "installed packages, no interpreter"
    )


def fastmcp(port: int) -> Peer:
    argv = [str(FASTMCP_PYTHON), str(PEERS / "fastmcp" / "server.py"), str(port)]
    return Peer(
        FASTMCP, argv, lambda: _distributions_size(str(FASTMCP_PYTHON), "fastmcp"), "installed packages, no interpreter"
    )


def typescript(port: int) -> Peer:
    return Peer(
        TYPESCRIPT_SDK,
        ["node", "server.mjs", str(port)],
        lambda: _tree_size(TYPESCRIPT / "node_modules") + (TYPESCRIPT / "server.mjs").stat().st_size,
        "node_modules + server, no node binary",
        cwd=TYPESCRIPT,
    )


def nginx_fixed(port: int, body: bytes, workdir: Path) -> Peer:
    conf = nginx.write_config(body, port, workdir, worker_connections=16384)
    binary = Path(nginx.argv(conf)[0])
    return Peer(NGINX, nginx.argv(conf), lambda: binary.stat().st_size, "nginx binary", fixed_body=body)


def _codon_libraries(binary: Path) -> list[Path]:
    """The shared libraries the binary loads from outside the system's library directories."""
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        if "=>" in line:
            target = line.split("=>")[1].split("(")[0].strip()
            if target and not target.startswith(("/lib", "/usr/lib")):
                found.append(Path(target))
    return found


def _tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


_DIST_SIZE = """
import sys
from importlib import metadata
from packaging.requirements import Requirement
seen, todo, total = set(), [sys.argv[1]], 0
while todo:
    name = todo.pop().lower().replace("_", "-")
    if name in seen:
        continue
    seen.add(name)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        continue
    for f in dist.files or []:
        try:
            total += f.locate().stat().st_size
        except OSError:
            pass
    for req in dist.requires or []:
        r = Requirement(req)
        if r.marker is None or r.marker.evaluate({"extra": ""}):
            todo.append(r.name)
print(total)
"""


def _distributions_size(python: str, root: str) -> int:
    """Bytes of `root` and every distribution it requires, as installed for that interpreter."""
    out = subprocess.run([python, "-c", _DIST_SIZE, root], capture_output=True, text=True, check=True).stdout
    return int(json.loads(out))
