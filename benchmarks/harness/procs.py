"""Processes under measurement: start and time to first answer, CPU time and memory of a process tree.

Everything is read from /proc (Linux), for the server's process and all its descendants (nginx's
workers), so every peer is measured the same way whatever its process model.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def require(tool: str) -> str:
    """The path of a command the benchmark needs, or exit saying how to get it."""
    path = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
    if path is None:
        sys.exit(f"{tool} not found: run benchmarks/setup.sh (installs what the benchmarks need)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def raise_fd_limit() -> int:
    """Let this process and the servers it starts hold 10,000+ connections; returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def tree(pid: int) -> list[int]:
    """`pid` and its descendants, alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process tree so far."""
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def _status_kb(pid: int, key: str) -> int:
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def rss_kb(pid: int) -> int:
    """Resident memory of the process tree now."""
    return _status_kb(pid, "VmRSS")


def peak_rss_kb(pid: int) -> int:
    """Sum of each process's high-water resident memory (VmHWM)."""
    return _status_kb(pid, "VmHWM")


def answers(host: str, port: int, request: bytes) -> bool:
    """One request on a fresh connection; True on a 2xx status line."""
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            s.sendall(request)
            return s.recv(16)[9:10] == b"2"
    except OSError:
        return False


def start_and_time(
    argv: Sequence[str],
    host: str,
    port: int,
    request: bytes,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path,
    timeout: float = 60.0,
) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server; return it and its cold start: seconds from exec to the first 2xx answer.

    Polls with a fresh connection every 0.5 ms, so the figure is within about a millisecond.
    """
    with open(log, "ab") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), env=dict(env) if env else None, cwd=cwd, stdout=out, stderr=out, stdin=subprocess.DEVNULL
        )
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if answers(host, port, request):
            return proc, time.perf_counter() - started
        if proc.poll() is not None:
            break
        time.sleep(0.0005)
    stop(proc)
    raise RuntimeError(f"{argv[0]} did not answer on {host}:{port}; see {log}:\n{log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def hold_idle_connections(host: str, port: int, count: int) -> list[socket.socket]:
    """Open `count` TCP connections and leave them idle (no request sent); the caller closes them."""
    held = []
    try:
        for _ in range(count):
            held.append(socket.create_connection((host, port), timeout=5))
    except OSError:
        for s in held:
            s.close()
        raise
    return held
