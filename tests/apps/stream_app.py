"""Generator tools: items stream as progress events while the tool runs, the result carries them all."""

import time
from collections.abc import Iterator

from conduit import Conduit, log, progress

app = Conduit("stream", sessions=True)


@app.tool()
def search(q: str, n: int = 3, ms: int = 0) -> Iterator[dict[str, str]]:
    """Yield `n` documents matching `q`, `ms` milliseconds apart."""
    for i in range(n):
        if i > 0 and ms > 0:
            time.sleep(ms / 1000)
        yield {"doc": q + "-" + str(i)}


@app.tool()
def count(n: int):
    """Yield 0..n-1 at once (no return annotation: the result has no structuredContent)."""
    for i in range(n):
        yield i


@app.tool()
def ticks(n: int, ms: int, path: str) -> Iterator[float]:
    """Yield the time of each tick, `ms` apart, and count them in `path` (a byte each)."""
    for i in range(n):
        if i > 0:
            time.sleep(ms / 1000)
        with open(path, "a") as f:  # one byte per item: its size counts them
            f.write(".")
        yield time.time()


@app.tool()
def add(a: int, b: int) -> int:
    return a + b


@app.tool()
def stamps(n: int, gap: float) -> Iterator[float]:
    """Yield the time (time.time()) of each of `n` items, due `gap` seconds apart from the first
    (a schedule, so sleep overshoot does not add up; benchmarks/streaming.py)."""
    start = time.time()
    for i in range(n):
        wait = start + i * gap - time.time()
        if wait > 0:
            time.sleep(wait)
        yield time.time()


@app.tool()
def index(paths: list[str], ms: int = 0) -> int:
    """Report progress and log a message per path (conduit.progress, conduit.log)."""
    for i, path in enumerate(paths):
        if ms > 0:
            time.sleep(ms / 1000)
        progress(i + 1, len(paths), "indexed " + path)
        log("info", "indexing " + path)
    log("debug", "done")
    return len(paths)


@app.tool(native=False)
def words(text: str) -> Iterator[str]:
    """A generator CPython runs (behind the native server: its result, not its items, for now)."""
    yield from text.split()


@app.tool()
def flood(n: int, size: int, path: str) -> Iterator[int]:
    """Yield `n` items as fast as it can, each with `size` bytes of padding in its progress message."""
    pad = "x" * size
    for i in range(n):
        with open(path, "a") as f:
            f.write(".")
        progress(i, n, pad)
        yield i


@app.tool()
def partial(n: int) -> Iterator[int]:
    """Yield `n` items, then fail."""
    for i in range(n):
        yield i
    raise ValueError("gave up after " + str(n))


@app.get("/feed")
def feed(req):
    """A route whose body streams: a JSON line (or an SSE event) per item, 200 ms apart."""
    n = int(req.query.get("n", "3"))
    for i in range(n):
        if i > 0:
            time.sleep(0.2)
        yield {"i": i}


@app.get("/lines")
def lines(req):
    yield "one\n"
    yield "two\n"
