"""The `conduit` command.

conduit serve app.py [--host H] [--port P] [--backend native|python] [--require-native] [--stdio]
conduit build app.py [-o DIR] [--mcpb] [--systemd] [--docker] [--kubernetes] [--nginx N]
conduit install claude-desktop|cursor|claude-code BINARY [--name NAME] [--config FILE] [--print]
conduit bench URL [--tool T] [--args JSON] [--requests N] [--connections C] [--duration S] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .app import Conduit
from .errors import ConduitError
from .export import export_app
from .export.bundle import write_mcpb
from .export.clients import CLIENTS, install_entry
from .export.deploy import write_docker, write_kubernetes, write_nginx, write_systemd
from .loader import load_app
from .serving import run_forever, serve_stdio
from .settings import BACKENDS, ServerSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="conduit", description="Serve typed Python tools as a native MCP server.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="compile the app and serve it until Ctrl-C")
    serve.add_argument("app", help="FILE[:ATTR], the Python file that defines `app = Conduit(...)`")
    serve.add_argument("--host", help="address to bind (default: the app's, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default: the app's, 8080)")
    serve.add_argument("--backend", choices=BACKENDS, help="native (Codon, the default) or python (the MCP SDK)")
    serve.add_argument(
        "--require-native",
        action="store_true",
        help="fail if any tool would run in CPython (as Conduit(..., native='require') does)",
    )
    serve.add_argument("--stdio", action="store_true", help="speak MCP on stdin/stdout (for desktop clients)")
    build = commands.add_parser("build", help="export the app: a folder that runs without Python, and its .tar.gz")
    build.add_argument("app", help="FILE[:ATTR], the Python file that defines `app = Conduit(...)`")
    build.add_argument("-o", "--out", default="dist", help="where to write <name>/ and <name>.tar.gz (default dist)")
    build.add_argument("--host", help="the address the binary binds by default (default: the app's)")
    build.add_argument("--port", type=int, help="the port the binary binds by default (default: the app's)")
    build.add_argument("--mcpb", action="store_true", help="also write <name>.mcpb, an MCP Bundle for desktop clients")
    build.add_argument("--systemd", action="store_true", help="also write a socket-activated systemd service")
    build.add_argument("--docker", action="store_true", help="also write a Dockerfile for the folder")
    build.add_argument("--kubernetes", action="store_true", help="also write Deployment, Service and autoscaler")
    build.add_argument("--nginx", type=int, metavar="N", help="also write an nginx config balancing N replicas")
    install = commands.add_parser("install", help="add an exported server to a desktop MCP client's configuration")
    install.add_argument("client", choices=CLIENTS, help="the client whose configuration to change")
    install.add_argument("binary", help="the exported binary (dist/<name>/bin/<name>) or its folder")
    install.add_argument("--name", help="the server's name in the client (default: the binary's)")
    install.add_argument("--config", help="the configuration file to change (default: the client's own)")
    install.add_argument("--print", action="store_true", help="print the entry instead of writing it")
    bench = commands.add_parser("bench", help="put load on a running MCP server and print its latency percentiles")
    bench.add_argument("url", help="the server's MCP endpoint, e.g. http://127.0.0.1:8080/mcp")
    bench.add_argument("--tool", help="the tool to call (default: measure tools/list)")
    bench.add_argument(
        "--args", type=json.loads, default={}, help='the tool\'s arguments as JSON, e.g. \'{"city": "Paris"}\''
    )
    bench.add_argument("--requests", type=int, default=10_000, help="requests in all (default 10000)")
    bench.add_argument("--connections", type=int, default=50, help="keep-alive connections (default 50)")
    bench.add_argument("--duration", type=float, help="run for this many seconds instead of a request count")
    bench.add_argument("--threads", type=int, default=1, help="load generator threads (default 1)")
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    try:
        if args.command == "bench":
            return _bench(args)
        if args.command == "install":
            print(install_entry(args.client, Path(args.binary), args.name, args.config, print_only=args.print))
            return 0
        app = load_app(args.app)
        settings = app.settings.with_address(args.host, args.port)
        if args.command == "build":
            return _build(app, settings, args)
        if args.require_native:
            app.native = "require"
        if args.stdio:
            serve_stdio(app, args.backend or app.backend, app_spec=args.app)
        else:
            run_forever(app, settings, args.backend or app.backend, out=sys.stderr, app_spec=args.app)
    except ConduitError as exc:
        print(f"conduit: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _build(app: Conduit, settings: ServerSettings, args: argparse.Namespace) -> int:
    out = Path(args.out)
    exported = export_app(app, out, settings)
    written = [exported.directory, exported.archive]
    if args.mcpb:
        written.append(write_mcpb(exported, app, out))
    if args.systemd:
        written += write_systemd(exported, out)
    if args.docker:
        written += write_docker(exported, out)
    if args.kubernetes:
        written += write_kubernetes(exported, out)
    if args.nginx:
        written += write_nginx(exported, out, args.nginx)
    mb = 1024 * 1024
    print(
        f"exported {exported.name}: {len(exported.tools)} tools, folder {exported.size / mb:.1f} MB, "
        f"archive {exported.archive_size / mb:.1f} MB"
    )
    print(f"  runtime: {exported.runtime_note}")
    for path in written:
        print(f"  {path}")
    print(f"run it: {exported.binary} [--host H] [--port P] [--stdio]")
    return 0


def _bench(args: argparse.Namespace) -> int:
    try:
        from . import bench
    except ImportError as exc:
        print(f"conduit: error: conduit bench needs {exc.name}: pip install numpy matplotlib", file=sys.stderr)
        return 1
    if not isinstance(args.args, dict):
        print("conduit: error: --args must be a JSON object", file=sys.stderr)
        return 2
    result = bench.run(
        args.url,
        args.tool,
        args.args,
        requests=args.requests,
        connections=args.connections,
        duration=args.duration,
        threads=args.threads,
        label=args.tool or "tools/list",
    )
    print(result.to_json() if args.json else result)
    return 0 if result.requests else 1


if __name__ == "__main__":
    sys.exit(main())
