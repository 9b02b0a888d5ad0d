"""Write what runs an exported server in production: systemd units, a Dockerfile, Kubernetes
manifests, and an nginx config balancing replicas.

The exported folder already runs anywhere with glibc; what each of these adds is the part of
operating it that is the same for every app, written once and tested against the real tool
(systemd's socket activation, hadolint, the Kubernetes schemas, nginx):

- systemd: a `.socket` that holds the app's address and a `.service` that gets the listening
  socket from it (`LISTEN_FDS`), so the server binds nothing, starts on the first connection,
  and restarts without refusing a connection; it runs as a throwaway user with the system read-only.
- Docker: an image of the folder on a slim glibc base, as a non-root user.
- Kubernetes: a Deployment probed at `GET /healthz`, a Service and a CPU autoscaler.
- nginx: one address in front of replicas on consecutive loopback ports; a replica that
  refuses connections (killed, restarting) is routed around.

The binary checks the Host header while it binds loopback (the replicas behind nginx: nginx
passes the client's own Host on, so that check still protects them), not once started with
`--host 0.0.0.0` (the container).
"""

from __future__ import annotations

import re
from pathlib import Path

from .folder import Export, ExportError

__all__ = ["write_docker", "write_kubernetes", "write_nginx", "write_systemd"]

INSTALL_ROOT = Path("/opt")  # the systemd service runs /opt/<name>/bin/<name>
CONTAINER_UID = 10001  # numeric, so Kubernetes can check runAsNonRoot against the image

_SERVICE = """\
# {name}.service: the exported MCP server, started by {name}.socket on its first connection.
# Install: copy the exported folder to {root}, this file and {name}.socket to /etc/systemd/system, then
#   systemctl daemon-reload && systemctl enable --now {name}.socket
[Unit]
Description={name} MCP server
Requires={name}.socket
After={name}.socket network.target

[Service]
# No --host/--port: the server serves the socket systemd hands over (LISTEN_FDS) and binds nothing.
ExecStart={root}/bin/{name}
Restart=on-failure
# SIGTERM drains in-flight requests (at most 5 s) before the server exits 0.
TimeoutStopSec=15
DynamicUser=yes
NoNewPrivileges=yes
CapabilityBoundingSet=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
PrivateMounts=yes
ProtectProc=invisible
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
LockPersonality=yes
SystemCallArchitectures=native
UMask=0077
"""

_SOCKET = """\
# {name}.socket: listens for {name}.service, which systemd starts on the first connection.
[Unit]
Description={name} MCP server socket

[Socket]
ListenStream={address}
NoDelay=yes
Backlog=4096

[Install]
WantedBy=sockets.target
"""

_DOCKERFILE = """\
# An image of the exported {name}: docker build -t {image} {context}
# The binary needs only glibc (2.36 or newer, as on the machine it was built on): the rest is in lib/.
FROM debian:bookworm-slim
COPY bin/ /app/bin/
COPY lib/ /app/lib/
# Any unprivileged uid will do: the server writes no file.
USER {uid}:{uid}
EXPOSE {port}
# No HEALTHCHECK: the slim image has no HTTP client to call GET /healthz with, and the binary has
# no check mode. Orchestrators probe /healthz themselves (see the Kubernetes manifest's probes).
ENTRYPOINT ["/app/bin/{name}", "--host", "0.0.0.0", "--port", "{port}"]
"""

# The build context is the exported folder: only what the image copies is sent to the daemon.
_DOCKERIGNORE = """\
*
!bin/
!lib/
"""

_KUBERNETES = """\
# {kube}: a Deployment, its Service and a CPU autoscaler for the exported MCP server.
# Build the image from the exported folder: docker build -t {image} {context}
# The tag is "latest" because the export does not record the app's version: tag the image with
# it and pin that tag here.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {kube}
  labels:
    app.kubernetes.io/name: {kube}
spec:
  # No replicas: the HorizontalPodAutoscaler below sets them.
  selector:
    matchLabels:
      app.kubernetes.io/name: {kube}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {kube}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: {uid}
        runAsGroup: {uid}
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: {kube}
          image: {image}
          ports:
            - name: http
              containerPort: {port}
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          lifecycle:
            # Keeps serving while the Service stops routing to the pod; SIGTERM then drains (at most 5 s).
            preStop:
              exec:
                command: ["sleep", "5"]
          resources:
            requests:
              cpu: 100m
              memory: 32Mi
            limits:
              cpu: "1"
              memory: 256Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
---
apiVersion: v1
kind: Service
metadata:
  name: {kube}
  labels:
    app.kubernetes.io/name: {kube}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {kube}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {kube}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {kube}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
"""

