"""The `conduit` command: `conduit serve app.py [--host H] [--port P] [--backend native|python]`."""

from __future__ import annotations

import argparse
import sys

from .app import BACKENDS
from .errors import ConduitError
from .loader import load_app
from .serving import run_forever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="conduit", description="Serve typed Python tools as a native MCP server.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="compile the app and serve it until Ctrl-C")
    serve.add_argument("app", help="FILE[:ATTR], the Python file that defines `app = Conduit(...)`")
    serve.add_argument("--host", help="address to bind (default: the app's, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default: the app's, 8080)")
    serve.add_argument("--backend", choices=BACKENDS, help="native (Codon, the default) or python (the MCP SDK)")
    args = parser.parse_args(argv)
    try:
        app = load_app(args.app)
        settings = app.settings.with_address(args.host, args.port)
        run_forever(app, settings, args.backend or app.backend, out=sys.stderr, app_spec=args.app)
    except ConduitError as exc:
        print(f"conduit: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
