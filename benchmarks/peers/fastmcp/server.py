"""The benchmark's 5-tool MCP server on FastMCP (PyPI `fastmcp`), stateless, JSON replies.

Runs in its own virtualenv (benchmarks/setup.sh), as FastMCP pins its own `mcp` version.
Usage: python server.py PORT   (data in $BENCH_DATA_DIR)
"""

import os
import sqlite3
import sys

from fastmcp import FastMCP

mcp = FastMCP("bench-5-tools")
TITLES = [
    "Getting started with MCP",
    "Typed tools in Python",
    "Compiling Python with Codon",
    "Benchmarking HTTP servers",
    "Event loops and epoll",
    "SQLite from C",
]


@mcp.tool
def weather(city: str) -> dict:
    """Current weather for a city."""
    return {"city": city, "temp": 21, "conditions": "sunny"}


@mcp.tool
def calculator(op: str, a: float, b: float) -> float:
    """Apply op (add, sub, mul, div) to a and b."""
    ops = {"add": a + b, "sub": a - b, "mul": a * b}
    if op == "div":
        return a / b
    if op not in ops:
        raise ValueError("unknown op: " + op)
    return ops[op]


@mcp.tool
def search(query: str, limit: int = 3) -> list[str]:
    """Titles of the documents whose title contains query (case-insensitive)."""
    return [t for t in TITLES if query.lower() in t.lower()][:limit]


@mcp.tool
def read_file(name: str) -> str:
    """The text of a file in the data directory."""
    if "/" in name or name.startswith("."):
        raise ValueError("name must be a plain file name")
    with open(os.path.join(os.environ["BENCH_DATA_DIR"], name)) as f:
        return f.read()


@mcp.tool
def query_products(max_price: float) -> dict[str, float]:
    """Products at or under max_price, name -> price, from the SQLite database."""
    conn = sqlite3.connect(os.path.join(os.environ["BENCH_DATA_DIR"], "products.db"))
    rows = conn.execute("SELECT name, price FROM products WHERE price <= ? ORDER BY name", (max_price,)).fetchall()
    conn.close()
    return {name: price for name, price in rows}


if __name__ == "__main__":
    mcp.run(
        transport="http",
        host="127.0.0.1",
        port=int(sys.argv[1]),
        stateless_http=True,
        json_response=True,
        show_banner=False,
        log_level="WARNING",
    )