_NGINX = """\
# {name}-nginx.conf: nginx on {listen} in front of {replicas} replicas of {name} on 127.0.0.1:{ports}.
# Start the replicas ({name}-replicas.sh does), then nginx, unprivileged, with everything it writes
# (pid, logs, temp files) in the existing directory DIR:
#   nginx -p DIR -e error.log -c "$PWD/{name}-nginx.conf" -g 'daemon off;'
worker_processes auto;
pid nginx.pid;
error_log error.log;

events {{
    worker_connections 1024;
}}

http {{
    access_log access.log;
    client_body_temp_path client_body_temp;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;

    upstream {name} {{
{servers}
        keepalive 32;
        # Below the replicas' own 60 s, so nginx never reuses a connection a replica is closing.
        keepalive_timeout 30s;
    }}

    server {{
        listen {listen};
        location / {{
            proxy_pass http://{name};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # The client's own Host: a replica built for loopback checks it (DNS rebinding
            # protection) as if the client had reached it directly.
            proxy_set_header Host $http_host;
            # Streamed (text/event-stream) answers go out as they are written.
            proxy_buffering off;
            # A replica that refuses the connection is skipped for the next one. A POST already
            # sent is not resent (its tool may have run): that would need non_idempotent.
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries {replicas};
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""

_REPLICAS = """\
#!/bin/sh
# Start the {replicas} replicas of {name} that {name}-nginx.conf balances; SIGTERM or Ctrl-C stops them.
#   {name}-replicas.sh [BINARY]    (default: {name}/bin/{name} beside this script)
set -u
binary=${{1:-"$(dirname "$0")/{name}/bin/{name}"}}
pids=
for port in {ports}; do
    "$binary" --host 127.0.0.1 --port "$port" &
    pids="$pids $!"
done
trap 'kill $pids 2>/dev/null; wait' INT TERM
wait
"""


def write_systemd(exported: Export, out: Path) -> list[Path]:
    """`out/<name>.service` and `out/<name>.socket`: socket activation on the export's address."""
    name = exported.name
    service = out / f"{name}.service"
    socket = out / f"{name}.socket"
    service.write_text(_SERVICE.format(name=name, root=INSTALL_ROOT / name))
    socket.write_text(_SOCKET.format(name=name, address=_address(exported.host, exported.port)))
    return [service, socket]


def write_docker(exported: Export, out: Path) -> list[Path]:
    """`out/<name>/Dockerfile` and `.dockerignore`: the exported folder is the build context."""
    dockerfile = out / exported.name / "Dockerfile"
    dockerignore = out / exported.name / ".dockerignore"
    dockerfile.write_text(
        _DOCKERFILE.format(
            name=exported.name,
            image=_image(exported),
            context=out / exported.name,
            uid=CONTAINER_UID,
            port=exported.port,
        )
    )
    dockerignore.write_text(_DOCKERIGNORE)
    return [dockerfile, dockerignore]


def write_kubernetes(exported: Export, out: Path) -> list[Path]:
    """`out/<name>-kubernetes.yaml`: Deployment, Service (port 80) and HorizontalPodAutoscaler."""
    manifest = out / f"{exported.name}-kubernetes.yaml"
    manifest.write_text(
        _KUBERNETES.format(
            kube=_dns_label(exported.name),
            image=_image(exported),
            context=out / exported.name,
            uid=CONTAINER_UID,
            port=exported.port,
        )
    )
    return [manifest]


def write_nginx(
    exported: Export, out: Path, replicas: int, *, first_port: int | None = None, listen_port: int | None = None
) -> list[Path]:
    """`out/<name>-nginx.conf`, nginx on the export's address (or `listen_port`) balancing `replicas`
    replicas on 127.0.0.1 from `first_port` (the export's port + 1) up, and `out/<name>-replicas.sh`,
    which starts them."""
    if replicas < 1:
        raise ExportError(f"nginx needs at least one replica to balance, not {replicas}")
    first = exported.port + 1 if first_port is None else first_port
    ports = range(first, first + replicas)
    name = exported.name
    conf = out / f"{name}-nginx.conf"
    script = out / f"{name}-replicas.sh"
    conf.write_text(
        _NGINX.format(
            name=name,
            replicas=replicas,
            ports=f"{ports[0]}-{ports[-1]}" if replicas > 1 else ports[0],
            listen=_address(exported.host, exported.port if listen_port is None else listen_port),
            servers="\n".join(f"        server 127.0.0.1:{port};" for port in ports),
        )
    )
    script.write_text(_REPLICAS.format(name=name, replicas=replicas, ports=" ".join(map(str, ports))))
    script.chmod(0o755)
    return [conf, script]


def _address(host: str, port: int) -> str:
    """`host:port` as systemd's ListenStream= and nginx's listen take it: numeric, IPv6 in brackets."""
    host = "127.0.0.1" if host == "localhost" else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def _dns_label(name: str) -> str:
    """`name` as Kubernetes names objects (RFC 1123: lowercase letters, digits and '-', 63 at most)."""
    return re.sub(r"[^a-z0-9-]+", "-", name.lower())[:63].strip("-") or "server"


def _image(exported: Export) -> str:
    return f"{_dns_label(exported.name)}:latest"
