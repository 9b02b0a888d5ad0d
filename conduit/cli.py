"""The `conduit` command.

conduit serve app.py [--host H] [--port P] [--backend native|python] [--require-native]
conduit bench URL [--tool T] [--args JSON] [--requests N] [--connections C] [--duration S] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import ConduitError
from .loader import load_app
from .serving import run_forever
from .settings import BACKENDS


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
        app = load_app(args.app)
        if args.require_native:
            app.native = "require"
        settings = app.settings.with_address(args.host, args.port)
        run_forever(app, settings, args.backend or app.backend, out=sys.stderr, app_spec=args.app)
    except ConduitError as exc:
        print(f"conduit: error: {exc}", file=sys.stderr)
        return 1
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
