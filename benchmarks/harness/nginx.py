"""nginx returning one fixed body: the ceiling every MCP server is compared with."""

from __future__ import annotations

import subprocess
import textwrap
import time
from pathlib import Path

from .procs import answers, require


def write_config(body: bytes, port: int, workdir: Path, worker_connections: int = 4096) -> Path:
    """An nginx.conf answering POST /mcp with `body` (JSON), keep-alive without a request limit."""
    literal = body.decode().replace("\\", "\\\\").replace("'", "\\'")
    conf = workdir / "nginx.conf"
    conf.write_text(
        textwrap.dedent(
            f"""
            worker_processes auto;
            worker_rlimit_nofile {worker_connections * 2};
            daemon off;
            pid {workdir}/nginx.pid;
            error_log {workdir}/error.log;
            events {{ worker_connections {worker_connections}; }}
            http {{
                access_log off;
                keepalive_requests 1000000;
                keepalive_timeout 300s;
                server {{
                    listen 127.0.0.1:{port};
                    location = /mcp {{
                        default_type application/json;
                        return 200 '{literal}';
                    }}
                }}
            }}
            """
        )
    )
    return conf


def argv(conf: Path) -> list[str]:
    return [require("nginx"), "-c", str(conf), "-e", str(conf.parent / "error.log")]


def start_nginx(body: bytes, port: int, workdir: Path) -> subprocess.Popen:
    """Start nginx on 127.0.0.1:port serving `body`; returns once it answers."""
    proc = subprocess.Popen(argv(write_config(body, port, workdir)))
    request = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}".encode()
    for _ in range(200):
        if answers("127.0.0.1", port, request):
            return proc
        time.sleep(0.05)
    raise SystemExit("nginx did not start; see " + str(workdir / "error.log"))
