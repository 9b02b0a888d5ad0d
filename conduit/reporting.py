"""Progress and log messages from inside a tool: `from conduit import progress, log`.

```python
from conduit import Conduit, log, progress

@app.tool()
def index(paths: list[str]) -> int:
    for i, path in enumerate(paths):
        progress(i, len(paths), path)          # notifications/progress
        log("info", "indexing " + path)        # notifications/message
    return len(paths)
```

A call that reports runs where its messages can reach the client: on the worker pool, its
answer an SSE stream, when the client sent a `progressToken` (progress) or asked for log
messages (always in the handshake era; at 2026-07-28 with the request's
`_meta["io.modelcontextprotocol/logLevel"]`, and then only that level and above). Otherwise, and
outside a server (a notebook trying the function), both calls do nothing. Natively the same
names are conduit/runtime/stream.codon's `progress` and `log`; in CPython (the python backend,
the CPython worker) they reach the SDK's `Context.report_progress` and `Context.log` through the
reporter of the call running on this thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

__all__ = ["LOG_LEVELS", "Reporter", "log", "progress", "reporting"]

# RFC 5424 severities, lowest first, as MCP's logging names them.
LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


class Reporter(Protocol):
    def progress(self, done: float, total: float | None, message: str | None) -> None: ...
    def log(self, level: str, data: Any) -> None: ...


_local = threading.local()


def progress(done: float, total: float | None = None, message: str | None = None) -> None:
    """Report how far the current tool call has come (`done` of `total`, with a message)."""
    reporter: Reporter | None = getattr(_local, "reporter", None)
    if reporter is not None:
        reporter.progress(done, total, message)


def log(level: str, message: Any) -> None:
    """Send a log message about the current tool call; `level` is one of LOG_LEVELS."""
    if level not in LOG_LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    reporter: Reporter | None = getattr(_local, "reporter", None)
    if reporter is not None:
        reporter.log(level, message)


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Route `progress` and `log` on this thread to `reporter` while the block runs."""
    previous = getattr(_local, "reporter", None)
    _local.reporter = reporter
    try:
        yield
    finally:
        _local.reporter = previous
