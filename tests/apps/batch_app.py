"""Tools for batched calls and call time limits: slow ones that say when they ran, one that fails."""

import time

from conduit import Conduit

app = Conduit("batch", pool_threads=8, call_timeout=30)


@app.tool()
def add(a: int, b: int) -> int:
    """Fast: answered on the event loop, inline even inside a batch."""
    return a + b


@app.tool()
def slow(ms: int) -> list[float]:
    """Sleeps (so it runs on the pool) and returns when it started and ended, in Unix seconds."""
    start = time.time()
    time.sleep(ms / 1000)
    return [start, time.time()]


@app.tool()
def boom(message: str) -> str:
    """Always fails with `message`."""
    raise ValueError(message)


@app.tool(timeout=0.5)
def stall(ms: int) -> int:
    """Sleeps for `ms`, with a time limit of half a second."""
    time.sleep(ms / 1000)
    return ms


@app.tool(native=False, timeout=0.5)
def py_stall(ms: int) -> int:
    """The same in CPython (the worker process), with the same limit."""
    time.sleep(ms / 1000)
    return ms
