"""Export an app as a folder that runs without Python: `bin/<name>`, `lib/`, and a `.tar.gz` of it.

The binary is the one `conduit serve` runs (from the build cache, so exporting a served app
compiles nothing), copied with the shared libraries it loads beyond the C library's own: the
Codon runtime and what that needs (OpenMP, gfortran, quadmath, libstdc++, zlib). Their search
path is rewritten to `$ORIGIN/../lib` (the libraries' own to `$ORIGIN`), so nothing points
into the venv or the cache, and all of them are stripped.

Every tool must run natively: an exported binary has no CPython worker beside it. An app with
CPython-run tools is refused with their reasons (serve it with `conduit serve`, or make them
native). A native call that needs Python's meaning at run time (an integer past 64 bits, say)
is answered with an error that says so, where `conduit serve` would have asked CPython.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ..app import Conduit
from ..errors import ConduitError
from ..serving.run import describe_engines, native_build
from ..settings import ServerSettings

__all__ = ["Export", "ExportError", "export_app", "binary_name"]

# Loaded from the system on every glibc Linux: never copied.
_SYSTEM_LIBRARIES = re.compile(r"^(linux-vdso|ld-linux.*|libc|libm|libmvec|libpthread|libdl|librt|libresolv)\.so")


class ExportError(ConduitError):
    """The app cannot be exported as it is; the message says what to change."""


@dataclass(frozen=True)
class Export:
    """An exported server: the folder, its archive, and what it serves."""

    directory: Path  # holds bin/<name> and lib/
    name: str
    archive: Path  # <directory>.tar.gz
    host: str
    port: int
    tools: tuple[str, ...]

    @property
    def binary(self) -> Path:
        return self.directory / "bin" / self.name

    @property
    def size(self) -> int:
        """Bytes on disk of every file in the folder."""
        return sum(f.stat().st_size for f in self.directory.rglob("*") if f.is_file())

    @property
    def archive_size(self) -> int:
        return self.archive.stat().st_size


def binary_name(app: Conduit) -> str:
    """The app's name as a file name: `weather-demo` for Conduit("Weather demo")."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", app.name.strip()).strip("-.").lower()
    return name or "server"


def export_app(app: Conduit, out: Path | str, settings: ServerSettings | None = None) -> Export:
    """Build `app` natively and write `out/<name>/` and `out/<name>.tar.gz` (replacing them)."""
    settings = settings or app.settings
    server = native_build(app, settings)
    if server.python_tools:
        raise ExportError(
            "an exported binary runs without Python, and these tools run in CPython:\n"
            + describe_engines({n: server.engines[n] for n in server.python_tools})
            + "\nmake them native, or serve the app with `conduit serve` (which runs them in CPython)"
        )
    name = binary_name(app)
    directory = Path(out) / name
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "bin").mkdir(parents=True)
    (directory / "lib").mkdir()
    binary = directory / "bin" / name
    shutil.copy2(server.binary, binary)
    for soname, library in _shared_libraries(server.binary).items():
        shutil.copy2(library, directory / "lib" / soname)  # the file itself, not a symlink
    _relocate(binary, "$ORIGIN/../lib")
    for library in (directory / "lib").iterdir():
        _relocate(library, "$ORIGIN")
    archive = Path(out) / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(directory, arcname=name)
    return Export(directory, name, archive, settings.host, settings.port, tuple(app.tools))


def _shared_libraries(binary: Path) -> dict[str, Path]:
    """What the dynamic loader maps for `binary`, transitively, less the C library's own: each
    name the loader asks for, and the file it finds."""
    result = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ExportError(f"cannot list the libraries {binary} needs: {result.stderr.strip() or result.stdout.strip()}")
    libraries = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\S+)\s+=>\s+(\S+)", line)
        if match is None or _SYSTEM_LIBRARIES.match(match[1]):
            continue
        soname, path = match.groups()
        if not Path(path).is_file():
            raise ExportError(f"{binary} needs {soname}, which the loader cannot find")
        libraries[soname] = Path(path).resolve()
    return libraries


def _relocate(path: Path, runpath: str) -> None:
    """Point `path`'s library search at `runpath` and strip it."""
    patchelf = _tool("patchelf")
    _run([patchelf, "--set-rpath", runpath, str(path)])
    strip = shutil.which("strip")
    if strip is not None:  # binutils comes with gcc; without it the folder is only larger
        _run([strip, "--strip-unneeded", str(path)])


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise ExportError(f"exporting needs {name}: pip install {name}")
    return found


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ExportError(f"{' '.join(argv)} failed: {result.stderr.strip()}")
