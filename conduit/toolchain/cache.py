"""Build a generated program with Codon, through a content-addressed cache.

`-numerics=py` is in DEFAULT_FLAGS: without it `1 // n` with n == 0 is undefined behaviour (the
server dies of SIGFPE, or gets a garbage result once LLVM has optimized the division); with it
the tool raises ZeroDivisionError as in Python, which the server turns into an MCP error. Its
cost on 0.19.3 is within noise: build +0-0.3 s, a division-heavy loop unchanged.

The cache is content-addressed, like `%%cython`'s: a key over everything that decides the binary,
so an unchanged program never compiles twice, across kernel restarts and processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .codon import codon_version, find_codon
from .diagnostics import PROGRAM_FILE, RUNTIME_PACKAGE, build_error, runtime_files
from .shadow import shadow_of

if TYPE_CHECKING:
    from ..codegen.program import SourceMap

DEFAULT_FLAGS: tuple[str, ...] = ("-release", "-numerics=py")
RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"
SHIMS_DIR = "shims"  # runtime/shims/<module>.codon: native stand-ins importable by their Python name
FAILURE_OUTPUT = "codon-output.txt"  # a failed build keeps Codon's output: the same program fails at once


@dataclass(frozen=True)
class Build:
    """A built binary in the cache, next to the program it was built from."""

    binary: Path
    key: str
    cached: bool
    seconds: float
    codon_version: str

    @property
    def directory(self) -> Path:
        return self.binary.parent

    @property
    def source_path(self) -> Path:
        """The generated program, kept for users and the teaching notebook to read."""
        return self.binary.parent / PROGRAM_FILE


def default_cache_dir() -> Path:
    """`$CONDUIT_CACHE`, else `$XDG_CACHE_HOME/conduit`, else `~/.cache/conduit`."""
    env = os.environ.get("CONDUIT_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "conduit"


def cache_key(
    program: str,
    *,
    codon: Path,
    version: str,
    flags: Sequence[str] = DEFAULT_FLAGS,
    name: str = "server",
    runtime: Path = RUNTIME_DIR,
) -> str:
    """sha256 over everything that decides the binary.

    Besides the program, the runtime sources, Codon's version and the flags, the key covers
    the binary's name (it is the file name in the cache entry) and the codon path: a binary
    links Codon's libraries by absolute RUNPATH, so one built by another install is not ours.
    """
    digest = hashlib.sha256()

    def field(tag: bytes, data: bytes) -> None:
        digest.update(tag + b"\0" + len(data).to_bytes(8, "little") + data)

    field(b"program", program.encode())
    for rel, path in runtime_files(runtime):
        field(b"runtime-file", rel.encode())
        field(b"runtime-data", path.read_bytes())
    field(b"codon-version", version.encode())
    field(b"codon-path", str(codon).encode())
    for flag in flags:
        field(b"flag", flag.encode())
    field(b"name", name.encode())
    return digest.hexdigest()[:32]


def build(
    program: str,
    *,
    name: str = "server",
    flags: Sequence[str] = DEFAULT_FLAGS,
    source_map: SourceMap | None = None,
    codon: Path | None = None,
    cache_dir: Path | None = None,
    runtime: Path = RUNTIME_DIR,
) -> Build:
    """Compile `program` (Codon source) to `<cache>/<key>/<name>`, or return the cached binary.

    `runtime` is the Codon package the program imports as `conduit_runtime`; it is copied
    next to the program. A failed build's program is kept under `<cache>/failed/<key>/`.

    Concurrent builds of the same program (threads, kernels, the CLI) compile once: a per-key
    lock serializes them, and the result is moved into place with an atomic rename, so a
    reader never sees half a cache entry.

    Raises:
        CodonNotFoundError: no Codon to build with.
        BuildError: Codon rejected the program; mapped to the user's line through `source_map`.
    """
    started = time.perf_counter()
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    codon = compiler(codon, cache)
    version = codon_version(codon)
    runtime = Path(runtime)
    key = cache_key(program, codon=codon, version=version, flags=flags, name=name, runtime=runtime)
    final = cache / key
    binary = final / name

    def done(cached: bool) -> Build:
        return Build(binary, key, cached, time.perf_counter() - started, version)

    if binary.is_file():
        return done(cached=True)
    known_failure = cache / "failed" / key / FAILURE_OUTPUT
    if known_failure.is_file():  # Codon rejected this very program before: say so again, at once
        raise build_error(known_failure.read_text(), known_failure.parent, runtime, source_map)
    cache.mkdir(parents=True, exist_ok=True)
    with _lock(cache / f"{key}.lock"):
        if binary.is_file():  # another process built it while we waited
            return done(cached=True)
        _remove_stale_temps(cache)
        work = Path(tempfile.mkdtemp(prefix=f"{key}.tmp-", dir=cache))
        try:
            (work / PROGRAM_FILE).write_text(program)
            # A copy, not a symlink: the entry stays exactly what was compiled, and readable.
            shutil.copytree(runtime, work / RUNTIME_PACKAGE, ignore=shutil.ignore_patterns("__pycache__", ".*"))
            # Shims stand in for Python modules Codon lacks (a tool's `import sqlite3`): Codon
            # resolves a top-level import beside the program first.
            for shim in sorted((runtime / SHIMS_DIR).glob("*.codon")):
                shutil.copyfile(shim, work / shim.name)
            output, returncode = _run_codon(codon, flags, name, work)
            # Exit status alone is not trusted: codon-compiler-demo's wrapper exits 0 on failure.
            if returncode == 0 and (work / name).is_file():
                try:
                    os.rename(work, final)
                except OSError:
                    if not binary.is_file():  # not a lost race: something else is in the way
                        raise
                return done(cached=False)
            (work / FAILURE_OUTPUT).write_text(output)
            failed = _keep_failed(work, cache / "failed" / key)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        raise build_error(output, failed, runtime, source_map)


def _run_codon(codon: Path, flags: Sequence[str], name: str, work: Path) -> tuple[str, int]:
    argv = [str(codon), "build", *flags, "-o", name, PROGRAM_FILE]
    proc = subprocess.run(
        argv,
        cwd=work,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    return proc.stdout, proc.returncode


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # no flock: the atomic rename alone keeps the cache consistent
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            # Unlinking while holding the lock is safe: a waiter that locks the old inode
            # re-checks the cache, and a lost race ends in the rename fallback above.
            with contextlib.suppress(OSError):
                path.unlink()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temps(cache: Path) -> None:
    """Work dirs of killed builds (a live build takes seconds), and failed programs a day old."""
    now = time.time()
    for pattern, age in (("*.tmp-*", 3600.0), ("failed/*", 86400.0)):
        for path in cache.glob(pattern):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > age:
                    shutil.rmtree(path, ignore_errors=True)


def _keep_failed(work: Path, target: Path) -> Path:
    """Keep a failed program where the error message can point at it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    try:
        os.rename(work, target)
    except OSError:  # a concurrent failure of the same key took the slot: keep ours beside it
        target = target.with_name(work.name)
        os.rename(work, target)
    return target


class NotCached(LookupError):
    """A program that is not in the cache, where the caller asked not to compile."""


def compiler(codon: Path | None = None, cache: Path | None = None) -> Path:
    """The Codon that builds: `find_codon(codon)` with Conduit's stdlib overlay (conduit.toolchain.shadow)."""
    return shadow_of(find_codon(codon), cache if cache is not None else default_cache_dir())


def is_cached(
    program: str,
    *,
    name: str = "server",
    flags: Sequence[str] = DEFAULT_FLAGS,
    cache_dir: Path | None = None,
    runtime: Path = RUNTIME_DIR,
) -> bool:
    """Whether `build(program, name=..., flags=...)` would answer without compiling: the binary
    is in the cache, or Codon rejected this program before (the error is remembered)."""
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    codon = compiler(None, cache)
    key = cache_key(program, codon=codon, version=codon_version(codon), flags=flags, name=name, runtime=runtime)
    return (cache / key / name).is_file() or (cache / "failed" / key / FAILURE_OUTPUT).is_file()
