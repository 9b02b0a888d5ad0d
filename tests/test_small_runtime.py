"""The small runtime: an export that ships Conduit's own libcodonrt.so answers as the stock one does.

tests/apps/export_app.py is exported twice, with `runtime="small"` and `runtime="stock"`. Each
archive is unpacked elsewhere and run under `env -i` (with the venv and the cache hidden where
this machine allows it). Every request below must get the same status and the same bytes from
both. The small folder must be under the issue's 10 MB. A binary that needs what the small
runtime lacks (numpy's BLAS) is exported with the stock one and the reason, or refused when
the small one is asked for.

Where Boehm GC is not installed, the small runtime cannot be built: these tests skip with the
reason, and the default export falls back to the stock runtime (the last test checks the note).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_export import HEADERS, can_hide, free_port, hidden, wait_until_serving

from conduit import toolchain
from conduit.export import Export, ExportError, export_app, folder
from conduit.export.small_runtime import (
    GLIBC,
    SmallRuntimeUnavailable,
    build_small_runtime,
    small_runtime_for,
)
from conduit.export.small_runtime import toolchain as small_toolchain
from conduit.loader import load_app
from conduit.serving.run import NativeServer
from conduit.toolchain.cache import default_cache_dir

pytestmark = pytest.mark.native

APPS = Path(__file__).parent / "apps"
MB = 1_000_000
LIMIT = 10 * MB  # the threshold for the exported folder

NUMPY_PROGRAM = """\
import numpy as np
a = np.ones((3, 3)) @ np.ones((3, 3))
print(np.sort(np.array([3.0, 1.0, 2.0])), a[0, 0])
"""


RE_APP = r'''
import re

from conduit import Conduit

app = Conduit("re-test")


@app.tool()
def numbers(text: str) -> list[str]:
    """All runs of digits."""
    return re.findall(r"\d+", text)


@app.tool()
def redact(text: str) -> str:
    """Mask e-mail addresses."""
    return re.sub(r"[\w.]+@[\w.]+", "<email>", text)


@app.tool()
def parse_kv(text: str) -> dict[str, str]:
    """key=value pairs, through named groups."""
    out: dict[str, str] = {}
    for m in re.finditer(r"(?P<k>\w+)=(?P<v>[^;]*)", text):
        out[m.group("k")] = m.group("v")
    return out
'''


# Codon's stdlib over the runtime ABI: numbers to text and back, exceptions through finally,
# containers that grow, and a read of a directory (the stdlib asks for LONG_MAX bytes there, and
# needs NULL back, not an abort, to raise its IOError).
ABI_PROGRAM = """\
def parse(s: str) -> int:
    try:
        return int(s)
    except ValueError as e:
        print("ValueError", e)
        return -1
    finally:
        print("finally", s)

print(str(3.14159), str(1e300), str(-0.0), str(2**62), repr("é\\n"), 1 / 3)
print(parse("42"), parse("12x"), float("1e-5"), float("inf"))
d = {str(i): [i] * (i % 5) for i in range(2000)}
print(len(d), sum(len(v) for v in d.values()), sorted(d.keys())[:3])
try:
    with open("/") as f:
        print(len(f.read()))
except IOError as e:
    print("IOError", e)
try:
    print({"a": 1}["b"])
except KeyError as e:
    print("KeyError", e)
