"""What the user sees of the notebook's server: a one-line status and the table of tools."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ..settings import Backend

__all__ = ["Progress", "State", "Status", "ToolTable"]

State = Literal["idle", "building", "serving", "restarting", "failed", "stopped"]
Progress = Callable[["Status"], None]


@dataclass(frozen=True)
class Status:
    """A snapshot of the notebook's server: one line as text, a small table as HTML."""

    state: State
    tools: tuple[str, ...]
    backend: Backend
    url: str | None = None
    pid: int | None = None
    seconds: float | None = None
    cached: bool = False
    interim: bool = False  # the python backend serves these tools while the native build runs
    builds: int = 0  # compiles this session; 0 when every build came from the cache
    restarts: tuple[str, ...] = ()  # each unasked exit of the server or its worker, and its restart
    error: BaseException | None = field(default=None, compare=False)

    @property
    def line(self) -> str:
        if not self.restarts:
            return self._state_line
        times = f"{len(self.restarts)} time{'s' if len(self.restarts) != 1 else ''}"
        return f"{self._state_line}; restarted {times}, last: {self.restarts[-1]}"

    @property
    def _state_line(self) -> str:
        count = f"{len(self.tools)} tool{'' if len(self.tools) == 1 else 's'}"
        if self.state == "building" and self.interim:
            return f"conduit: serving {count} at {self.url} with the python backend while the native build runs..."
        if self.state == "building":
            return f"conduit: building {count} ({self.backend})..."
        if self.state == "serving":
            if self.backend == "python":
                return f"conduit: serving {count} at {self.url} (python backend, started in {self.seconds:.1f} s)"
            cached = ", cached" if self.cached else ""
            return f"conduit: serving {count} at {self.url} (built in {self.seconds:.1f} s{cached})"
        if self.state == "restarting":
            return f"conduit: the server serving {count} died and is starting again..."
        if self.state == "failed":
            first = _first_line(self.error)
            still = f"; still serving the previous tools at {self.url}" if self.url else ""
            return f"conduit: build failed: {first}{still}"
        if self.state == "stopped":
            return f"conduit: stopped ({count} defined; %conduit_serve starts it again)"
        return f"conduit: {count} defined, not served"

    def __repr__(self) -> str:
        return self.line

    def _repr_html_(self) -> str:
        ready = "-" if self.seconds is None else f"{self.seconds:.1f} s" + (" (cached)" if self.cached else "")
        rows = [
            ("state", self.state),
            ("tools", ", ".join(self.tools) or "none"),
            ("url", self.url or "-"),
            ("pid", str(self.pid) if self.pid else "-"),
            ("backend", self.backend),
            ("ready in", ready),
        ]
        if self.restarts:  # news only once the server has died and come back
            rows.append(("restarts", f"{len(self.restarts)} (last: {self.restarts[-1]})"))
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
        return f"<table>{body}</table>"


@dataclass(frozen=True)
class ToolTable:
    """The notebook's tools, as `%conduit_tools` lists them."""

    rows: tuple[tuple[str, str, str, str, str], ...]  # name, signature, cell, engine, description

    def __repr__(self) -> str:
        if not self.rows:
            return "no tools defined yet: write a %%conduit_tool cell"
        return "\n".join(
            f"{name}{sig}  [{cell}]  {engine}  {doc}".rstrip() for name, sig, cell, engine, doc in self.rows
        )

    def _repr_html_(self) -> str:
        head = "<tr><th>tool</th><th>signature</th><th>cell</th><th>engine</th><th>description</th></tr>"
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in self.rows)
        return f"<table>{head}{body}</table>"


def _first_line(error: BaseException | None) -> str:
    """The first line of an error's message, or its class name when it has no message."""
    if error is None:
        return "unknown error"
    lines = str(error).splitlines()
    return lines[0] if lines and lines[0].strip() else type(error).__name__
