"""The benchmark's 5-tool MCP server, as a Conduit app (served natively and by the python backend).

Every peer under benchmarks/peers/ implements the same tools with the same answers; the data they
read (a text file and a SQLite database) is in $BENCH_DATA_DIR, written by run_benchmarks.py.
"""

from conduit import Conduit

app = Conduit("bench-5-tools")


@app.tool()
def weather(city: str) -> dict:
    """Current weather for a city."""
    return {"city": city, "temp": 21, "conditions": "sunny"}


@app.tool()
def calculator(op: str, a: float, b: float) -> float:
    """Apply op (add, sub, mul, div) to a and b."""
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        return a / b
    raise ValueError("unknown op: " + op)


@app.tool()
def search(query: str, limit: int = 3) -> list[str]:
    """Titles of the documents whose title contains query (case-insensitive)."""
    titles = [
        "Getting started with MCP",
        "Typed tools in Python",
        "Compiling Python with Codon",
        "Benchmarking HTTP servers",
        "Event loops and epoll",
        "SQLite from C",
    ]
    needle = query.lower()
    return [t for t in titles if needle in t.lower()][:limit]


@app.tool()
def read_file(name: str) -> str:
    """The text of a file in the data directory."""
    import os

    if "/" in name or name.startswith("."):
        raise ValueError("name must be a plain file name")
    with open(os.environ["BENCH_DATA_DIR"] + "/" + name) as f:
        return f.read()


@app.tool()
def query_products(max_price: float) -> dict[str, float]:
    """Products at or under max_price, name -> price, from the SQLite database."""
    import os
    import sqlite3

    conn = sqlite3.connect(os.environ["BENCH_DATA_DIR"] + "/products.db")
    rows = conn.execute("SELECT name, price FROM products WHERE price <= ? ORDER BY name", (max_price,)).fetchall()
    conn.close()
    return {str(r[0]): float(r[1]) for r in rows}
