"""`conduit serve FILE`: prints the URL, serves until Ctrl-C, and leaves no process behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import BACKENDS, free_port

APP = Path(__file__).parent / "apps" / "protocol_app.py"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def wait_for_line(proc: subprocess.Popen, needle: str, timeout: float = 120) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return line
    proc.kill()
    raise AssertionError(f"never printed {needle!r}; output: {''.join(seen)}")


@pytest.mark.parametrize("backend", BACKENDS)
def test_serve_prints_the_url_and_stops_cleanly_on_ctrl_c(backend):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "conduit.cli", "serve", str(APP), "--port", str(port), "--backend", backend],
        stderr=subprocess.PIPE,
        text=True,
    )
    line = wait_for_line(proc, "serving")
    assert f"http://127.0.0.1:{port}/mcp" in line
    reply = httpx.post(
        f"http://127.0.0.1:{port}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers=HEADERS
    )
    assert len(reply.json()["result"]["tools"]) == 7
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    assert "stopped" in proc.stderr.read()
    with pytest.raises(httpx.TransportError):
        httpx.post(f"http://127.0.0.1:{port}/mcp", json={}, headers=HEADERS, timeout=2)


def test_serve_reports_a_missing_file():
    proc = subprocess.run(
        [sys.executable, "-m", "conduit.cli", "serve", "no/such/app.py"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert "no such file: no/such/app.py" in proc.stderr


def test_without_codon_it_says_why_in_one_line_and_serves_with_python(tmp_path):
    port = free_port()
    env = {**os.environ, "CONDUIT_CODON": str(tmp_path / "no-codon-here")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "conduit.cli", "serve", str(APP), "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    fallback = wait_for_line(proc, "python backend")
    assert "no-codon-here" in fallback and fallback.count("\n") == 1
    assert "(python)" in wait_for_line(proc, "serving")
    reply = httpx.post(
        f"http://127.0.0.1:{port}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=HEADERS
    )
    assert reply.json()["result"] == {}
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
