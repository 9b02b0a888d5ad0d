"""`BenchResult`: a benchmark's latencies and counts, its percentiles, and how it shows in a notebook."""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PERCENTILES = (50.0, 90.0, 95.0, 99.0, 99.9)


@dataclass(frozen=True, eq=False)
class BenchResult:
    """One benchmark run. Latencies are kept whole (ns, one per successful request), so any
    percentile can be asked for later and two runs can be drawn on one plot.

    `_repr_html_` shows the figures, a latency histogram and the CDF; `compare(previous)`
    overlays earlier runs (what `%conduit_bench --compare` shows).
    """

    latencies_ns: np.ndarray
    errors: int
    elapsed_s: float
    connections: int
    label: str = ""
    url: str = ""
    connect_errors: int = 0
    baselines: tuple[BenchResult, ...] = field(default=(), repr=False)

    # -- figures --------------------------------------------------------------------------

    @property
    def requests(self) -> int:
        """Requests answered with a 2xx status."""
        return int(self.latencies_ns.size)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Latency at percentile `q` (0-100) in ms, linear interpolation (numpy's default)."""
        if self.requests == 0:
            return float("nan")
        return float(np.percentile(self.latencies_ns, q)) / 1e6

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p90(self) -> float:
        return self.percentile(90)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    @property
    def p999(self) -> float:
        return self.percentile(99.9)

    @property
    def max(self) -> float:
        return float(self.latencies_ns.max()) / 1e6 if self.requests else float("nan")

    @property
    def mean(self) -> float:
        return float(self.latencies_ns.mean()) / 1e6 if self.requests else float("nan")

    def summary(self) -> dict[str, Any]:
        """The figures as plain numbers (latencies in ms), e.g. for `--json` and results files."""
        values = np.percentile(self.latencies_ns, PERCENTILES) / 1e6 if self.requests else [float("nan")] * 5
        figures = {f"p{_name(q)}_ms": float(v) for q, v in zip(PERCENTILES, values)}
        return {
            "label": self.label,
            "url": self.url,
            "connections": self.connections,
            "requests": self.requests,
            "errors": self.errors,
            "connect_errors": self.connect_errors,
            "elapsed_s": self.elapsed_s,
            "requests_per_second": self.requests_per_second,
            **figures,
            "mean_ms": self.mean,
            "max_ms": self.max,
        }

    def to_json(self) -> str:
        return json.dumps(self.summary(), indent=2)

    def compare(self, *previous: BenchResult) -> BenchResult:
        """This result, drawn over `previous` runs (their figures side by side, their curves overlaid)."""
        return replace(self, baselines=self.baselines + previous)

    def __str__(self) -> str:
        s = self.summary()
        name = f"{self.label}: " if self.label else ""
        return (
            f"{name}{s['requests']:,} requests, {s['errors']} errors, {s['requests_per_second']:,.0f} req/s, "
            f"{self.connections} connections | p50 {s['p50_ms']:.3f} ms  p90 {s['p90_ms']:.3f}  "
            f"p95 {s['p95_ms']:.3f}  p99 {s['p99_ms']:.3f}  p99.9 {s['p99.9_ms']:.3f}  max {s['max_ms']:.3f}"
        )

    def __repr__(self) -> str:
        return f"<BenchResult {self}>"

    # -- pictures -------------------------------------------------------------------------

    def figure(self) -> Figure:
        """Latency histogram (log-spaced bins) and CDF, this run over its baselines."""
        return latency_figure([*self.baselines, self])

    def _repr_html_(self) -> str:
        runs = [*self.baselines, self]
        rows = "".join(_html_row(run, i == len(runs) - 1) for i, run in enumerate(runs))
        head = "".join(
            f"<th>{h}</th>"
            for h in ("run", "req/s", "p50", "p90", "p95", "p99", "p99.9", "max (ms)", "requests", "errors")
        )
        buffer = io.BytesIO()
        figure = self.figure()
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        image = base64.b64encode(buffer.getvalue()).decode()
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f'<img src="data:image/png;base64,{image}" alt="latency histogram and CDF"/>'
        )


def _name(q: float) -> str:
    return f"{q:g}"


def _display_label(run: BenchResult, index: int, count: int) -> str:
    return run.label or ("this run" if index == count - 1 else f"previous {count - 1 - index}")


def _html_row(run: BenchResult, current: bool) -> str:
    s = run.summary()
    cells = [
        html.escape(run.label or ("this run" if current else "previous")),
        f"{s['requests_per_second']:,.0f}",
        *(f"{s[f'p{_name(q)}_ms']:.3f}" for q in PERCENTILES),
        f"{s['max_ms']:.3f}",
        f"{s['requests']:,}",
        str(s["errors"]),
    ]
    style = ' style="font-weight:bold"' if current else ""
    return f"<tr{style}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def latency_figure(runs: list[BenchResult]) -> Figure:
    """One figure for any number of runs: histogram on the left, CDF on the right, shared log x axis."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 3.6))
    hist, cdf = figure.subplots(1, 2)
    measured = [run for run in runs if run.requests]
    if measured:
        low = min(float(run.latencies_ns.min()) for run in measured) / 1e6
        high = max(float(run.latencies_ns.max()) for run in measured) / 1e6
        bins = np.geomspace(max(low, 1e-3), max(high, low * 1.01, 2e-3), 60)
    for index, run in enumerate(measured):
        ms = run.latencies_ns / 1e6
        label = _display_label(run, index, len(measured))
        hist.hist(ms, bins=bins, histtype="step", linewidth=1.4, label=label)
        ordered = np.sort(ms)
        cdf.plot(ordered, np.arange(1, ordered.size + 1) / ordered.size * 100, linewidth=1.4, label=label)
    for axes in (hist, cdf):
        axes.set_xscale("log")
        axes.set_xlabel("latency (ms)")
        axes.grid(True, which="both", alpha=0.3)
    hist.set_ylabel("requests")
    hist.set_title("latency histogram")
    cdf.set_ylabel("percentile")
    cdf.set_title("CDF")
    cdf.set_ylim(0, 100.5)
    if len(measured) > 1:
        cdf.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    return figure
