"""Conduit's own small Codon runtime: what an exported server loads instead of Codon's 45 MB one.

Codon's `libcodonrt.so` carries OpenBLAS, LAPACK, numpy's loops, fmt, RE2, zlib and a Boehm GC,
and needs libgfortran, libquadmath and libstdc++ beside it: 51 MB in an exported folder whose
server calls a few dozen `seq_*` functions. `smallrt/` holds our implementation of the whole
`seq_*` ABI of Codon 0.19.3 over the system Boehm GC (see smallrt/README.md): built here with
gcc, it takes the stock library's soname, so the unmodified binary loads it, and the folder
weighs 0.6 MB.

It is built once per set of sources and compilers into `<cache>/smallrt/<key>/` (a temporary
directory renamed into place, so a reader never sees half a build). Whether it covers a given
binary is decided from the symbols the binary imports: every one must be defined by our
libraries, the libraries they load, or glibc. A binary that needs more (numpy's `cblas_*` and
`cnp_*`, say) is not covered, and `SmallRuntimeUnavailable` says why in one line.

OpenMP: every server starts its event loops with `@par`, so it imports `__kmpc_fork_call` and
friends. We ship our 22 KB stand-in (smallrt/omp_shim.c), not Codon's 1.4 MB libomp: on a
2-core machine, a server with 8 `@par` loops and a pool of GC-registered threads stood 20-30 s
of mixed load on both (allocation, exceptions, pool jobs; 0 errors, a clean SIGTERM exit),
at the same req/s within noise, with a lower peak RSS on ours (21 MB against 28 MB). The
stand-in starts one team per parallel region and keeps no thread pool; that costs nothing for
a server, which forks once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConduitError
from ..toolchain.cache import default_cache_dir

__all__ = ["SmallRuntime", "SmallRuntimeUnavailable", "build_small_runtime", "small_runtime_for"]

SOURCES = Path(__file__).resolve().parent / "smallrt"
GC_PACKAGE = "Boehm GC (Debian libgc-dev)"
RE2_PACKAGE = "RE2 (Debian libre2-dev)"
CODONRT = "libcodonrt.so"
OPENMP = "libomp.so"
RE = "libconduit_re.so"
# Libraries the stock runtime carries inside it, which a binary can call (gzip, bz2): taken
# from the system, and added to the binary's DT_NEEDED, only when it does.
SYSTEM_EXTRAS = ("libz.so.1", "libbz2.so.1.0")
# glibc's own libraries: on every target, never shipped.
GLIBC = re.compile(r"^(linux-vdso|ld-linux.*|libc|libm|libmvec|libpthread|libdl|librt|libresolv)\.so")

_WARNINGS = ["-Wall", "-Wextra", "-Wno-unused-parameter"]
_CFLAGS = ["-O2", "-g0", "-fPIC", "-fvisibility=hidden", "-std=gnu11", *_WARNINGS]
_CXXFLAGS = ["-O2", "-g0", "-fPIC", "-fvisibility=hidden", "-std=c++17", "-Wall"]
_LDFLAGS = ["-shared", "-Wl,--as-needed", "-Wl,-z,now", "-Wl,-rpath,$ORIGIN"]


class SmallRuntimeUnavailable(ConduitError):
    """The small runtime cannot serve this binary here; the message says why, in one line."""


@dataclass(frozen=True)
class SmallRuntime:
    """The built libraries: `libcodonrt.so`, our `libomp.so`, and `libconduit_re.so` when RE2 is here."""

    directory: Path

    @property
    def re_library(self) -> Path | None:
        """Our `seq_re_*` over RE2: built only where RE2's headers are installed."""
        path = self.directory / RE
        return path if path.is_file() else None


