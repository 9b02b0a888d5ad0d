"""Crash recovery: kill -9 the native server under load, ten times; how soon is it answering again?

Serves tests/apps/protocol_app.py natively (`start_server`, as `conduit serve` does), runs a
client in another process that calls `add` back to back over a keep-alive connection, and
SIGKILLs the server process ten times, 1.5 s apart. The supervisor starts it again on the same
socket; connections that arrive meanwhile wait in the listen backlog. Prints, per kill and
overall (p50/max):

    kill -> answered   from the kill to the answer of the first request sent after it
    kill -> exit seen  until the supervisor's watcher saw the process gone
    restart            from the exit seen to the new process answering (the supervisor's figure)

and the client's counts: answered, refused (connection refused: must be 0) and failed. Only a
request on a connection the killed process held may fail (reset, or closed unanswered): one sent
before the exit was seen and unanswered at the kill, at most one per kill with this one client.
Any other failure is counted apart.

Each kill comes 1.5 s after the previous restart; the backoff's `stable_after` is lowered to 1 s
so that each counts as a first crash (restarted at once) rather than as a crash loop (backed
off), as a crash of a server that had run 10 s does.

    CONDUIT_CACHE=... python benchmarks/crash_recovery.py [--kills 10]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conduit.loader import load_app  # noqa: E402
from conduit.serving import start_server  # noqa: E402

APP = ROOT / "tests" / "apps" / "protocol_app.py"

# The client, in its own process (as a real one is): one keep-alive connection, requests back
# to back, each one timed with the system-wide monotonic clock.
CLIENT = textwrap.dedent(
    """
    import json, os, sys, time, httpx
    url, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    results = []
    with httpx.Client(timeout=10) as client:
        while not os.path.exists(stop):
            sent = time.monotonic()
            try:
                reply = client.post(url, json=body, headers=headers)
                reply.raise_for_status()
                assert reply.json()["result"]["structuredContent"]["result"] == 5
                outcome = "ok"
            except httpx.ConnectError as exc:
                outcome = "refused: " + repr(exc)
            except Exception as exc:
                outcome = "failed: " + repr(exc)
            results.append((sent, time.monotonic(), outcome))
    with open(out, "w") as handle:
        json.dump(results, handle)
    """
)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def summary(name: str, values: list[float]) -> str:
    return f"  {name:<18} p50 {ms(statistics.median(values)):>9}   max {ms(max(values)):>9}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args()

    app = load_app(str(APP))
    started = time.perf_counter()
    sup = start_server(app, app.settings.with_address("127.0.0.1", 0), "native", app_spec=str(APP))
    print(f"native server for {APP.name} answering at {sup.url} ({time.perf_counter() - started:.1f} s)")
    sup.backoff.stable_after = 1.0  # each kill below is a first crash (see the module's doc)
    kills: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        stop, out = Path(tmp) / "stop", Path(tmp) / "results.json"
        client = subprocess.Popen([sys.executable, "-c", CLIENT, sup.url, str(stop), str(out)])
        try:
            time.sleep(1.5)
            for number in range(1, args.kills + 1):
                victim = sup.pid
                assert victim is not None
                kills.append(time.monotonic())
                os.kill(victim, signal.SIGKILL)
                deadline = time.monotonic() + 30
                while not (len(sup.restarts) >= number and sup.restarts[number - 1].state == "restarted"):
                    if time.monotonic() > deadline:
                        raise SystemExit(f"restart {number} did not happen: {sup.status}")
                    time.sleep(0.005)
                time.sleep(1.5)
        finally:
            stop.touch()
            client.wait(timeout=60)
            restarts = list(sup.restarts)
            sup.close()
        results = json.loads(out.read_text())

    answered_after: list[float] = []
    seen_after: list[float] = []
    print(f"\n{'kill':>4}  {'kill->answered':>14}  {'kill->exit seen':>15}  {'restart':>9}  backoff  failed")
    for number, (killed, restart) in enumerate(zip(kills, restarts), 1):
        first = min(done for sent, done, outcome in results if sent >= killed and outcome == "ok")
        failed = sum(
            1 for sent, done, outcome in results if outcome != "ok" and sent < restart.noticed and done >= killed
        )
        answered_after.append(first - killed)
        seen_after.append(restart.noticed - killed)
        print(
            f"{number:>4}  {ms(first - killed):>14}  {ms(restart.noticed - killed):>15}  "
            f"{ms(restart.seconds or 0.0):>9}  {restart.delay:>5.1f} s  {failed:>6}"
        )
    ok = sum(1 for *_, outcome in results if outcome == "ok")
    refused = [outcome for *_, outcome in results if outcome.startswith("refused")]
    failed = [outcome for *_, outcome in results if outcome.startswith("failed")]
    in_flight = [
        outcome
        for sent, done, outcome in results
        if outcome.startswith("failed") and any(k <= done and sent < r.noticed for k, r in zip(kills, restarts))
    ]
    print(f"\n{len(kills)} kills (SIGKILL), the server restarted each time (exit status -9 recorded):")
    print(summary("kill -> answered", answered_after))
    print(summary("kill -> exit seen", seen_after))
    print(summary("restart", [r.seconds or 0.0 for r in restarts]))
    print(
        f"  requests: {ok} answered, {len(refused)} refused, {len(failed)} failed: {len(in_flight)} in flight "
        f"on a killed process, {len(failed) - len(in_flight)} other"
    )
    for outcome in sorted(set(refused + failed)):
        print(f"    {outcome}")
    assert all(r.returncode == -signal.SIGKILL for r in restarts), [r.returncode for r in restarts]
    print(f"  last: conduit: {restarts[-1].line}")


if __name__ == "__main__":
    main()
