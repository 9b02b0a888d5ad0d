"""A real kernel (jupyter_client): its server never outlives it, on shutdown or on restart."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from jupyter_client.manager import KernelManager

SETUP = """
%load_ext conduit
%config Conduit.backend = 'python'
%config Conduit.wait = True
"""
TOOL = "%%conduit_tool\ndef add(a: int, b: int) -> int:\n    return a + b\n"


@pytest.fixture
def kernel() -> Iterator[KernelManager]:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    try:
        yield manager
    finally:
        if manager.is_alive():
            manager.shutdown_kernel(now=True)


def execute(manager: KernelManager, code: str) -> str:
    """Run `code`; its stdout, or the kernel's error as an assertion."""
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        out: list[str] = []
        reply = client.execute_interactive(code, timeout=120, output_hook=lambda m: collect(m, out))
        assert reply["content"]["status"] == "ok", "\n".join(reply["content"].get("traceback", []))
        return "".join(out)
    finally:
        client.stop_channels()


def collect(message: dict, out: list[str]) -> None:
    if message["msg_type"] == "stream":
        out.append(message["content"]["text"])


def serve_and_get_pid(manager: KernelManager) -> int:
    execute(manager, SETUP)
    execute(manager, TOOL)
    pid = int(execute(manager, "s = %conduit_status\nprint(s.pid)").strip())
    assert execute(manager, "r = %conduit_call add a=2 b=3\nprint(r)").strip() == "5"
    assert alive(pid)
    return pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has exited: it only waits to be reaped
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_kernel_shutdown_stops_the_server(kernel: KernelManager) -> None:
    pid = serve_and_get_pid(kernel)
    kernel.shutdown_kernel(now=False)
    assert gone(pid)


def test_kernel_restart_stops_the_server(kernel: KernelManager) -> None:
    pid = serve_and_get_pid(kernel)
    kernel.restart_kernel(now=True)  # killed, not asked: the server goes with it all the same
    assert gone(pid)