@dataclass(frozen=True)
class Toolchain:
    """What builds the runtime here: the compilers and the flags that find Boehm GC and RE2."""

    gcc: str
    gxx: str | None
    gc_flags: tuple[str, ...]
    re2_flags: tuple[str, ...] | None  # None: no RE2, so no `re` support

    def key(self) -> str:
        """sha256 over the sources, the compilers' versions and the libraries they link."""
        digest = hashlib.sha256()
        for path in sorted(SOURCES.iterdir()):
            if path.suffix in {".c", ".cc", ".map"}:
                digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        for compiler in (self.gcc, self.gxx):
            digest.update(_output([compiler, "--version"]).encode() if compiler else b"-")
        for flags in (self.gc_flags, self.re2_flags or ()):
            digest.update(" ".join(flags).encode() + b"\0")
        for library in ("libgc.so", "libre2.so"):  # a library upgrade rebuilds
            digest.update(str(_library_file(self.gcc, library)).encode() + b"\0")
        return digest.hexdigest()[:32]


def toolchain() -> Toolchain:
    """gcc with Boehm GC, and g++ with RE2 if both are here; raises SmallRuntimeUnavailable."""
    gcc = shutil.which("gcc")
    if gcc is None or shutil.which("nm") is None:
        raise SmallRuntimeUnavailable("the small runtime is built with gcc and binutils, which are not installed")
    gc_flags = _library_flags(gcc, "bdw-gc", "gc/gc.h", "libgc.so", ["-lgc", "-lpthread"])
    if gc_flags is None:
        raise SmallRuntimeUnavailable(f"the small runtime needs {GC_PACKAGE}")
    gxx = shutil.which("g++")
    re2_flags = _library_flags(gxx, "re2", "re2/re2.h", "libre2.so", ["-lre2"]) if gxx else None
    return Toolchain(gcc, gxx, gc_flags, re2_flags)


def _library_flags(
    compiler: str, package: str, header: str, library: str, default: list[str]
) -> tuple[str, ...] | None:
    """The flags that compile and link against `package`: pkg-config's, else `default` where
    the header and the shared library are in the compiler's standard paths (Debian's layout)."""
    pkg_config = shutil.which("pkg-config")
    if pkg_config is not None:
        found = subprocess.run([pkg_config, "--cflags", "--libs", package], capture_output=True, text=True)
        if found.returncode == 0:
            return tuple(found.stdout.split())
    has_header = any((Path(d) / header).is_file() for d in ("/usr/include", "/usr/local/include"))
    if has_header and _library_file(compiler, library) is not None:
        return tuple(default)
    return None


def _library_file(compiler: str, library: str) -> Path | None:
    """Where `compiler` finds `library` (a file name such as libz.so.1), or None."""
    found = _output([compiler, f"-print-file-name={library}"]).strip()
    return Path(found).resolve() if os.path.isabs(found) and Path(found).exists() else None


