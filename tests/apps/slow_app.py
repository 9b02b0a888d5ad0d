"""Fast and slow tools side by side: which run on the worker pool, and what a full pool answers."""

import time

from conduit import Conduit

app = Conduit("slow", pool_threads=2, pool_queue=3)


@app.tool()
def add(a: int, b: int) -> int:
    """Fast: answered on the event loop."""
    return a + b


@app.tool()
def slow(ms: int) -> int:
    """Sleeps (a database or API call): Conduit sees the sleep and runs it on the pool."""
    time.sleep(ms / 1000)
    return ms


@app.tool(blocking=True)
def crunch(n: int) -> int:
    """Heavy CPU, said to block."""
    total = 0
    for i in range(n):
        total = (total + i * i) % 1000003
    return total


@app.tool(blocking=False)
def nap(ms: int) -> int:
    """Sleeps, but said not to block: it runs on the event loop."""
    time.sleep(ms / 1000)
    return ms


@app.tool()
def spin(ms: int) -> int:
    """Heavy CPU with nothing in its code to say so: Conduit measures it inline, then moves it."""
    end = time.time() + ms / 1000
    turns = 0
    while time.time() < end:
        turns += 1
    return ms


@app.tool(timeout=0.5)
def stall(ms: int) -> int:
    """Sleeps, with a time limit of half a second on the pool."""
    time.sleep(ms / 1000)
    return ms


@app.get("/slow/:ms")
def slow_page(req) -> dict:
    """A route handler that sleeps: it runs on the pool too."""
    ms = int(req.params["ms"])
    time.sleep(ms / 1000)
    return {"slept": ms}


@app.get("/fast")
def fast_page(req) -> dict:
    """Answered on the event loop."""
    return {"fast": True}


@app.get("/stuck", timeout=0.5)
def stuck_page(req) -> dict:
    """Takes longer than its limit."""
    time.sleep(3)
    return {"slept": 3000}
