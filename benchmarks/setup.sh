#!/usr/bin/env bash
# Everything the benchmarks run besides Conduit, from the registries only: wrk, nginx and the
# SQLite library from Debian; FastMCP from PyPI into its own virtualenv (it pins its own `mcp`);
# the TypeScript SDK, Express and better-sqlite3 from npm. numpy and matplotlib come with
# `pip install -e '.[dev]'`. Idempotent: run it again to check.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v wrk >/dev/null || { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; } \
    || [ ! -e /usr/include/sqlite3.h ] || ! command -v node >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq wrk nginx-light libsqlite3-dev nodejs npm
fi

fastmcp_venv="$here/peers/fastmcp/.venv"
if [ ! -x "$fastmcp_venv/bin/python" ] || ! "$fastmcp_venv/bin/python" -c "import fastmcp" 2>/dev/null; then
    python3 -m venv "$fastmcp_venv"
    "$fastmcp_venv/bin/pip" install -q fastmcp
fi

if [ ! -d "$here/peers/typescript/node_modules/better-sqlite3" ]; then
    (cd "$here/peers/typescript" && npm install --no-audit --no-fund)
fi
