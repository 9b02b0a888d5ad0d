"""Fuzz one native server with 100k+ hostile requests: does it ever die or answer malformed HTTP?

The generators of tests/test_fuzz.py (tests/fuzzing.py: valid MCP requests of both eras, mutated
at the HTTP and JSON layers), run far longer against one native server for
tests/apps/protocol_app.py. Every case is checked as in the test: the server's bytes are
well-formed HTTP/1.x responses (or nothing before the close), and the process that started is
still the one serving; every `--check-every` cases (and after any failure) a good request on a
fresh connection must be answered correctly. Failures are counted and the first few printed, not
raised, so one run reports them all. Prints the cases run, failures, server restarts (deaths),
the rate, and what was sent and answered. Hypothesis' generation is the bottleneck (~7 ms a
case), so `--jobs` processes fuzz the one server at once.

    CONDUIT_CACHE=... python benchmarks/fuzz.py [--cases 100000] [--jobs 2] [--batch 5000] [--check-every 1]
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import Case, check_answers, exchange, hostile_requests, still_serving  # noqa: E402

from conduit.loader import load_app  # noqa: E402
from conduit.serving import start_server  # noqa: E402

APP = ROOT / "tests" / "apps" / "protocol_app.py"


@dataclass
class Tally:
    """What one fuzzing process saw."""

    run: int = 0
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    kinds: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, other: Tally) -> None:
        self.run += other.run
        self.sent += other.sent
        self.failures += other.failures
        self.statuses.update(other.statuses)
        self.kinds.update(other.kinds)


def fuzz(host: str, port: int, pid: int, cases: int, batch: int, check_every: int, job: int) -> Tally:
    """Run hostile cases against the server until `cases` have run; count, never raise."""
    tally = Tally()
    started = time.monotonic()

    def one(case: Case) -> None:
        tally.run += 1
        for mutation in case.mutations or ["unmutated"]:
            tally.kinds[mutation.split("@")[0].split("=")[0]] += 1
        tally.sent += len(case.encode())
        try:
            answers = check_answers(exchange(host, port, case))
            first = ",".join(str(a.status) for a in answers[:3]) + ("..." if len(answers) > 3 else "")
            tally.statuses[first or "closed"] += 1
            if not Path(f"/proc/{pid}").exists():
                raise AssertionError(f"the server (pid {pid}) died")
            if tally.run % check_every == 0:
                still_serving(host, port)
        except Exception as exc:  # every failure counted; the run goes on
            tally.failures.append(f"{type(exc).__name__}: {exc}\n      case: {case.describe()}")
            try:
                still_serving(host, port)
            except Exception as again:
                tally.failures.append(f"  and then not serving: {type(again).__name__}: {again}")

    run = settings(
        max_examples=batch,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(given(hostile_requests())(one))
    while tally.run < cases:
        run()
        rate = tally.run / (time.monotonic() - started)
        print(f"  job {job}: {tally.run:>7} cases  {len(tally.failures)} failures  {rate:,.0f} cases/s", flush=True)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2, help="fuzzing processes (generation is the bottleneck)")
    parser.add_argument("--batch", type=int, default=5_000, help="cases per hypothesis run (fresh randomness each)")
    parser.add_argument("--check-every", type=int, default=1, help="a good request after every N cases")
    args = parser.parse_args()

    app = load_app(str(APP))
    sup = start_server(app, app.settings.with_address("127.0.0.1", 0), "native", app_spec=str(APP))
    pid = sup.pid
    assert pid is not None
    print(f"native server pid {pid} at {sup.url}; {args.jobs} fuzzing processes")
    share = -(-args.cases // args.jobs)
    started = time.monotonic()
    tally = Tally()
    try:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            jobs = [
                pool.apply_async(fuzz, (sup.host, sup.port, pid, share, min(args.batch, share), args.check_every, job))
                for job in range(args.jobs)
            ]
            for job in jobs:
                tally.add(job.get())
    finally:
        deaths = len(sup.restarts)
        alive = sup.alive and sup.pid == pid
        sup.close()
    elapsed = time.monotonic() - started
    print(f"\ncases by mutation (a case may carry two): {len(tally.kinds)} kinds")
    for kind, count in sorted(tally.kinds.items()):
        print(f"  {kind:<34} {count:>7}")
    print("\nanswers (status codes of the first responses; 'closed': closed without one):")
    for answer, count in tally.statuses.most_common(15):
        print(f"  {answer:<34} {count:>7}")
    print(
        f"\nfuzz: {tally.run:,} cases ({tally.sent / 1e6:,.0f} MB sent) in {elapsed:,.0f} s, "
        f"{tally.run / elapsed:,.0f} cases/s; failures: {len(tally.failures)}; "
        f"server restarts (deaths): {deaths}; same process at the end: {alive}"
    )
    for failure in tally.failures[:20]:
        print(f"  {failure}")


if __name__ == "__main__":
    main()
