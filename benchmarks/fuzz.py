"""Fuzz one native server with 100k+ hostile requests: does it ever die or answer malformed HTTP?

The generators of tests/test_fuzz.py (tests/fuzzing.py: valid MCP requests of both eras, mutated
at the HTTP and JSON layers), run far longer against one native server for
tests/apps/protocol_app.py. Every case is checked as in the test: the server's bytes are
well-formed HTTP/1.x responses (or nothing before the close), and the process that started is
still the one serving; every `--check-every` cases (and after any failure) a good request on a
fresh connection must be answered correctly. Failures are counted and the first few printed, not
raised, so one run reports them all. Prints the cases run, failures, server restarts (deaths),
the rate, and what was sent and answered.

    CONDUIT_CACHE=... python benchmarks/fuzz.py [--cases 100000] [--batch 5000] [--check-every 1]
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import Case, check_answers, exchange, hostile_requests, still_serving  # noqa: E402

from conduit.loader import load_app  # noqa: E402
from conduit.serving import start_server  # noqa: E402

APP = ROOT / "tests" / "apps" / "protocol_app.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000, help="cases per hypothesis run (fresh randomness each)")
    parser.add_argument("--check-every", type=int, default=1, help="a good request after every N cases")
    args = parser.parse_args()

    app = load_app(str(APP))
    sup = start_server(app, app.settings.with_address("127.0.0.1", 0), "native", app_spec=str(APP))
    pid = sup.pid
    print(f"native server pid {pid} at {sup.url}")
    run = 0
    failures: list[str] = []
    statuses: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    sent = 0

    def one(case: Case) -> None:
        nonlocal run, sent
        run += 1
        for mutation in case.mutations or ["unmutated"]:
            kinds[mutation.split("@")[0].split("=")[0]] += 1
        data = case.encode()
        sent += len(data)
        try:
            answers = check_answers(exchange(sup.host, sup.port, case))
            statuses[",".join(str(a.status) for a in answers[:3]) + ("..." if len(answers) > 3 else "") or "closed"] += 1
            if sup.pid != pid or sup.restarts:
                raise AssertionError(f"the server died: {sup.status}")
            if run % args.check_every == 0:
                still_serving(sup.host, sup.port)
        except Exception as exc:  # every failure counted; the run goes on
            failures.append(f"{type(exc).__name__}: {exc}\n      case: {case.describe()}")
            try:
                still_serving(sup.host, sup.port)
            except Exception as again:
                failures.append(f"  and then not serving: {type(again).__name__}: {again}")

    fuzz = settings(
        max_examples=args.batch,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(given(hostile_requests())(one))
    started = time.monotonic()
    try:
        while run < args.cases:
            fuzz()
            elapsed = time.monotonic() - started
            print(f"  {run:>7} cases  {len(failures)} failures  {run / elapsed:,.0f} cases/s", flush=True)
    finally:
        deaths = len(sup.restarts)
        alive = sup.alive and sup.pid == pid
        sup.close()
    elapsed = time.monotonic() - started
    print(f"\ncases by mutation (a case may carry two): {len(kinds)} kinds")
    for kind, count in sorted(kinds.items()):
        print(f"  {kind:<34} {count:>7}")
    print("\nanswers (status codes of the first responses; 'closed': closed without one):")
    for answer, count in statuses.most_common(15):
        print(f"  {answer:<34} {count:>7}")
    print(
        f"\nfuzz: {run:,} cases ({sent / 1e6:,.0f} MB sent) in {elapsed:,.0f} s, {run / elapsed:,.0f} cases/s; "
        f"failures: {len(failures)}; server restarts (deaths): {deaths}; same process at the end: {alive}"
    )
    for failure in failures[:20]:
        print(f"  {failure}")


if __name__ == "__main__":
    main()