"""


def call(tool: str, arguments: object) -> dict:
    return {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}


# What both exports must answer byte for byte: the handshake, the list, every tool with good and
# bad arguments, the tools' own errors (an f-string with !r and a join), formatting of floats and
# text beyond ASCII, and the protocol's error paths.
REQUESTS: list[dict | bytes] = [
    {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18"}},
    {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    call("greet", {"name": "Ada"}),
    call("greet", {"name": "Zoë ✓ 日本"}),
    call("greet", {}),
    call("greet", {"name": 5}),
    call("circle_area", {"radius": 2, "unit": "cm"}),
    call("circle_area", {"radius": 1e-3, "unit": "km"}),
    call("circle_area", {"radius": -2.5}),
    call("circle_area", {"radius": 123456.789, "unit": "m"}),
    call("circle_area", {"radius": 1, "unit": "mile"}),
    call("circle_area", {"radius": "two"}),
    call("circle_area", {"unit": "m"}),
    call("squares", {"n": 5}),
    call("squares", {"n": 0}),
    call("squares", {"n": 2000}),
    call("squares", {"n": "five"}),
    call("squares", {"n": 2**70}),
    call("squares", {"n": 2.5}),
    call("nothing", {}),
    call("greet", ["not", "an", "object"]),
    {"jsonrpc": "2.0", "id": 2, "method": "no/such/method"},
    {"jsonrpc": "2.0", "id": "text-id", "method": "ping"},
    b'{"jsonrpc": "2.0", "id": 3, "method": ',
    b"[]",
]


@pytest.fixture(scope="module")
def small_runtime_here() -> None:
    codon = toolchain.native_unavailable_reason()
    if codon is not None:
        pytest.skip(f"needs Codon: {codon}")
    try:
        small_toolchain()
    except SmallRuntimeUnavailable as exc:
        pytest.skip(str(exc))  # "the small runtime needs Boehm GC (Debian libgc-dev)"


def export_both(app_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Export]:
    app = load_app(str(app_file))
    return {kind: export_app(app, tmp_path_factory.mktemp(kind), runtime=kind) for kind in ("small", "stock")}


@pytest.fixture(scope="module")
def exports(small_runtime_here: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Export]:
    return export_both(APPS / "export_app.py", tmp_path_factory)


def unpacked(exported: Export, target: Path) -> Path:
    """The archive unpacked into `target`: the binary a user copies to a server."""
    with tarfile.open(exported.archive) as tar:
        tar.extractall(target, filter="tar")
    return target / exported.name / "bin" / exported.name


@contextlib.contextmanager
def serving(exports: dict[str, Export], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """Each export unpacked elsewhere and serving under `env -i`: kind -> port."""
    processes, ports = [], {}
    try:
        for kind, exported in exports.items():
            binary = unpacked(exported, tmp_path_factory.mktemp(f"elsewhere-{kind}"))
            port = free_port()
            argv = [str(binary), "--port", str(port)]
            process = subprocess.Popen(hidden(argv) if can_hide() else ["env", "-i", *argv], stderr=subprocess.PIPE)
            processes.append(process)
            wait_until_serving(port, process)
            ports[kind] = port
        yield ports
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait(10)


@pytest.fixture(scope="module")
def ports(exports: dict[str, Export], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    with serving(exports, tmp_path_factory) as ports:
        yield ports


def answer(port: int, request: dict | bytes) -> tuple[int, str]:
    body = request if isinstance(request, bytes) else httpx.Request("POST", "/", json=request).content
    response = httpx.post(f"http://127.0.0.1:{port}/mcp", content=body, headers=HEADERS, timeout=10)
    return response.status_code, response.text


def test_the_small_folder_is_under_10_mb_and_ships_our_runtime(exports: dict[str, Export]) -> None:
    small, stock = exports["small"], exports["stock"]
    assert (small.runtime, stock.runtime) == ("small", "stock")
    assert small.size < LIMIT, f"{small.size / MB:.2f} MB"
    assert small.size * 10 < stock.size, (small.size, stock.size)
    libraries = {path.name for path in (small.directory / "lib").iterdir()}
    assert {"libcodonrt.so", "libgc.so.1", "libomp.so"} <= libraries
    assert not libraries & {"libgfortran.so.5", "libquadmath.so.0"}, libraries


def test_the_small_folder_loads_only_its_own_libraries_and_glibc(exports: dict[str, Export], tmp_path: Path) -> None:
    binary = unpacked(exports["small"], tmp_path)
    lib = binary.parent.parent / "lib"
    for path in [binary, *lib.iterdir()]:
        dynamic = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
        assert all("$ORIGIN" in line for line in dynamic.splitlines() if "RUNPATH" in line or "RPATH" in line)
    loaded = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, env={}).stdout
    for line in (line for line in loaded.splitlines() if "=>" in line):
        soname, path = (part.split()[0] for part in line.split("=>"))
        assert Path(path).resolve().is_relative_to(lib.resolve()) or GLIBC.match(soname), line


def test_the_small_export_answers_every_request_as_the_stock_one(ports: dict[str, int]) -> None:
    for request in REQUESTS:
        assert answer(ports["small"], request) == answer(ports["stock"], request), request
    status, text = answer(ports["small"], call("circle_area", {"radius": 1, "unit": "mile"}))
    assert status == 200 and "unknown unit 'mile'; use one of cm, m, km" in text


def test_health_and_http_errors_match(ports: dict[str, int]) -> None:
    for method, path in (("GET", "/healthz"), ("HEAD", "/healthz"), ("GET", "/mcp"), ("GET", "/nowhere")):
        small, stock = (httpx.request(method, f"http://127.0.0.1:{ports[k]}{path}") for k in ("small", "stock"))
        assert (small.status_code, small.text) == (stock.status_code, stock.text), (method, path)


def test_an_app_using_re_ships_our_re2_binding_and_answers_as_stock(
    small_runtime_here: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if build_small_runtime().re_library is None:
        pytest.skip("`re` on the small runtime needs RE2 (Debian libre2-dev)")
    app_file = tmp_path_factory.mktemp("re-app") / "re_app.py"
    app_file.write_text(RE_APP)
    exports = export_both(app_file, tmp_path_factory)
    assert exports["small"].runtime == "small", exports["small"].runtime_note
    libraries = {path.name for path in (exports["small"].directory / "lib").iterdir()}
    assert {"libconduit_re.so", "libre2.so.9"} <= libraries and exports["small"].size < LIMIT
    requests = [
        call("numbers", {"text": "a1 b22 c333 4444"}),
        call("numbers", {"text": "none"}),
        call("redact", {"text": "mail ada@example.com or bob.x@y.org now"}),
        call("parse_kv", {"text": "a=1;bb=two;c="}),
    ]
    with serving(exports, tmp_path_factory) as ports:
        for request in requests:
            assert answer(ports["small"], request) == answer(ports["stock"], request), request


def test_a_codon_program_prints_the_same_on_both_runtimes(small_runtime_here: None, build_codon) -> None:
    binary = build_codon(ABI_PROGRAM, "abi_probe")
    ours = {"LD_LIBRARY_PATH": str(build_small_runtime().directory)}  # searched before the RUNPATH
    stock, small = (subprocess.run([binary], env=env, capture_output=True, text=True) for env in ({}, ours))
    assert (small.returncode, small.stdout, small.stderr) == (stock.returncode, stock.stdout, stock.stderr)
    assert "IOError file I/O error" in small.stdout and "finally 42" in small.stdout


def test_the_runtime_is_built_once_into_the_cache(small_runtime_here: None) -> None:
    first, second = build_small_runtime(), build_small_runtime()
    assert first == second and first.directory.parent == default_cache_dir() / "smallrt"
    assert (first.directory / "libcodonrt.so").is_file()


def test_a_binary_needing_numpy_gets_the_stock_runtime_and_the_reason(
    small_runtime_here: None,
    build_codon,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    binary = build_codon(NUMPY_PROGRAM, "numpy_probe")
    with pytest.raises(SmallRuntimeUnavailable, match=r"needs .*cblas_.*which the small runtime does not provide"):
        small_runtime_for(binary)
    # export_app's choice on that binary: the app only names the folder and lists the tools.
    monkeypatch.setattr(folder, "native_build", lambda app, settings: NativeServer([str(binary)], {}, True))
    app = load_app(str(APPS / "export_app.py"))
    exported = export_app(app, tmp_path / "auto")
    assert exported.runtime == "stock" and "cblas_" in exported.runtime_note
    assert (exported.directory / "lib" / "libcodonrt.so").stat().st_size > LIMIT  # Codon's own
    with pytest.raises(ExportError, match="cannot export with the small runtime: .*cblas_"):
        export_app(app, tmp_path / "small", runtime="small")


def test_the_default_export_says_which_runtime_and_why(exported: Export) -> None:
    """Runs everywhere: where the small runtime cannot be built, the note says what to install."""
    try:
        small_toolchain()
    except SmallRuntimeUnavailable:
        assert exported.runtime == "stock" and "Boehm GC (Debian libgc-dev)" in exported.runtime_note
    else:
        assert exported.runtime == "small" and exported.size < LIMIT
    assert exported.runtime_note
