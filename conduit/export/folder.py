"""Export an app as a folder that runs without Python: `bin/<name>`, `lib/`, and a `.tar.gz` of it.

The binary is the one `conduit serve` runs (from the build cache, so exporting a served app
compiles nothing), copied with the shared libraries it loads beyond the C library's own. Their
search path is rewritten to `$ORIGIN/../lib` (the libraries' own to `$ORIGIN`), so nothing
points into the venv or the cache, and all of them are stripped.

Which Codon runtime goes in `lib/` is the export's one choice:

- "small": Conduit's own `libcodonrt.so` (conduit.export.small_runtime), with Boehm GC and our
  OpenMP stand-in: a folder of about 0.6 MB. It needs Boehm GC's headers here to be built, and
  it must define everything the binary imports (numpy's BLAS, for one, it does not).
- "stock": Codon's, with OpenMP, gfortran, quadmath, libstdc++ and zlib: about 51 MB.
- "auto" (the default): the small one where it can be built and covers the binary, else the
  stock one; `Export.runtime_note` says which and why.

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
from typing import Literal

from ..app import Conduit
from ..errors import ConduitError
from ..serving.run import describe_engines, native_build
from ..settings import ServerSettings
from .small_runtime import GLIBC, SmallRuntimeUnavailable, small_runtime_for

__all__ = ["Export", "ExportError", "Runtime", "export_app", "binary_name"]

Runtime = Literal["auto", "small", "stock"]


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
    runtime: str = "stock"  # the libcodonrt.so in lib/: "small" (Conduit's) or "stock" (Codon's)
    runtime_note: str = ""  # why that one, in a line

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


def export_app(
    app: Conduit, out: Path | str, settings: ServerSettings | None = None, *, runtime: Runtime = "auto"
) -> Export:
    """Build `app` natively and write `out/<name>/` and `out/<name>.tar.gz` (replacing them).

    `runtime` picks the Codon runtime shipped in `lib/` (see the module docstring); "small"
    raises ExportError with the reason where the small runtime cannot serve this binary.
    """
    settings = settings or app.settings
    server = native_build(app, settings)
    if server.python_tools:
        raise ExportError(
            "an exported binary runs without Python, and these tools run in CPython:\n"
            + describe_engines({n: server.engines[n] for n in server.python_tools})
            + "\nmake them native, or serve the app with `conduit serve` (which runs them in CPython)"
        )
    choice = _choose_runtime(server.binary, runtime)
    name = binary_name(app)
    directory = Path(out) / name
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "bin").mkdir(parents=True)
    (directory / "lib").mkdir()
    binary = directory / "bin" / name
    shutil.copy2(server.binary, binary)
    _strip(binary)
    if choice.added_needed:
        added = [arg for soname in choice.added_needed for arg in ("--add-needed", soname)]
        _run([_tool("patchelf"), *added, str(binary)])
    for soname, library in _shared_libraries(binary, choice.library_path).items():
        shutil.copy2(library, directory / "lib" / soname)  # the file itself, not a symlink
        _strip(directory / "lib" / soname)
    _set_runpath(binary, "$ORIGIN/../lib")
    for library in (directory / "lib").iterdir():
        _set_runpath(library, "$ORIGIN")
    _check_self_contained(binary)
    archive = Path(out) / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(directory, arcname=name)
    tools = tuple(app.tools)
    return Export(directory, name, archive, settings.host, settings.port, tools, choice.name, choice.note)


@dataclass(frozen=True)
class _RuntimeChoice:
    name: str  # "small" or "stock"
    note: str
    library_path: Path | None = None  # searched first for the binary's libraries (ours)
    added_needed: tuple[str, ...] = ()  # libraries the small runtime adds to the binary's DT_NEEDED


def _choose_runtime(binary: Path, runtime: Runtime) -> _RuntimeChoice:
    if runtime == "stock":
        return _RuntimeChoice("stock", "Codon's stock runtime, as asked")
    try:
        coverage = small_runtime_for(binary)
    except SmallRuntimeUnavailable as exc:
        if runtime == "small":
            raise ExportError(f"cannot export with the small runtime: {exc}") from None
        return _RuntimeChoice("stock", f"Codon's stock runtime, since {exc}")
    note = "Conduit's small runtime (conduit/export/smallrt, over Boehm GC)"
    return _RuntimeChoice("small", note, coverage.library_path, coverage.added_needed)


def _shared_libraries(binary: Path, library_path: Path | None = None) -> dict[str, Path]:
    """What the dynamic loader maps for `binary`, transitively, less the C library's own: each
    name the loader asks for, and the file it finds (in `library_path` first, when given)."""
    env = {"LD_LIBRARY_PATH": str(library_path)} if library_path is not None else {}
    result = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        raise ExportError(f"cannot list the libraries {binary} needs: {result.stderr.strip() or result.stdout.strip()}")
    libraries = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\S+)\s+=>\s+(\S+)", line)
        if match is None or GLIBC.match(match[1]):
            continue
        soname, path = match.groups()
        if not Path(path).is_file():
            raise ExportError(f"{binary} needs {soname}, which the loader cannot find")
        libraries[soname] = Path(path).resolve()
    return libraries


def _check_self_contained(binary: Path) -> None:
    """Every library the exported binary loads, but glibc's, must come from its own lib/."""
    lib = binary.parent.parent / "lib"
    outside = [
        f"{soname} => {path}"
        for soname, path in _shared_libraries(binary).items()
        if not path.is_relative_to(lib.resolve())
    ]
    if outside:
        raise ExportError(f"{binary.name} would load libraries from outside its folder: {', '.join(outside)}")


def _strip(path: Path) -> None:
    """Strip `path`, before any patchelf: strip rewrites what `patchelf --add-needed` laid out
    (the binary then dies at start-up, its .dynsym outside every segment)."""
    strip = shutil.which("strip")
    if strip is not None:  # binutils comes with gcc; without it the folder is only larger
        _run([strip, "--strip-unneeded", str(path)])


def _set_runpath(path: Path, runpath: str) -> None:
    """Point `path`'s library search at `runpath`, so nothing points into the venv or the cache."""
    _run([_tool("patchelf"), "--set-rpath", runpath, str(path)])


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise ExportError(f"exporting needs {name}: pip install {name}")
    return found


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ExportError(f"{' '.join(argv)} failed: {result.stderr.strip()}")
