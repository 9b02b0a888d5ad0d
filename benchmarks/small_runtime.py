"""The small runtime against Codon's: folder sizes, the protocol suite and corpus on it, req/s.

1. Builds the small runtime (conduit.export.small_runtime) and lists its libraries.
2. Exports tests/apps/export_app.py and tests/apps/protocol_app.py with each runtime and prints
   the folders' and archives' sizes side by side.
3. Runs `pytest tests/test_protocol.py tests/test_corpus.py` twice: as is (Codon's runtime,
   which also fills the build cache), then with LD_LIBRARY_PATH naming our libraries. The
   loader searches LD_LIBRARY_PATH before a binary's RUNPATH, so every native server the tests
   start loads our libcodonrt.so; the pytest process itself never loads it. Meanwhile the
   /proc/<pid>/maps of pytest's descendants are watched, and the processes that mapped each
   libcodonrt.so are counted.
   The second run must compile nothing: the Codon compiler itself cannot run on our runtime
   (it needs the stock library's C++ JIT hooks), which is why the first run comes first.
4. Measures req/s of one fast tool (`greet`) on both export_app folders, run under `env -i`,
   with conduit's own load generator.

    python benchmarks/small_runtime.py [--skip-tests] [--duration 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from conduit.export import Export, export_app
from conduit.export.folder import Runtime
from conduit.export.small_runtime import CODONRT, RE, build_small_runtime
from conduit.loader import load_app

ROOT = Path(__file__).resolve().parent.parent
APPS = ("export_app", "protocol_app")
RUNTIMES: tuple[Runtime, ...] = ("stock", "small")
SUITE = ["tests/test_protocol.py", "tests/test_corpus.py"]
MB = 1_000_000


def build() -> Path:
    started = time.perf_counter()
    runtime = build_small_runtime()
    print(f"small runtime: {runtime.directory} ({time.perf_counter() - started:.1f} s)")
    for path in sorted(runtime.directory.iterdir()):
        print(f"  {path.name}: {path.stat().st_size:,} bytes (unstripped)")
    return runtime.directory


def export_both(out: Path) -> dict[tuple[str, str], Export]:
    exports = {}
    for app in APPS:
        loaded = load_app(str(ROOT / "tests" / "apps" / f"{app}.py"))
        for runtime in RUNTIMES:
            exports[app, runtime] = export_app(loaded, out / app / runtime, runtime=runtime)
    print(f"\n{'app':<14} {'runtime':<8} {'folder':>12} {'.tar.gz':>12}  lib/")
    for (app, runtime), exported in exports.items():
        libraries = ", ".join(sorted(p.name for p in (exported.directory / "lib").iterdir()))
        print(f"{app:<14} {runtime:<8} {exported.size:>12,} {exported.archive_size:>12,}  {libraries}")
    for app in APPS:
        stock, small = exports[app, "stock"], exports[app, "small"]
        print(
            f"{app}: folder {stock.size / MB:.2f} MB -> {small.size / MB:.2f} MB, "
            f"archive {stock.archive_size / MB:.2f} MB -> {small.archive_size / MB:.2f} MB"
        )
    return exports


def overlay(runtime: Path, into: Path) -> Path:
    """Our libraries for LD_LIBRARY_PATH. An export adds libconduit_re.so to the DT_NEEDED of a
    binary that uses `re`; the binaries the tests build are not exported, so this copy of our
    libcodonrt.so needs it instead (a cycle the loader accepts)."""
    into.mkdir(parents=True, exist_ok=True)
    for path in runtime.iterdir():
        shutil.copy2(path, into / path.name)
    if (into / RE).is_file():
        subprocess.run(["patchelf", "--add-needed", RE, str(into / CODONRT)], check=True)
    return into


def parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])  # the field after the command's "(name)"


def descends_from(pid: int, root: int) -> bool:
    try:
        while pid > 1 and pid != root:
            pid = parent(pid)
    except (OSError, ValueError):
        return False
    return pid == root


class MapsWatcher(threading.Thread):
    """Which libcodonrt.so each process under `root` mapped, sampled from /proc/*/maps."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.seen: dict[int, Path] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            for maps in Path("/proc").glob("[0-9]*/maps"):
                pid = int(maps.parent.name)
                if pid in self.seen or not descends_from(pid, self.root):
                    continue
                try:
                    match = re.search(r"\s(/\S*/libcodonrt\.so)$", maps.read_text(), re.MULTILINE)
                except OSError:
                    continue
                if match is not None:
                    self.seen[pid] = Path(match[1]).resolve()


def run_suite(label: str, env: dict[str, str], ours: Path | None) -> None:
    started = time.perf_counter()
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITE]
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watcher = MapsWatcher(process.pid)
    watcher.start()
    output, _ = process.communicate()
    watcher.stopped.set()
    watcher.join()
    lines = output.strip().splitlines()
    print(f"\n{label}: {lines[-1] if lines else ''} ({time.perf_counter() - started:.0f} s, exit {process.returncode})")
    for line in lines:
        if line.startswith(("FAILED", "ERROR")):
            print(f"  {line}")
    mapped: dict[str, int] = {}
    for path in watcher.seen.values():
        kind = "ours" if ours is not None and path.is_relative_to(ours.resolve()) else str(path)
        mapped[kind] = mapped.get(kind, 0) + 1
    print(f"  test processes by the libcodonrt.so they mapped: {mapped}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def requests_per_second(exported: Export, duration: float) -> str:
    port = free_port()
    process = subprocess.Popen(["env", "-i", str(exported.binary), "--port", str(port)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/mcp"
        argv = [sys.executable, "-m", "conduit.cli", "bench", url, "--tool", "greet", "--args", '{"name":"a"}']
        bench = subprocess.run([*argv, "--duration", str(duration), "--json"], capture_output=True, text=True)
        figures = json.loads(bench.stdout)
        rss = next(line for line in Path(f"/proc/{process.pid}/status").read_text().splitlines() if "VmHWM" in line)
        return (
            f"{figures['requests_per_second']:,.0f} req/s, {figures['errors']} errors, "
            f"p99 {figures['p99_ms']:.2f} ms, peak RSS {rss.split(':')[1].strip()}"
        )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-tests", action="store_true", help="sizes and req/s only")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per runtime")
    args = parser.parse_args()
    runtime = build()
    with tempfile.TemporaryDirectory() as scratch:
        exports = export_both(Path(scratch) / "dist")
        if not args.skip_tests:
            env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
            run_suite("stock runtime", env, None)
            ours = overlay(runtime, Path(scratch) / "libs")
            run_suite("small runtime (LD_LIBRARY_PATH)", {**env, "LD_LIBRARY_PATH": str(ours)}, ours)
        print()
        for kind in RUNTIMES:
            print(f"greet on export_app, {kind}: {requests_per_second(exports['export_app', kind], args.duration)}")


if __name__ == "__main__":
    main()
