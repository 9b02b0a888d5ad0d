"""`BenchResult`: percentiles on known data, the summary, the notebook view and the comparison overlay."""

import json

import numpy as np
import pytest

from conduit.bench import BenchResult

MS = 1_000_000


@pytest.fixture
def result() -> BenchResult:
    # 1..1000 ms, shuffled: order must not matter
    latencies = np.random.default_rng(7).permutation(np.arange(1, 1001, dtype=np.int64) * MS)
    return BenchResult(latencies_ns=latencies, errors=3, elapsed_s=2.0, connections=50, label="known")


def test_percentiles_interpolate_linearly_like_numpy(result):
    # numpy's default (linear): the q-th percentile of 1..1000 is 1 + 999 * q / 100
    for q, name in ((50, "p50"), (90, "p90"), (95, "p95"), (99, "p99"), (99.9, "p999")):
        assert getattr(result, name) == pytest.approx(1 + 999 * q / 100)
    assert result.max == 1000.0
    assert result.mean == pytest.approx(500.5)


def test_counts_and_rate(result):
    assert result.requests == 1000
    assert result.errors == 3
    assert result.requests_per_second == 500.0


def test_summary_is_plain_json(result):
    summary = json.loads(result.to_json())
    assert summary["requests"] == 1000
    assert summary["p99.9_ms"] == pytest.approx(999.001)
    assert summary["max_ms"] == 1000.0
    assert "p50 500.500 ms" in str(result)


def test_empty_result_has_no_percentiles():
    empty = BenchResult(latencies_ns=np.array([], dtype=np.int64), errors=5, elapsed_s=1.0, connections=1)
    assert empty.requests == 0
    assert np.isnan(empty.p99)
    assert "5 errors" in str(empty)
    assert "<img" in empty._repr_html_()


def test_html_has_the_figures_and_the_plot(result):
    html = result._repr_html_()
    assert "<table>" in html and "500.500" in html
    assert '<img src="data:image/png;base64,' in html


def test_compare_overlays_earlier_runs(result):
    before = BenchResult(latencies_ns=np.full(10, 2 * MS), errors=0, elapsed_s=0.01, connections=1, label="before")
    shown = result.compare(before)
    assert shown.baselines == (before,)
    assert shown.p50 == result.p50  # the figures stay this run's
    html = shown._repr_html_()
    assert html.count("<tr") == 3  # header, the baseline, this run
    assert len(shown.figure().axes[1].lines) == 2  # two CDFs
