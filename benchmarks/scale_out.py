"""Scale-out: replicas of the exported binary behind the nginx config Conduit writes, from one run.

Exports tests/apps/export_app.py, writes the nginx config with `conduit.export.deploy.write_nginx`
(run as written but for one line: an access log format with the time and the upstreams tried),
starts the replicas as its replicas script does (`bin/<name> --host 127.0.0.1 --port P`, one
process per port), and prints:

1. correctness: with 1 and with 3 replicas behind nginx, --calls tools/call of greet from the
   official SDK client in each mode (legacy, with its initialize handshake, and the stateless
   2026-07-28), from --tasks concurrent asyncio tasks (one client each, every call with its own
   name): how many came back with their own "Hello, <name> ✓", how many failed, and how nginx
   spread the HTTP requests over the replicas (the handshake and the calls land on different
   ones: the binary keeps no session);
2. throughput at 50 connections (Conduit's load generator, --seconds per run, --rounds rounds
   interleaved, the best shown): one replica directly, then 1 and 3 replicas through nginx (the
   same config with 1 or 3 upstreams): req/s, p50, p99, CPU per request of nginx, the replicas
   and the load generator, the ratio 3/1 (measured, and from CPU per request, which other work
   on the box moves less), and why it is what it is on this box;
3. failover: 3 replicas under load for --failover-seconds while SDK clients of both modes keep
   calling, one replica sent SIGKILL --kill-after seconds into the load; then
4. the same with SIGTERM (the binary's drain): for each, the requests and errors of the load
   generator and the SDK clients, nginx's access log split by when each request was sent
   (before the signal, in flight at it, while the replica stopped, after it exited) with the
   replica each failure was on, and nginx's error log with what each kind of message meant.

    python benchmarks/scale_out.py [--calls 200] [--seconds 3] [--rounds 2] [--workers 0]

--workers N builds the replicas with N event loops each (the count is compiled into the binary,
which has no --workers flag; 0, the default, is the app's own setting: one per core). A build
that is not in the cache takes about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
from mcp import Client

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from harness.procs import cpu_seconds, raise_fd_limit, require, stop  # noqa: E402

from conduit import bench  # noqa: E402
from conduit.export import Export, export_app  # noqa: E402
from conduit.export.deploy import write_nginx  # noqa: E402
from conduit.loader import load_app  # noqa: E402

APP = ROOT.parent / "tests" / "apps" / "export_app.py"
MODES = ("legacy", "2026-07-28")
NOBODY = 65534
CLIENT_CLOSED = 499  # nginx's status for a request whose client closed the connection first
CONNECTIONS = 50
# The one line added to the config Conduit writes: each request's end time, duration, status,
# and the upstreams nginx tried for it with their statuses ("A, B" when it moved on from A).
LOG_FORMAT = (
    "log_format upstreams '$msec $request_time $status $request_method "
    '"$upstream_addr" "$upstream_status"\';\n'
    "    access_log access.log upstreams;"
)
# What nginx's error log says, and what it meant for the request (proxy_next_upstream error
# timeout http_502 http_503, without non_idempotent: a POST is moved to the next replica only
# if nothing of it was sent yet).
WHY = {
    "upstream prematurely closed": "the replica's connection closed with the POST already sent to it (in flight "
    "as it died): nginx does not resend a POST, so 502",
    "recv() failed (104": "the connection was reset with the POST already sent on it (when the process exited: "
    "a request in flight, or one still in its accept queue): nginx does not resend a POST, so 502",
    "connect() failed (111": "refused: nothing was sent, so nginx moved on to the next replica (200) and marks "
    "this one down for fail_timeout (10 s)",
    "connect() failed (104": "reset while connecting (the accept queue of an exiting process): nothing was sent, "
    "so nginx moved on to the next replica (200)",
}
LOG_LINE = re.compile(r'^(\S+) (\S+) (\d+) (\S+) "([^"]*)" "([^"]*)"$')


# ---- processes ------------------------------------------------------------------------------


def free_ports(count: int) -> int:
    """The first of `count` consecutive loopback ports that are free now (the first from port 0)."""
    for _ in range(100):
        with ExitStack() as stack:
            first = stack.enter_context(socket.socket())
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            try:
                for offset in range(1, count):
                    stack.enter_context(socket.socket()).bind(("127.0.0.1", port + offset))
            except OSError:
                continue
            return port
    raise RuntimeError(f"found no {count} consecutive free ports")


def wait_healthy(base: str, procs: list[subprocess.Popen], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base} never answered /healthz")
        time.sleep(0.02)


@dataclass
class LogEntry:
    end: float  # epoch seconds
    duration: float
    status: int
    method: str
    upstreams: list[str]  # the replicas nginx tried, in order
    upstream_statuses: list[str]

    @property
    def start(self) -> float:
        return self.end - self.duration


@dataclass
class Cluster:
    """`replicas` replicas of the exported binary on consecutive ports behind nginx, as
    write_nginx's config (and replicas script) run them; everything stopped by close()."""

    exported: Export
    replicas: int
    nginx: str
    prefix: Path = field(init=False)
    listen: int = field(init=False)
    ports: list[int] = field(init=False)
    procs: list[subprocess.Popen] = field(init=False, default_factory=list)
    proxy: subprocess.Popen | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.listen = free_ports(self.replicas + 1)
        self.ports = list(range(self.listen + 1, self.listen + 1 + self.replicas))
        self.prefix = Path(tempfile.mkdtemp(prefix="conduit-scale-out-"))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.listen}"

    @property
    def url(self) -> str:
        return f"{self.base}/mcp"

    def start(self) -> None:
        conf, _script = write_nginx(
            self.exported, self.prefix, self.replicas, first_port=self.ports[0], listen_port=self.listen
        )
        text = conf.read_text()
        if text.count("access_log access.log;") != 1:
            raise RuntimeError(f"write_nginx's config changed shape; see {conf}")
        conf.write_text(text.replace("access_log access.log;", LOG_FORMAT))
        for port in self.ports:  # what <name>-replicas.sh runs, one process per port
            log = (self.prefix / f"replica-{port}.log").open("wb")
            argv = [str(self.exported.binary), "--host", "127.0.0.1", "--port", str(port)]
            self.procs.append(subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log))
            log.close()
        for port in self.ports:
            wait_healthy(f"http://127.0.0.1:{port}", self.procs)
        argv = [self.nginx, "-p", str(self.prefix), "-e", "error.log", "-c", str(conf), "-g", "daemon off;"]
        if os.geteuid() == 0 and shutil.which("setpriv"):  # nginx unprivileged, as the config expects
            os.chown(self.prefix, NOBODY, NOBODY)
            argv = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]
        log = (self.prefix / "nginx.log").open("wb")
        self.proxy = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        wait_healthy(self.base, [self.proxy])

    def close(self) -> None:
        for proc in [*([self.proxy] if self.proxy else []), *self.procs]:
            stop(proc)
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far of nginx (master and workers) and of all the replicas."""
        assert self.proxy is not None
        return cpu_seconds(self.proxy.pid), sum(cpu_seconds(p.pid) for p in self.procs if p.poll() is None)

    def log_size(self) -> int:
        path = self.prefix / "access.log"
        return path.stat().st_size if path.exists() else 0

    def log_entries(self, since: int = 0) -> list[LogEntry]:
        entries = []
        with (self.prefix / "access.log").open("rb") as f:
            f.seek(since)
            for line in f.read().decode().splitlines():
                m = LOG_LINE.match(line)
                if m is None:
                    continue
                addrs = [a.strip() for a in re.split(r"[,:]\s", m[5]) if a.strip() not in ("", "-")]
                codes = [s.strip() for s in re.split(r"[,:]\s", m[6]) if s.strip() not in ("", "-")]
                entries.append(LogEntry(float(m[1]), float(m[2]), int(m[3]), m[4], addrs, codes))
        return entries

    def error_log(self) -> list[str]:
        path = self.prefix / "error.log"
        return path.read_text().splitlines() if path.exists() else []


def spread(cluster: Cluster, entries: list[LogEntry]) -> str:
    """How many requests each replica answered (the last upstream nginx tried for each)."""
    counts = collections.Counter(e.upstreams[-1] for e in entries if e.upstreams)
    return ", ".join(f":{port} {counts.get(f'127.0.0.1:{port}', 0)}" for port in cluster.ports)


# ---- the SDK client -------------------------------------------------------------------------


@dataclass
class Calls:
    ok: int = 0
    failures: collections.Counter = field(default_factory=collections.Counter)
    spans: list[tuple[float, float, bool]] = field(default_factory=list)  # each call: start, end (epoch), ok
    reconnects: int = 0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def during(self, begin: float, end: float) -> tuple[int, int]:
        """Calls in flight at some point in [begin, end], and how many of them failed."""
        inside = [ok for start, stop, ok in self.spans if start <= end and stop >= begin]
        return len(inside), inside.count(False)


def _reason(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:120]}"


async def _caller(url: str, mode: str, task: int, count: int | None, stop: asyncio.Event, calls: Calls) -> None:
    """One client calling greet with its own names, `count` times or until `stop` is set. A failed
    call is counted with its reason; a client that fails to open (or close) is opened again."""
    i = 0

    def more() -> bool:
        return (count is None or i < count) and not stop.is_set()

    while more():
        opened = time.time()
        try:
            async with Client(url, mode=mode, read_timeout_seconds=10) as client:
                while more():
                    name = f"{mode}-{task}-{i} \u00e9"
                    i += 1
                    started = time.time()
                    try:
                        result = await client.call_tool("greet", {"name": name})
                    except Exception as exc:  # the call failed; the client may still be usable
                        calls.failures[_reason(exc)] += 1
                        calls.spans.append((started, time.time(), False))
                        continue
                    text = result.content[0].text if result.content else ""
                    right = not result.is_error and text == f"Hello, {name} \u2713"
                    calls.spans.append((started, time.time(), right))
                    if right:
                        calls.ok += 1
                    else:
                        calls.failures[f"wrong answer: {text[:80]!r}"] += 1
        except Exception as exc:  # opening the client (initialize, discover) or closing it failed
            calls.failures[f"client: {_reason(exc)}"] += 1
            calls.spans.append((opened, time.time(), False))
            calls.reconnects += 1
            await asyncio.sleep(0.05)


def sdk_callers(url: str, mode: str, tasks: int, calls: Calls, stop: asyncio.Event, total: int | None = None):
    """`tasks` concurrent clients, `total` calls between them (or until `stop`)."""
    counts = [None] * tasks if total is None else [total // tasks + (t < total % tasks) for t in range(tasks)]
    return asyncio.gather(*(_caller(url, mode, t, counts[t], stop, calls) for t in range(tasks)))


async def sdk_calls(url: str, mode: str, tasks: int, total: int) -> Calls:
    calls = Calls()
    await sdk_callers(url, mode, tasks, calls, asyncio.Event(), total)
    return calls


# ---- the parts --------------------------------------------------------------------------------


def correctness(exported: Export, nginx: str, replicas: int, calls: int, tasks: int) -> int:
    with Cluster(exported, replicas, nginx) as cluster:
        failed = 0
        for mode in MODES:
            mark = cluster.log_size()
            started = time.perf_counter()
            result = asyncio.run(sdk_calls(cluster.url, mode, tasks, calls))
            elapsed = time.perf_counter() - started
            entries = cluster.log_entries(mark)
            statuses = collections.Counter(e.status for e in entries)
            methods = collections.Counter(e.method for e in entries)
            print(
                f"  {replicas} replica{'s' if replicas > 1 else ''}, {mode:>10}: {result.ok}/{calls} answered right, "
                f"{result.failed} failed ({elapsed:.1f} s, {tasks} tasks); nginx saw {len(entries)} requests "
                f"({', '.join(f'{m} {n}' for m, n in sorted(methods.items()))}; "
                f"status {', '.join(f'{s} {n}' for s, n in sorted(statuses.items()))}), "
                f"answered by {spread(cluster, entries)}"
            )
            for reason, n in result.failures.most_common():
                print(f"      {n} x {reason}")
            failed += result.failed
        return failed


@dataclass
class Throughput:
    result: bench.BenchResult
    nginx_cpu: float
    replicas_cpu: float
    loadgen_cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    url: str, seconds: float, label: str, cluster: Cluster | None = None, replica: subprocess.Popen | None = None
) -> Throughput:
    """One load generator run at `url`, with the CPU time nginx, the replicas and it spent meanwhile."""

    def cpu() -> tuple[float, float]:
        if cluster is not None:
            return cluster.cpu()
        return 0.0, cpu_seconds(replica.pid) if replica is not None else 0.0

    nginx0, replicas0 = cpu()
    loadgen0 = _children_cpu()  # the generator is this process's only child that exits meanwhile
    result = bench.run(url, "greet", {"name": "Ada"}, duration=seconds, connections=CONNECTIONS, label=label)
    loadgen = _children_cpu() - loadgen0
    nginx1, replicas1 = cpu()
    return Throughput(result, nginx1 - nginx0, replicas1 - replicas0, loadgen)


def throughput(exported: Export, nginx: str, seconds: float, rounds: int, workers: int) -> None:
    """Direct, then 1 and 3 replicas behind nginx, `rounds` times over (interleaved, so that what
    else the box is doing meanwhile weighs on each alike); each figure is its best round."""
    runs: dict[str, list[Throughput]] = collections.defaultdict(list)
    for _ in range(rounds):
        port = free_ports(1)  # one replica reached directly: what nginx's hop costs
        direct = subprocess.Popen(
            [str(exported.binary), "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}", [direct])
            runs["direct"].append(measure(f"http://127.0.0.1:{port}/mcp", seconds, "direct", replica=direct))
        finally:
            stop(direct)
        for replicas in (1, 3):
            with Cluster(exported, replicas, nginx) as cluster:
                runs[str(replicas)].append(measure(cluster.url, seconds, f"{replicas} via nginx", cluster))
    titles = {"direct": "1 replica, no nginx ", "1": "1 replica via nginx ", "3": "3 replicas via nginx"}
    cores = os.cpu_count() or 1
    best: dict[str, Throughput] = {}
    ceiling: dict[str, float] = {}
    for key, measured in runs.items():
        run = best[key] = max(measured, key=lambda t: t.result.requests_per_second)
        r = run.result
        per = 1e6 / r.requests if r.requests else float("nan")  # CPU µs per request
        each = ", ".join(f"{t.result.requests_per_second:,.0f}" for t in measured)
        print(
            f"  {titles[key]}: {r.requests_per_second:>7,.0f} req/s, p50 {r.p50:.3f} ms, p99 {r.p99:.3f} ms, "
            f"{sum(t.result.errors for t in measured)} errors" + (f" (rounds: {each})" if rounds > 1 else "")
        )
        spent = run.nginx_cpu + run.replicas_cpu + run.loadgen_cpu
        ceiling[key] = cores * 1e6 / (spent * per)
        print(
            f"      CPU per request: nginx {run.nginx_cpu * per:.1f} µs, replicas {run.replicas_cpu * per:.1f} µs, "
            f"load generator {run.loadgen_cpu * per:.1f} µs; {spent / r.elapsed_s:.2f} of {cores} cores busy; "
            f"{ceiling[key]:,.0f} req/s if all {cores} were this run's"
        )
    ratio = best["3"].result.requests_per_second / best["1"].result.requests_per_second
    hop = best["1"].result.requests_per_second / best["direct"].result.requests_per_second
    print(
        f"  ratio 3/1 replicas: {ratio:.2f} measured, {ceiling['3'] / ceiling['1']:.2f} from CPU per request "
        f"(1 replica via nginx / direct: {hop:.2f})"
    )
    one = best["1"]
    per_one = 1e6 / one.result.requests
    loops = f"{workers} event loop{'s' if workers != 1 else ''}"
    if workers >= cores:
        more = "One replica already has a loop on every core, so two more add no CPU to spend, only threads "
        more += "contending for the same cores."
    else:
        more = f"Three replicas run three times the loops of one, but on the same {cores} cores, and one replica "
        more += "was not what ran out (it answers faster directly than through nginx)."
    print(
        f"  why: everything shares these {cores} cores: the load generator, nginx's {cores} workers "
        f"(worker_processes auto) and every replica, each replica running {loops} (the binary has no "
        f"--workers flag: the count is compiled in, see --workers). {more} And the proxy is the dearer hop: "
        f"nginx spends {one.nginx_cpu * per_one:.0f} µs of CPU per request to the replica's "
        f"{one.replicas_cpu * per_one:.0f}, so the box runs out of CPU in nginx long before any replica does. "
        "So about 1 is the expected ratio, and other work on the box (its load average) moves the measured "
        "one either way; replicas buy throughput only on cores or machines nginx and the clients do not "
        "share, and they buy failover (below) anywhere."
    )


def failover(exported: Export, nginx: str, seconds: float, signal_after: float, tasks: int, sig: signal.Signals) -> int:
    """3 replicas under load, the first sent `sig` after `signal_after` s; returns how many requests
    sent after it exited failed."""
    with Cluster(exported, 3, nginx) as cluster:
        victim = cluster.procs[0]
        victim_addr = f"127.0.0.1:{cluster.ports[0]}"
        mark = cluster.log_size()
        errors_before = len(cluster.error_log())
        load: list[bench.BenchResult] = []
        failure: list[BaseException] = []

        def generate() -> None:
            try:
                load.append(bench.run(cluster.url, "greet", {"name": "Ada"}, duration=seconds, connections=CONNECTIONS))
            except BaseException as exc:
                failure.append(exc)

        generator = threading.Thread(target=generate)
        signalled_at = exited_at = 0.0
        sdk = {mode: Calls() for mode in MODES}

        def reap() -> None:
            nonlocal exited_at
            victim.wait(20)
            exited_at = time.time()

        async def drive() -> None:
            nonlocal signalled_at, exited_at
            stop = asyncio.Event()
            callers = [asyncio.ensure_future(sdk_callers(cluster.url, m, tasks, sdk[m], stop)) for m in MODES]
            deadline = time.monotonic() + 30
            while any(calls.ok < tasks for calls in sdk.values()) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)  # every client open and calling before the load starts
            generator.start()
            before = cluster.log_size()
            deadline = time.monotonic() + 120  # the generator's build, should the cache miss
            while cluster.log_size() - before < 100_000 and generator.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # until its load reaches nginx: the signal is timed from there
            await asyncio.sleep(signal_after)
            waiter = threading.Thread(target=reap)  # already waiting when the signal goes
            waiter.start()
            signalled_at = time.time()
            victim.send_signal(sig)
            await asyncio.to_thread(waiter.join)
            await asyncio.to_thread(generator.join)
            stop.set()
            await asyncio.gather(*callers)

        try:
            asyncio.run(drive())
        finally:
            if generator.is_alive():
                generator.join()
        if failure:
            raise failure[0]
        entries = cluster.log_entries(mark)
        new_errors = cluster.error_log()[errors_before:]
        r = load[0]
        print(
            f"  {sig.name} to replica :{cluster.ports[0]} {signal_after:g} s in; it exited "
            f"{(exited_at - signalled_at) * 1000:.1f} ms later with {victim.returncode}"
        )
        print(
            f"  load generator, {CONNECTIONS} connections for {r.elapsed_s:.1f} s: {r.requests + r.errors:,} requests, "
            f"{r.errors} errors ({r.connect_errors} connect errors), {r.requests_per_second:,.0f} req/s"
        )
        for mode, calls in sdk.items():
            around, failed_around = calls.during(signalled_at, exited_at + 0.05)
            print(
                f"  SDK client ({mode}, {tasks} tasks, calling throughout): {calls.ok + calls.failed} calls, "
                f"{calls.failed} failed, {calls.reconnects} clients reopened; {around} in flight between the "
                f"signal and 50 ms after the exit, {failed_around} of them failed"
            )
            for reason, n in calls.failures.most_common():
                print(f"      {n} x {reason}")

        def phase(e: LogEntry) -> str:
            if e.end < signalled_at:
                return "before the signal"
            if e.start < signalled_at:
                return "in flight at the signal"
            if e.start < exited_at:
                return "sent while it stopped"
            return "sent after it exited"

        phases = ("before the signal", "in flight at the signal", "sent while it stopped", "sent after it exited")
        print(f"  nginx's access log ({len(entries):,} requests, by when each started; ms resolution):")
        by_phase: dict[str, list[LogEntry]] = collections.defaultdict(list)
        for e in entries:
            by_phase[phase(e)].append(e)
        for name in phases:
            group = by_phase.get(name, [])
            statuses = collections.Counter(e.status for e in group)
            rerouted = sum(1 for e in group if len(e.upstreams) > 1 and e.status < 300)
            failed = [e for e in group if e.status >= 300 and e.status != CLIENT_CLOSED]
            line = (
                f"    {name:>23}: {len(group):>6,} requests, status "
                f"{', '.join(f'{s} {n:,}' for s, n in sorted(statuses.items())) or '-'}"
            )
            if rerouted:
                line += f"; {rerouted} moved on to another replica when {victim_addr} refused"
            if failed:
                on = collections.Counter(e.upstreams[-1] if e.upstreams else "-" for e in failed)
                sent = sorted((e.start - signalled_at) * 1000 for e in failed)
                ended = sorted((e.end - signalled_at) * 1000 for e in failed)
                line += (
                    f"; failed on {', '.join(f'{a} x{n}' for a, n in on.items())}: sent "
                    f"{sent[0]:+.0f} to {sent[-1]:+.0f} ms from the signal, failed {ended[0]:+.0f} to {ended[-1]:+.0f}"
                )
            print(line)
        after = by_phase.get("sent after it exited", [])
        served = collections.Counter(e.upstreams[-1] for e in after if e.upstreams)
        print(f"    answered after it exited by: {', '.join(f'{a} {n:,}' for a, n in sorted(served.items()))}")
        reasons = collections.Counter(
            re.sub(r"^.*?\[error\] \d+#\d+: \*\d+ ", "", line).split(", client:")[0]
            for line in new_errors
            if "[error]" in line
        )
        print("  nginx's error log:" + ("" if reasons else " nothing"))
        for reason, n in reasons.most_common():
            print(f"    {n} x {reason}")
            why = next((text for key, text in WHY.items() if reason.startswith(key)), "")
            if why:
                print(f"        {why}")
        failed_early = sum(1 for e in entries if e.status >= 300 and e.status != CLIENT_CLOSED and e.start < exited_at)
        failed_late = sum(1 for e in after if e.status >= 300 and e.status != CLIENT_CLOSED)
        closed = sum(1 for e in entries if e.status == CLIENT_CLOSED)
        if closed:
            print(
                f"  ({closed} x {CLIENT_CLOSED}: requests the load generator left unanswered when its time was up "
                "and it closed its connections; not failures)"
            )
        print(
            f"  {failed_early + failed_late} requests failed: {failed_early} sent before the replica was gone, "
            f"{failed_late} sent after"
        )
        if failed_late:
            print(
                "  (sent after the exit, yet to the dead replica: on a kept-alive connection whose close nginx's "
                "worker had not handled yet; it was a POST already sent, so not resent)"
            )
        if sig == signal.SIGTERM and failed_early:
            print(
                "  (a drain should lose none: the binary keeps its listening socket open while it drains, so the "
                "kernel still completes nginx's connects and queues their requests, which are reset when it exits)"
            )
        return failed_late


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200, help="SDK calls per mode and replica count (200)")
    parser.add_argument("--tasks", type=int, default=4, help="concurrent asyncio tasks, one SDK client each (4)")
    parser.add_argument("--seconds", type=float, default=3.0, help="each throughput run (3 s)")
    parser.add_argument("--rounds", type=int, default=2, help="throughput rounds, interleaved; best is shown (2)")
    parser.add_argument("--failover-seconds", type=float, default=6.0, help="each failover run (6 s)")
    parser.add_argument("--kill-after", type=float, default=2.0, help="when the replica is stopped (2 s)")
    parser.add_argument("--workers", type=int, default=0, help="event loops per replica, compiled in (0: per core)")
    args = parser.parse_args()
    nginx = require("nginx")
    raise_fd_limit()
    bench.loadgen_binary()  # built (or found in the cache) before anything is timed
    with tempfile.TemporaryDirectory(prefix="conduit-scale-out-") as out:
        app = load_app(str(APP))
        settings = app.settings if args.workers == 0 else replace(app.settings, workers=args.workers)
        started = time.perf_counter()
        exported = export_app(app, out, settings)
        workers = settings.workers or os.cpu_count() or 1
        print(
            f"export: {time.perf_counter() - started:.1f} s; {exported.binary.name} replicas run {workers} event "
            f"loop{'s' if workers != 1 else ''} each"
            f"{' (one per core)' if args.workers == 0 else ''}; nginx {nginx_version(nginx)}; {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.2f} before the run"
        )
        print(f"1. correctness: the official SDK client through nginx, {args.calls} calls per mode")
        failed = sum(correctness(exported, nginx, n, args.calls, args.tasks) for n in (1, 3))
        print(f"  failed calls in all: {failed}")
        print(
            f"2. throughput through nginx: tools/call greet, {CONNECTIONS} connections, {args.seconds:g} s runs, "
            f"best of {args.rounds} (load average {os.getloadavg()[0]:.2f})"
        )
        throughput(exported, nginx, args.seconds, args.rounds, workers)
        late = 0
        for number, sig in (("3", signal.SIGKILL), ("4", signal.SIGTERM)):
            print(f"{number}. failover: 3 replicas under load, one sent {sig.name} after {args.kill_after:g} s")
            late += failover(exported, nginx, args.failover_seconds, args.kill_after, args.tasks, sig)
        print(f"requests sent after the replica exited that failed, both runs: {late}")


def nginx_version(nginx: str) -> str:
    result = subprocess.run([nginx, "-v"], capture_output=True, text=True)
    return result.stderr.strip().rsplit("/", 1)[-1]


if __name__ == "__main__":
    main()