def build_small_runtime(cache_dir: Path | None = None) -> SmallRuntime:
    """Build the runtime into `<cache>/smallrt/<key>/`, or return the one built before.

    Concurrent builds may both compile (a few seconds); the first rename wins and the other
    uses its result.

    Raises:
        SmallRuntimeUnavailable: no gcc or Boehm GC here, or the sources did not build.
    """
    tools = toolchain()
    root = (Path(cache_dir) if cache_dir is not None else default_cache_dir()) / "smallrt"
    final = root / tools.key()
    if (final / CODONRT).is_file():
        return SmallRuntime(final)
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{final.name}.tmp-", dir=root))
    try:
        _compile(tools, work)
        with contextlib.suppress(OSError):  # a concurrent build got there first: use its result
            os.rename(work, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return SmallRuntime(final)


def _compile(tools: Toolchain, out: Path) -> None:
    src = SOURCES
    _cc(
        [tools.gcc, *_CFLAGS, *_LDFLAGS, f"-Wl,-soname,{CODONRT}", "-o", str(out / CODONRT)]
        + [str(src / "conduit_rt.c"), *tools.gc_flags, "-lm", "-lpthread"]
    )
    _cc(
        [tools.gcc, *_CFLAGS, *_LDFLAGS, f"-Wl,-soname,{OPENMP}", f"-Wl,--version-script,{src / 'omp_shim.map'}"]
        + ["-o", str(out / OPENMP), str(src / "omp_shim.c"), *tools.gc_flags, "-lpthread"]
    )
    if tools.gxx is not None and tools.re2_flags is not None:
        _cc(
            [tools.gxx, *_CXXFLAGS, *_LDFLAGS, f"-Wl,-soname,{RE}", "-o", str(out / RE), str(src / "conduit_re.cc")]
            + [f"-L{out}", f"-l:{CODONRT}", *tools.re2_flags]
        )


def _cc(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if "error" in line] or result.stderr.splitlines()
        raise SmallRuntimeUnavailable(f"the small runtime did not build: {errors[0] if errors else 'no output'}")


@dataclass(frozen=True)
class Coverage:
    """How the small runtime serves one binary."""

    runtime: SmallRuntime
    added_needed: tuple[str, ...]  # libraries to add to the binary's DT_NEEDED (re, zlib, bzip2)

    @property
    def library_path(self) -> Path:
        """Searched before the binary's RUNPATH (LD_LIBRARY_PATH), so our libraries replace Codon's."""
        return self.runtime.directory


def small_runtime_for(binary: Path, cache_dir: Path | None = None) -> Coverage:
    """Build the small runtime if needed and check that it provides everything `binary` imports.

    Raises:
        SmallRuntimeUnavailable: it cannot be built here, or `binary` needs what it lacks.
    """
    runtime = build_small_runtime(cache_dir)
    needed = imported_symbols(binary)
    provided = _defined(loaded_libraries(binary, runtime.directory).values())
    added: list[str] = []
    for soname, path in _extras(runtime).items():
        defines = defined_symbols(path)
        if (needed - provided) & defines:
            added.append(soname)
            provided |= defines | _defined(loaded_libraries(path, runtime.directory).values())
    missing = sorted(needed - provided)
    if missing:
        raise SmallRuntimeUnavailable(_missing_reason(missing, runtime))
    return Coverage(runtime, tuple(added))


def _extras(runtime: SmallRuntime) -> dict[str, Path]:
    """Libraries the binary does not ask for by name but may need: ours for `re`, zlib, bzip2."""
    gcc = shutil.which("gcc") or "gcc"
    extras = {RE: runtime.re_library} if runtime.re_library is not None else {}
    extras.update({name: _library_file(gcc, name) for name in SYSTEM_EXTRAS})
    return {name: path for name, path in extras.items() if path is not None}


def _missing_reason(missing: list[str], runtime: SmallRuntime) -> str:
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    if runtime.re_library is None and any(name.startswith("seq_re_") for name in missing):
        return f"the binary uses `re`, which the small runtime serves over {RE2_PACKAGE}"
    return f"the binary needs {shown}, which the small runtime does not provide"


def imported_symbols(path: Path) -> set[str]:
    """The dynamic symbols `path` needs defined (weak ones may stay undefined)."""
    symbols = set()
    for line in _nm(path, "--undefined-only"):
        kind, name = line.split()[-2:]
        if kind not in {"w", "v"}:
            symbols.add(name.split("@")[0])
    return symbols


@functools.lru_cache(maxsize=64)
def defined_symbols(path: Path) -> frozenset[str]:
    """The dynamic symbols `path` defines (remembered: glibc's are read for every binary)."""
    return frozenset(line.split()[-1].split("@")[0] for line in _nm(path, "--defined-only") if len(line.split()) >= 3)


def _defined(paths: Iterable[Path]) -> set[str]:
    return set().union(*(defined_symbols(p) for p in paths))


def loaded_libraries(path: Path, library_path: Path) -> dict[str, Path]:
    """Every library the loader maps for `path` (glibc's too) when `library_path` comes first."""
    result = subprocess.run(
        ["ldd", str(path)], capture_output=True, text=True, env={"LD_LIBRARY_PATH": str(library_path)}
    )
    if result.returncode != 0:
        raise SmallRuntimeUnavailable(f"cannot list the libraries {path.name} loads: {result.stderr.strip()}")
    libraries = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\S+)\s+=>\s+(/\S+)", line)
        if match is not None:
            libraries[match[1]] = Path(match[2]).resolve()
    return libraries


def _nm(path: Path, which: str) -> list[str]:
    result = subprocess.run(["nm", "-D", which, str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        raise SmallRuntimeUnavailable(f"cannot read the symbols of {path.name}: {result.stderr.strip()}")
    return [line for line in result.stdout.splitlines() if line.strip()]


def _output(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True).stdout
