"""The native `sqlite3` shim (conduit/runtime/shims/sqlite3.codon): Python's API over libsqlite3.

The build copies shims beside the program, so `import sqlite3` in tool code means Python's module
in the notebook and the shim in the native server; rows come back as lists of str.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from conduit import toolchain
from conftest import APPS, serve_app

PROGRAM = """\
import sys
import sqlite3

conn = sqlite3.connect(sys.argv[1])
query = "SELECT name, price, qty FROM p WHERE price <= ? AND name != ? ORDER BY name"
print(conn.execute(query, (2.0, "plum")).fetchall())
print(conn.execute("SELECT qty FROM p WHERE name = ?", ("pear",)).fetchone())
print(conn.execute("SELECT qty FROM p WHERE name = ?", ("none",)).fetchone())
print(conn.execute("UPDATE p SET qty = ? WHERE name = ?", (5, "apple")).rowcount)
print(conn.execute("SELECT qty FROM p WHERE name = 'apple'").fetchall())
try:
    conn.execute("SELECT nope FROM p")
except sqlite3.Error as e:
    print("error:", e)
conn.close()
"""


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE products (name TEXT, price REAL)")
        db.execute("CREATE TABLE p (name TEXT, price REAL, qty INTEGER)")
        rows = [("apple", 1.5, 3), ("pear", 2.25, None), ("plum", 0.75, 10), ("fig", 2.0, 1)]
        db.executemany("INSERT INTO p VALUES (?, ?, ?)", rows)
        db.executemany("INSERT INTO products VALUES (?, ?)", [(n, p) for n, p, _ in rows])
    db.close()
    return path


def test_the_shim_speaks_pythons_api(build_codon, database):
    binary = build_codon(PROGRAM, "sqlite_probe")
    out = subprocess.run([str(binary), str(database)], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "[['apple', '1.5', '3'], ['fig', '2.0', '1']]",  # values as str, in SQLite's own text form
        "['']",  # NULL is ""
        "None",
        "1",
        "[['5']]",
        "error: prepare: no such column: nope",
    ]


def test_shims_are_copied_beside_the_program(build_codon):
    binary = build_codon(PROGRAM, "sqlite_probe")
    assert (binary.parent / "sqlite3.codon").read_text() == (
        toolchain.RUNTIME_DIR / "shims" / "sqlite3.codon"
    ).read_text()


@pytest.mark.parametrize("backend", ["native", "python"])
def test_a_tool_queries_sqlite_in_both_backends(build_codon, database, backend):
    for server in serve_app(APPS / "sqlite_app.py", backend):
        call = {"name": "cheaper_than", "arguments": {"db": str(database), "max_price": 2.0}}
        reply = httpx.post(
            server.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call},
            headers={"Accept": "application/json, text/event-stream"},
        )
        assert reply.json()["result"]["structuredContent"] == {"apple": 1.5, "plum": 0.75, "fig": 2.0}
