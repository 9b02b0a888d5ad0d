"""The native `sqlite3` shim (conduit/runtime/shims/sqlite3.codon), tested against CPython's sqlite3.

The build copies shims beside the program, so `import sqlite3` in tool code means Python's module
in the notebook and the shim in the native server. The shim must answer as CPython does; the
differential test below is that proof: each scenario is one function body, valid Python and valid
Codon, returning one line; the bodies are compiled once into one Codon program (built once per
session) and run in CPython's sqlite3 too, and every scenario's line must be the same in both.
A second test serves a small app of typical sqlite3 tools with both backends, through codegen's
rewrites, and compares their answers.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
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
except sqlite3.OperationalError as e:
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
        "[('apple', 1.5, 3), ('fig', 2.0, 1)]",  # values keep their SQLite types
        "(None,)",  # NULL is None
        "None",
        "1",
        "[(5,)]",
        "error: no such column: nope",
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


# ---- the differential test ---------------------------------------------------------------------
# (name, body): the body of `def sc_<name>(path)`, `path` a database file of its own. It returns
# one line. Written as tool code is: plain Python that Codon also compiles (a dict display of mixed
# value types is spelt `named(...)`, which is what codegen makes of one: a JSON object).

SCENARIOS = [
    # ---- values keep their SQLite types --------------------------------------------------
    (
        "typed_columns",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, n)")
conn.execute("INSERT INTO t VALUES (1, 2.5, 'x', NULL)")
conn.execute("INSERT INTO t VALUES (-7, 3.0, '', 4)")
return str(conn.execute("SELECT * FROM t").fetchall())
""",
    ),
    (
        "dynamic_typing",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (v)")
conn.execute("INSERT INTO t VALUES (1), (2.5), ('three'), (NULL), ('4'), (x'00ff41')")
return str(conn.execute("SELECT v FROM t").fetchall())
""",
    ),
    (
        "affinity",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT)")
conn.execute("INSERT INTO t VALUES ('12', '3', 45)")
conn.execute("INSERT INTO t VALUES (2.0, 7, 1.5)")
return str(conn.execute("SELECT i, r, s FROM t").fetchall())
""",
    ),
    (
        "big_ints",
        """
conn = sqlite3.connect(path)
row = conn.execute("SELECT 9223372036854775807, -9223372036854775808, 2147483648 * 4").fetchone()
return show(row, row[0] - 1, row[1] + 1, row[2] // 3)
""",
    ),
    (
        "floats",
        """
conn = sqlite3.connect(path)
row = conn.execute("SELECT 0.1, 0.1 + 0.2, 1e16, 1e-7, 2.0, 1.0 / 3, -0.0, 1e308 * 10, -1e308 * 10, 123456789.125").fetchone()
return show(row, dumps(row))
""",
    ),
    (
        "float_params",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x REAL)")
conn.executemany("INSERT INTO t VALUES (?)", [(0.1,), (1.0 / 3,), (1e22,), (5e-324,), (2.0,)])
return show(conn.execute("SELECT x FROM t").fetchall(), dumps(conn.execute("SELECT x FROM t").fetchall()))
""",
    ),
    (
        "unicode_text",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (s TEXT)")
conn.execute("INSERT INTO t VALUES (?)", ("héllo wörld ☃ 😀",))
conn.execute("INSERT INTO t VALUES (?)", ('quote\\' "double" \\\\ tab\\t nl\\n',))
rows = conn.execute("SELECT s FROM t").fetchall()
return show(rows, len(rows[0][0]), len(rows[1][0]), dumps(rows))
""",
    ),
    (
        "null_checks",
        """
conn = sqlite3.connect(path)
row = conn.execute("SELECT NULL, 0, ''").fetchone()
n = row[0]
return show(n is None, n is not None, row[1] is None, n == None, n != None, n == 0, row[1] == 0,
            str(n), bool(n), bool(row[1]), bool(row[2]), repr(n), dumps(row), [v is None for v in row])
""",
    ),
    (
        "conversions",
        """
conn = sqlite3.connect(path)
row = conn.execute("SELECT 42, 2.9, ' 17 ', '1e3', 0.0, '', -3.5").fetchone()
return show(str(row[0]), repr(row[1]), int(row[1]), int(row[2]), float(row[3]), float(row[0]),
            int(row[6]), bool(row[4]), bool(row[5]), repr(row[2]), str(row[2]))
""",
    ),
    (
        "conversion_errors",
        """
conn = sqlite3.connect(path)
row = conn.execute("SELECT 'abc', 'x1'").fetchone()
out = ""
try:
    int(row[0])
except ValueError as e:
    out += str(e) + "; "
try:
    float(row[1])
except ValueError as e:
    out += str(e)
return out
""",
    ),
    (
        "int_arithmetic",
        """
conn = sqlite3.connect(path)
v = conn.execute("SELECT 7").fetchone()[0]
return show(v + 1, v - 10, v * 3, v / 2, v // 2, v % 3, v ** 2, v ** -1, -v, abs(-v), +v,
            v + 0.5, v * 1.5, 2 * v, 10 - v, 1.5 + v, 15 // v, 100 % v, 2 ** v, 1 / v)
""",
    ),
    (
        "float_arithmetic",
        """
conn = sqlite3.connect(path)
v = conn.execute("SELECT 2.5").fetchone()[0]
w = conn.execute("SELECT 4").fetchone()[0]
return show(v + 1, v - w, v * w, w / v, w // v, w % v, v ** 2, -v, abs(-v), v + v, 1 - v, 3 * v, 10 / v)
""",
    ),
    (
        "floor_division_signs",
        """
conn = sqlite3.connect(path)
r = conn.execute("SELECT -7, 2, 7.5, -2, -7.5").fetchone()
return show(r[0] // r[1], r[0] % r[1], r[2] // r[3], r[2] % r[3], r[4] % r[1], r[4] // r[1], -7 // r[1], 7 % r[3])
""",
    ),
    (
        "division_by_zero",
        """
conn = sqlite3.connect(path)
r = conn.execute("SELECT 1, 0, 0.0").fetchone()
out = []
try:
    r[0] / r[1]
except ZeroDivisionError as e:
    out.append(str(e))
try:
    r[0] // r[1]
except ZeroDivisionError as e:
    out.append(str(e))
try:
    r[0] / r[2]
except ZeroDivisionError as e:
    out.append(str(e))
try:
    r[0] % r[2]
except ZeroDivisionError as e:
    out.append(str(e))
return str(out)
""",
    ),
    (
        "text_arithmetic",
        """
conn = sqlite3.connect(path)
r = conn.execute("SELECT 'ab', 3").fetchone()
s = r[0]
return show(s + "!", "<" + s, s * 2, r[1] * "x", 2 * s, s + s, s * r[1])
""",
    ),
    (
        "type_errors",
        """
conn = sqlite3.connect(path)
r = conn.execute("SELECT 'ab', 3, NULL").fetchone()
out = []
try:
    r[0] + r[1]
except TypeError as e:
    out.append(str(e))
try:
    r[0] < r[1]
except TypeError as e:
    out.append(str(e))
try:
    r[1] - r[0]
except TypeError as e:
    out.append(str(e))
try:
    r[1] + "x"
except TypeError as e:
    out.append(str(e))
return str(out)
""",
    ),
    (
        "comparisons",
        """
conn = sqlite3.connect(path)
r = conn.execute("SELECT 1, 1.0, 2.5, 'a', 'b', 9007199254740993").fetchone()
return show(r[0] == 1, r[0] == 1.0, r[0] == r[1], 1 == r[0], r[1] < r[2], r[2] >= 2.5, r[2] > 3,
            r[3] < r[4], r[3] == "a", "b" == r[4], r[3] != "a", r[0] == "1", r[5] == 9007199254740992.0,
            r[5] > 9007199254740992.0, 2 < r[2], r[0] <= r[1], r[3] >= "a")
""",
    ),
    (
        "sorting_values",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (v)")
conn.execute("INSERT INTO t VALUES (3), (1.5), (-2), (10), (2.0)")
vals = [r[0] for r in conn.execute("SELECT v FROM t")]
return show(sorted(vals), max(vals), min(vals), sorted(vals, reverse=True)[0])
""",
    ),
    (
        "hash_and_dict_keys",
        """
conn = sqlite3.connect(path)
rows = conn.execute("SELECT 1, 'a' UNION ALL SELECT 1.0, 'b' UNION ALL SELECT 2, 'c' UNION ALL SELECT 'k', 'd'").fetchall()
d = {}
for r in rows:
    d[r[0]] = r[1]
return show(d, len(d), hash(rows[0][0]) == hash(rows[1][0]))
""",
    ),
    (
        "dict_comprehension",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE p (name TEXT, price REAL)")
conn.executemany("INSERT INTO p VALUES (?, ?)", [("apple", 1.5), ("pear", 2.25), ("fig", 2.0)])
prices = {r[0]: r[1] for r in conn.execute("SELECT name, price FROM p ORDER BY name").fetchall()}
return show(prices, dumps(prices), len(prices))
""",
    ),
    (
        "row_unpacking",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE p (name TEXT, price REAL, qty INTEGER)")
conn.executemany("INSERT INTO p VALUES (?, ?, ?)", [("apple", 1.5, 3), ("pear", 2.25, 2)])
out = ""
total = 0.0
for name, price, qty in conn.execute("SELECT * FROM p"):
    out += name + "=" + str(price * qty) + " "
    total += price * qty
name, price, qty = conn.execute("SELECT * FROM p WHERE name = 'pear'").fetchone()
return show(out, total, name, price, qty)
""",
    ),
    (
        "row_as_tuple",
        """
conn = sqlite3.connect(path)
row = conn.execute("SELECT 1, 'a', 2.5, NULL").fetchone()
return show(len(row), row[-1], row[-2], row[1:], row[:2], list(row), "a" in row, 3 in row,
            row == (1, "a", 2.5, None), row[1:3] == ("a", 2.5), [v for v in row], row.index(2.5), row.count(1))
""",
    ),
    (
        "single_column_rows",
        """
conn = sqlite3.connect(path)
return show(conn.execute("SELECT 1").fetchall(), conn.execute("SELECT 1 WHERE 0").fetchall(),
            conn.execute("SELECT 1 WHERE 0").fetchone())
""",
    ),
    (
        "sorting_rows",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE p (name TEXT, price REAL)")
conn.executemany("INSERT INTO p VALUES (?, ?)", [("b", 2.0), ("a", 3.5), ("b", 1.0), ("c", 0.5)])
rows = conn.execute("SELECT name, price FROM p").fetchall()
return show(sorted(rows), sorted(rows, key=lambda r: r[1]), max(rows, key=lambda r: r[1]), min(rows))
""",
    ),
    (
        "json_of_rows",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT, price REAL, note TEXT)")
conn.executemany("INSERT INTO p (name, price, note) VALUES (?, ?, ?)", [("apple", 1.5, "ok"), ("é\\"x", 2.0, "")])
conn.execute("INSERT INTO p (name, price) VALUES ('nil', 0.1)")
rows = conn.execute("SELECT * FROM p").fetchall()
one = conn.execute("SELECT * FROM p WHERE id = 3").fetchone()
return show(dumps(rows), dumps(one), dumps(rows[0][1]), dumps([r[2] for r in rows]),
            dumps([{"name": r[1], "price": r[2]} for r in rows]))
""",
    ),
    (
        "format_values",
        """
conn = sqlite3.connect(path)
r = conn.execute("SELECT 'ab', 3.14159, 42, NULL").fetchone()
return f"[{r[0]:>5}] [{r[1]:.2f}] [{r[2]:05d}] [{r[2]:.1f}] [{r[3]}] [{r[1]}] {r[0]}"
""",
    ),
    (
        "rounding",
        """
conn = sqlite3.connect(path)
r = conn.execute("SELECT 2.675, 7, 2.5, 1234").fetchone()
return show(round(r[0], 2), round(r[1]), round(r[2]), round(r[0]), round(r[3], -2), round(r[1], 1))
""",
    ),
    (
        "text_methods",
        """
conn = sqlite3.connect(path)
s = conn.execute("SELECT '  Apple,Pear '").fetchone()[0]
return show(s.upper(), s.lower(), s.strip(), s.split(","), s.strip().startswith("Ap"), s.endswith(" "),
            s.replace("p", "P"), len(s), "Pear" in s, s.find("P"), s.strip().split(), s.count("p"))
""",
    ),
    (
        "blob_values",
        """
conn = sqlite3.connect(path)
r = conn.execute("SELECT x'00ff41', x'00ff41', x'', 'b'").fetchone()
return show(r[0], len(r[0]), r[0] == r[1], r[0] == r[3], bool(r[2]), r)
""",
    ),
    (
        "accumulate_float",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
conn.execute("INSERT INTO t VALUES (0.5)")
total = 0.0
for (x,) in conn.execute("SELECT x FROM t"):
    total += x
mean = total / len(conn.execute("SELECT x FROM t").fetchall())
return show(total, mean, ", ".join(str(r[0]) for r in conn.execute("SELECT x FROM t")))
""",
    ),
    # ---- transactions ------------------------------------------------------------------------
    (
        "commit_persists",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
conn.execute("INSERT INTO t VALUES (1)")
before = conn.in_transaction
conn.commit()
after = conn.in_transaction
conn.close()
conn = sqlite3.connect(path)
return show(before, after, conn.execute("SELECT count(*) FROM t").fetchone()[0])
""",
    ),
    (
        "lost_on_close",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
conn.execute("INSERT INTO t VALUES (1)")
conn.commit()
conn.execute("INSERT INTO t VALUES (2)")
conn.execute("UPDATE t SET x = 10 WHERE x = 1")
seen = conn.execute("SELECT x FROM t ORDER BY x").fetchall()
pending = conn.in_transaction
conn.close()
conn = sqlite3.connect(path)
return show(seen, pending, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "rollback",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
conn.execute("INSERT INTO t VALUES (1)")
conn.commit()
conn.execute("DELETE FROM t")
mid = conn.execute("SELECT count(*) FROM t").fetchone()[0]
conn.rollback()
return show(mid, conn.in_transaction, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "implicit_begin_only_for_dml",
        """
conn = sqlite3.connect(path)
a = conn.in_transaction
conn.execute("CREATE TABLE t (x)")
b = conn.in_transaction
conn.execute("SELECT * FROM t").fetchall()
c = conn.in_transaction
conn.execute("  replace INTO t VALUES (1)")
d = conn.in_transaction
conn.commit()
conn.execute("\\n\\tinsert into t values (2)")
e = conn.in_transaction
conn.rollback()
conn.execute("WITH q AS (SELECT 3) INSERT INTO t SELECT * FROM q")
f = conn.in_transaction
return show(a, b, c, d, e, f, conn.total_changes)
""",
    ),
    (
        "autocommit_isolation_none",
        """
conn = sqlite3.connect(path, isolation_level=None)
conn.execute("CREATE TABLE t (x)")
conn.execute("INSERT INTO t VALUES (1)")
level = conn.isolation_level
pending = conn.in_transaction
conn.close()
conn = sqlite3.connect(path)
return show(level, pending, conn.execute("SELECT x FROM t").fetchall(), repr(conn.isolation_level))
""",
    ),
    (
        "isolation_level_setter",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
conn.execute("INSERT INTO t VALUES (1)")
conn.isolation_level = None
pending = conn.in_transaction
conn.execute("INSERT INTO t VALUES (2)")
conn.close()
conn = sqlite3.connect(path, isolation_level="immediate")
level = conn.isolation_level
conn.execute("INSERT INTO t VALUES (3)")
conn.commit()
return show(pending, level, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "explicit_begin",
        """
conn = sqlite3.connect(path, isolation_level=None)
conn.execute("CREATE TABLE t (x)")
conn.execute("BEGIN")
conn.execute("INSERT INTO t VALUES (1)")
a = conn.in_transaction
conn.execute("ROLLBACK")
conn.execute("BEGIN")
conn.execute("INSERT INTO t VALUES (2)")
conn.execute("COMMIT")
return show(a, conn.in_transaction, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "failed_statement_keeps_transaction",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x UNIQUE)")
conn.execute("INSERT INTO t VALUES (1)")
try:
    conn.execute("INSERT INTO t VALUES (1)")
except sqlite3.IntegrityError as e:
    pass
pending = conn.in_transaction
conn.commit()
conn.close()
conn = sqlite3.connect(path)
return show(pending, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    # ---- with conn: ----------------------------------------------------------------------
    (
        "with_commits",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
with conn:
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute("INSERT INTO t VALUES (2)")
pending = conn.in_transaction
conn.close()
conn = sqlite3.connect(path)
return show(pending, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "with_rolls_back_on_sqlite_error",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x UNIQUE)")
conn.execute("INSERT INTO t VALUES (1)")
conn.commit()
message = ""
try:
    with conn:
        conn.execute("INSERT INTO t VALUES (2)")
        conn.execute("INSERT INTO t VALUES (1)")
except sqlite3.IntegrityError as e:
    message = str(e)
return show(message, conn.in_transaction, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "with_rolls_back_on_user_error",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE acct (name TEXT, balance INTEGER)")
conn.executemany("INSERT INTO acct VALUES (?, ?)", [("a", 100), ("b", 0)])
conn.commit()
message = ""
try:
    with conn:
        conn.execute("UPDATE acct SET balance = balance - 150 WHERE name = 'a'")
        conn.execute("UPDATE acct SET balance = balance + 150 WHERE name = 'b'")
        if conn.execute("SELECT balance FROM acct WHERE name = 'a'").fetchone()[0] < 0:
            raise ValueError("insufficient funds")
except ValueError as e:
    message = str(e)
return show(message, conn.execute("SELECT * FROM acct").fetchall())
""",
    ),
    (
        "with_error_caught_inside_then_more",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x UNIQUE)")
skipped = 0
with conn:
    for x in [1, 2, 2, 3]:
        try:
            conn.execute("INSERT INTO t VALUES (?)", (x,))
        except sqlite3.IntegrityError:
            skipped += 1
    conn.execute("INSERT INTO t VALUES (4)")
conn.close()
conn = sqlite3.connect(path)
return show(skipped, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "with_user_error_caught_inside",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
with conn:
    conn.execute("INSERT INTO t VALUES (1)")
    try:
        int("zz")
    except ValueError:
        pass
    conn.execute("INSERT INTO t VALUES (2)")
conn.close()
conn = sqlite3.connect(path)
return str(conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "with_return_inside",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
n = insert_and_return(conn, 5)
conn.close()
conn = sqlite3.connect(path)
return show(n, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "with_break_in_loop",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
for i in range(5):
    with conn:
        conn.execute("INSERT INTO t VALUES (?)", (i,))
        if i == 2:
            break
conn.close()
conn = sqlite3.connect(path)
return str(conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "with_as_connect",
        """
with sqlite3.connect(path) as conn:
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
rows = conn.execute("SELECT x FROM t").fetchall()
with sqlite3.connect(path) as other:
    n = other.execute("SELECT count(*) FROM t").fetchone()[0]
return show(rows, n, conn.in_transaction)
""",
    ),
    (
        "with_error_propagates_out_of_function",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
conn.commit()
message = ""
try:
    insert_then_fail(conn)
except KeyError as e:
    message = str(e)
return show(message, conn.in_transaction, conn.execute("SELECT count(*) FROM t").fetchone()[0])
""",
    ),
    (
        "with_closed_connection",
        """
conn = sqlite3.connect(path)
message = ""
try:
    with conn:
        conn.close()
except sqlite3.ProgrammingError as e:
    message = str(e)
return message
""",
    ),
    # ---- executemany, named parameters -------------------------------------------------
    (
        "executemany",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (a INTEGER, b TEXT)")
cur = conn.executemany("INSERT INTO t VALUES (?, ?)", [(1, "x"), (2, "y"), (3, "z")])
n = cur.rowcount
last = cur.lastrowid
cur2 = conn.executemany("INSERT INTO t VALUES (?, ?)", ((i, str(i)) for i in range(4, 6)))
empty = conn.executemany("INSERT INTO t VALUES (?, ?)", [(0, "")][:0])
upd = conn.executemany("UPDATE t SET b = ? WHERE a = ?", [("one", 1), ("none", 99), ("two", 2)])
return show(n, last, cur2.rowcount, empty.rowcount, upd.rowcount, conn.execute("SELECT * FROM t").fetchall())
""",
    ),
    (
        "executemany_select",
        """
conn = sqlite3.connect(path)
try:
    conn.executemany("SELECT ?", [(1,)])
    return "no error"
except sqlite3.ProgrammingError as e:
    return str(e)
""",
    ),
    (
        "named_parameters",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (name TEXT, qty INTEGER)")
# a dict literal of mixed value types is what codegen turns into a JSON object (literals.py)
conn.execute("INSERT INTO t VALUES (:name, :qty)", named(("name", "apple"), ("qty", 3)))
conn.execute("INSERT INTO t VALUES (@name, $qty)", named(("qty", 5), ("name", "pear")))
conn.executemany("INSERT INTO t VALUES (:n, :q)", [named(("n", "a"), ("q", 1)), named(("n", "b"), ("q", 2.5))])
conn.execute("INSERT INTO t VALUES (?, ?)", named_list("c", None))
row = conn.execute("SELECT name, qty FROM t WHERE name = :who", {"who": "pear", "unused": "x"}).fetchone()
return show(conn.execute("SELECT * FROM t").fetchall(), row)
""",
    ),
    (
        "named_parameter_missing",
        """
conn = sqlite3.connect(path)
try:
    conn.execute("SELECT :a, :b", {"a": 1, "c": 2})
    return "no error"
except sqlite3.ProgrammingError as e:
    return str(e)
""",
    ),
    (
        "named_with_sequence",
        """
conn = sqlite3.connect(path)
return str(conn.execute("SELECT :a, :b", (1, "two")).fetchall())
""",
    ),
    (
        "positional_with_dict",
        """
conn = sqlite3.connect(path)
try:
    conn.execute("SELECT ?", {"a": 1})
    return "no error"
except sqlite3.ProgrammingError as e:
    return str(e)
""",
    ),
    (
        "parameter_count",
        """
conn = sqlite3.connect(path)
out = []
try:
    conn.execute("SELECT ?, ?", (1,))
except sqlite3.ProgrammingError as e:
    out.append(str(e))
try:
    conn.execute("SELECT 1", (1, 2))
except sqlite3.ProgrammingError as e:
    out.append(str(e))
try:
    conn.execute("SELECT ?", ["a", "b"])
except sqlite3.ProgrammingError as e:
    out.append(str(e))
return str(out)
""",
    ),
    (
        "parameter_types",
        """
conn = sqlite3.connect(path)
row = conn.execute("SELECT ?, ?, ?, ?, ?, typeof(?), typeof(?)", (True, False, 3, -1.25, "s", None, 2.0)).fetchone()
lst = conn.execute("SELECT ?, ?", ["a", "b"]).fetchone()
return show(row, lst)
""",
    ),
    (
        "values_as_parameters",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE src (i INTEGER, r REAL, s TEXT, n)")
conn.execute("INSERT INTO src VALUES (1, 2.5, 'x', NULL)")
conn.execute("CREATE TABLE dst (i, r, s, n)")
conn.executemany("INSERT INTO dst VALUES (?, ?, ?, ?)", conn.execute("SELECT * FROM src").fetchall())
row = conn.execute("SELECT * FROM src").fetchone()
again = conn.execute("SELECT typeof(?), typeof(?), typeof(?), typeof(?)", (row[0], row[1], row[2], row[3])).fetchone()
return show(conn.execute("SELECT * FROM dst").fetchall(), again)
""",
    ),
    (
        "empty_statement",
        """
conn = sqlite3.connect(path)
cur = conn.execute("  -- nothing")
out = show(cur.rowcount, cur.lastrowid, cur.description, cur.fetchall())
try:
    conn.executemany("", [(1,)])
except sqlite3.ProgrammingError as e:
    out = out + " | " + str(e)
return out
""",
    ),
    (
        "binding_error_after_begin",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
cur = conn.cursor()
try:
    cur.execute("INSERT INTO t VALUES (?)", (1, 2))
except sqlite3.ProgrammingError as e:
    pass
pending = conn.in_transaction
cur.execute("INSERT INTO t VALUES (?)", (3,))
conn.commit()
return show(pending, cur.rowcount, conn.execute("SELECT x FROM t").fetchall())
""",
    ),
    (
        "isolation_level_values",
        """
a = sqlite3.connect(path, isolation_level="deferred").isolation_level
conn = sqlite3.connect(path)
conn.isolation_level = "Exclusive"
msg = ""
try:
    sqlite3.connect(path, isolation_level="bogus")
except ValueError as e:
    msg = str(e)
return show(a, conn.isolation_level, msg)
""",
    ),
    # ---- cursors -----------------------------------------------------------------------
    (
        "rowcount",
        """
conn = sqlite3.connect(path)
a = conn.execute("CREATE TABLE t (x)").rowcount
b = conn.execute("INSERT INTO t VALUES (1), (2), (3)").rowcount
c = conn.execute("UPDATE t SET x = x + 1 WHERE x > 1").rowcount
d = conn.execute("SELECT * FROM t").rowcount
e = conn.execute("DELETE FROM t WHERE x = 99").rowcount
f = conn.execute("DELETE FROM t").rowcount
cur = conn.cursor()
g = cur.rowcount
try:
    cur.execute("INSERT INTO nope VALUES (1)")
except sqlite3.OperationalError:
    pass
return show(a, b, c, d, e, f, g, cur.rowcount)
""",
    ),
    (
        "lastrowid",
        """
conn = sqlite3.connect(path)
cur = conn.cursor()
a = cur.lastrowid
conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x)")
b = cur.execute("INSERT INTO t (x) VALUES ('a')").lastrowid
c = cur.execute("INSERT INTO t (id, x) VALUES (10, 'b')").lastrowid
d = cur.execute("SELECT * FROM t").lastrowid
e = conn.execute("UPDATE t SET x = 'c'").lastrowid
return show(a, b, c, d, e, conn.cursor().lastrowid)
""",
    ),
    (
        "description",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (id INTEGER, name TEXT)")
cur = conn.execute("SELECT id, name AS label, 1 + 1, id * 2 AS twice FROM t")
names = [d[0] for d in cur.description]
ins = conn.execute("INSERT INTO t VALUES (1, 'a')")
first = cur.description[0]
return show(cur.description, names, len(cur.description), ins.description is None, conn.cursor().description,
            first, len(first), first[1] is None, list(first), dumps([d[0] for d in cur.description]))
""",
    ),
    (
        "cursor_object",
        """
conn = sqlite3.connect(path)
cur = conn.cursor()
same = cur.execute("CREATE TABLE t (x)") is cur
cur.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
cur.execute("SELECT x FROM t ORDER BY x")
first = cur.fetchone()
rest = cur.fetchall()
end = cur.fetchone()
again = cur.fetchall()
return show(same, first, rest, end, again, cur.connection is conn, cur.arraysize)
""",
    ),
    (
        "fetchmany",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x)")
conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(7)])
cur = conn.execute("SELECT x FROM t")
a = cur.fetchmany()
b = cur.fetchmany(2)
cur.arraysize = 3
c = cur.fetchmany()
d = cur.fetchmany(5)
e = cur.fetchmany()
return show(a, b, c, d, e)
""",
    ),
    (
        "iterate_cursor",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE t (x, y)")
conn.executemany("INSERT INTO t VALUES (?, ?)", [(1, "a"), (2, "b")])
out = []
for row in conn.execute("SELECT x, y FROM t"):
    out.append(str(row[0]) + row[1])
cur = conn.execute("SELECT x FROM t")
first = cur.fetchone()
rest = [r for r in cur]
return show(out, first, rest)
""",
    ),
    (
        "total_changes",
        """
conn = sqlite3.connect(path)
a = conn.total_changes
conn.execute("CREATE TABLE t (x)")
conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
conn.execute("UPDATE t SET x = 0")
b = conn.total_changes
conn.execute("DELETE FROM t WHERE x = 0")
return show(a, b, conn.total_changes)
""",
    ),
    (
        "executescript",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE a (x)")
conn.execute("INSERT INTO a VALUES (1)")
pending = conn.in_transaction
cur = conn.executescript('''
    -- a comment
    CREATE TABLE b (y);
    INSERT INTO b VALUES ('one');  /* block */ INSERT INTO b VALUES ('two');
    SELECT * FROM b;
''')
after = conn.in_transaction
conn.close()
conn = sqlite3.connect(path)
return show(pending, after, conn.execute("SELECT * FROM a").fetchall(), conn.execute("SELECT * FROM b").fetchall(), cur.rowcount)
""",
    ),
    (
        "executescript_error",
        """
conn = sqlite3.connect(path)
try:
    conn.executescript("CREATE TABLE a (x); INSERT INTO a VALUES (1); INSERT INTO nope VALUES (2); INSERT INTO a VALUES (3);")
except sqlite3.OperationalError as e:
    return show(str(e), conn.execute("SELECT * FROM a").fetchall(), conn.in_transaction)
return "no error"
""",
    ),
    (
        "one_statement_at_a_time",
        """
conn = sqlite3.connect(path)
out = []
try:
    conn.execute("SELECT 1; SELECT 2")
except sqlite3.ProgrammingError as e:
    out.append(str(e))
out.append(str(conn.execute("SELECT 1;  -- trailing").fetchall()))
out.append(str(conn.execute("SELECT 2; /* c */ ").fetchall()))
return str(out)
""",
    ),
    # ---- errors ------------------------------------------------------------------------
    (
        "operational_errors",
        """
conn = sqlite3.connect(path)
out = []
try:
    conn.execute("SELECT * FROM nope")
except sqlite3.OperationalError as e:
    out.append(str(e) + " " + e.sqlite_errorname + " " + str(e.sqlite_errorcode))
try:
    conn.execute("SELEC 1")
except sqlite3.OperationalError as e:
    out.append(str(e))
try:
    conn.execute("SELECT nope FROM (SELECT 1 AS x)")
except sqlite3.OperationalError as e:
    out.append(str(e))
conn.execute("CREATE TABLE t (x)")
try:
    conn.execute("CREATE TABLE t (x)")
except sqlite3.OperationalError as e:
    out.append(str(e))
try:
    conn.execute("INSERT INTO t VALUES (1, 2)")
except sqlite3.OperationalError as e:
    out.append(str(e))
return str(out)
""",
    ),
    (
        "integrity_errors",
        """
conn = sqlite3.connect(path)
conn.execute("PRAGMA foreign_keys = ON")
conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, n INTEGER CHECK (n > 0))")
conn.execute("CREATE TABLE c (pid INTEGER REFERENCES p(id))")
conn.execute("INSERT INTO p VALUES (1, 'a', 1)")
out = []
for sql in ["INSERT INTO p VALUES (1, 'b', 1)", "INSERT INTO p VALUES (2, 'a', 1)",
            "INSERT INTO p VALUES (3, NULL, 1)", "INSERT INTO p VALUES (4, 'd', 0)",
            "INSERT INTO c VALUES (99)", "INSERT INTO p VALUES ('x', 'e', 1)"]:
    try:
        conn.execute(sql)
        out.append("ok")
    except sqlite3.IntegrityError as e:
        out.append(str(e) + " " + e.sqlite_errorname)
return str(out)
""",
    ),
    (
        "closed_connection",
        """
conn = sqlite3.connect(path)
cur = conn.cursor()
conn.close()
conn.close()
out = []
try:
    conn.execute("SELECT 1")
except sqlite3.ProgrammingError as e:
    out.append(str(e))
try:
    conn.commit()
except sqlite3.ProgrammingError as e:
    out.append(str(e))
try:
    cur.execute("SELECT 1")
except sqlite3.ProgrammingError as e:
    out.append(str(e))
try:
    conn.total_changes
except sqlite3.ProgrammingError as e:
    out.append(str(e))
return str(out)
""",
    ),
    (
        "closed_cursor",
        """
conn = sqlite3.connect(path)
cur = conn.execute("SELECT 1")
cur.close()
try:
    cur.fetchall()
    return "no error"
except sqlite3.ProgrammingError as e:
    return str(e)
""",
    ),
    (
        "connect_error",
        """
try:
    sqlite3.connect(path + "/no/such/dir/x.db")
    return "no error"
except sqlite3.OperationalError as e:
    return show(str(e), e.sqlite_errorcode, e.sqlite_errorname)
""",
    ),
    (
        "error_hierarchy",
        """
conn = sqlite3.connect(path)
try:
    conn.execute("SELECT * FROM nope")
    return "no error"
except sqlite3.OperationalError as e:
    return show(isinstance(e, sqlite3.OperationalError), isinstance(e, sqlite3.DatabaseError),
                isinstance(e, sqlite3.Error), isinstance(e, sqlite3.IntegrityError), isinstance(e, Exception))
""",
    ),
    # ---- sqlite3.Row -------------------------------------------------------------------
    (
        "row_factory",
        """
conn = sqlite3.connect(path)
conn.row_factory = sqlite3.Row
conn.execute("CREATE TABLE p (name TEXT, price REAL)")
conn.execute("INSERT INTO p VALUES ('apple', 1.5)")
row = conn.execute("SELECT name, price AS Cost FROM p").fetchone()
missing = ""
try:
    row["nope"]
except IndexError as e:
    missing = str(e)
return show(row["name"], row["NAME"], row["cost"], row[1], row[-1], row.keys(), len(row), list(row),
            dict(zip(row.keys(), row)), missing, [k + "=" + str(row[k]) for k in row.keys()])
""",
    ),
    (
        "row_factory_on_cursor",
        """
conn = sqlite3.connect(path)
cur = conn.cursor()
cur.row_factory = sqlite3.Row
cur.execute("SELECT 1 AS a, 'x' AS b")
r = cur.fetchone()
plain = conn.execute("SELECT 1 AS a").fetchone()
msg = ""
try:
    plain["a"]
except TypeError as e:
    msg = str(e)
conn.row_factory = sqlite3.Row
conn.row_factory = None
return show(r["b"], r.keys(), plain, msg, conn.execute("SELECT 2").fetchone(), conn.row_factory)
""",
    ),
    (
        "row_factory_equality",
        """
conn = sqlite3.connect(path)
conn.row_factory = sqlite3.Row
a = conn.execute("SELECT 1 AS x, 'y' AS y").fetchone()
b = conn.execute("SELECT 1 AS x, 'y' AS y").fetchone()
c = conn.execute("SELECT 1 AS z, 'y' AS y").fetchone()
return show(a == b, a == c, a != c, hash(a) == hash(b))
""",
    ),
    (
        "dict_of_rows",
        """
conn = sqlite3.connect(path)
conn.execute("CREATE TABLE kv (k TEXT, v)")
conn.executemany("INSERT INTO kv VALUES (?, ?)", [("a", 1), ("b", 2)])
conn.execute("INSERT INTO kv VALUES ('c', 2.5)")
d = dict(conn.execute("SELECT k, v FROM kv"))
e = dict(conn.execute("SELECT v, k FROM kv").fetchall())
msg = ""
try:
    dict(conn.execute("SELECT k, v, 1 FROM kv").fetchall())
except ValueError as err:
    msg = str(err)
conn.row_factory = sqlite3.Row
one = dict(conn.execute("SELECT k AS key, v AS value FROM kv").fetchone())
many = [dict(r) for r in conn.execute("SELECT k, v FROM kv WHERE v > 1").fetchall()]
return show(d, e, msg, one, many, dumps(many))
""",
    ),
    # ---- the module ------------------------------------------------------------------
    (
        "module_attributes",
        """
return show(sqlite3.sqlite_version, sqlite3.paramstyle, sqlite3.apilevel, sqlite3.sqlite_version_info[0],
            sqlite3.complete_statement("SELECT 1;"), sqlite3.complete_statement("SELECT 1"))
""",
    ),
    (
        "memory_database",
        """
conn = sqlite3.connect(":memory:")
conn.execute("CREATE TABLE t (x)")
conn.execute("INSERT INTO t VALUES (42)")
value = conn.execute("SELECT x FROM t").fetchone()[0]
return show(value + 1, int(value) * 2, str(value) + "!", value > 40)
""",
    ),
]

HELPERS = """
def show(*args):
    out = ""
    for a in args:
        if out != "":
            out += " | "
        out += str(a)
    return out


def insert_and_return(conn, x):
    with conn:
        conn.execute("INSERT INTO t VALUES (?)", (x,))
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]


def insert_then_fail(conn):
    d = {"a": 1}
    with conn:
        conn.execute("INSERT INTO t VALUES (1)")
        d["missing"]
"""


_HARNESS = {
    "python": """\
import json
import sys
import sqlite3


def dumps(x):
    return json.dumps(x, separators=(",", ":"))


def named(*pairs):
    return dict(pairs)


def named_list(*items):
    return list(items)
""",
    # the runtime's JSON writer, as a tool's result is written; JsonDict/JsonList are what codegen
    # builds for a dict or list display whose values differ in type
    "native": """\
import sys
import sqlite3
from conduit_runtime.json_write import to_json
from conduit_runtime.jsonbuild import JsonDict, JsonList


def dumps(x):
    return to_json(x).text


def named(*pairs):
    d = JsonDict()
    for p in pairs:
        d[p[0]] = p[1]
    return to_json(d)


def named_list(*items):
    d = JsonList()
    for p in items:
        d.append(p)
    return to_json(d)
""",
}


def scenario_program(engine: str) -> str:
    """The program that runs every scenario and prints `name: line` for each."""
    parts = [_HARNESS[engine], HELPERS]
    calls = []
    for name, body in SCENARIOS:
        parts.append(f"def sc_{name}(path):\n" + textwrap.indent(body.strip("\n"), "    ") + "\n")
        calls.append(
            f"    try:\n        print({name!r} + ': ' + sc_{name}(d + '/{name}.db'))\n"
            f"    except:\n        print({name!r} + ': <raised>')"
        )
    parts.append("def main():\n    d = sys.argv[1]\n" + "\n".join(calls) + "\n\n\nmain()\n")
    return "\n\n".join(parts)


def _lines(argv: list[str]) -> dict[str, str]:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    answers = {}
    for line in proc.stdout.splitlines():
        name, _, answer = line.partition(": ")
        answers[name] = answer
    return answers


@pytest.fixture(scope="session")
def scenario_answers(build_codon, tmp_path_factory) -> tuple[dict[str, str], dict[str, str]]:
    """Every scenario's line from CPython's sqlite3 and from the native shim (built once)."""
    binary = build_codon(scenario_program("native"), "sqlite_differential")
    script = tmp_path_factory.mktemp("cpython") / "scenarios.py"
    script.write_text(scenario_program("python"))
    python = _lines([sys.executable, str(script), str(tmp_path_factory.mktemp("cpython_db"))])
    native = _lines([str(binary), str(tmp_path_factory.mktemp("native_db"))])
    return python, native


def test_the_scenarios_are_distinct():
    names = [name for name, _ in SCENARIOS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", [name for name, _ in SCENARIOS])
def test_the_shim_answers_as_cpython(scenario_answers, name):
    python, native = scenario_answers
    assert python[name] != "<raised>", f"the scenario itself fails in CPython: {name}"
    assert native.get(name) == python[name]


# ---- tools, through codegen, in both backends --------------------------------------------------

TOOLS_APP = """\
'''Tools that use sqlite3 as Python developers write them.'''
import sqlite3

from conduit import Conduit

app = Conduit("sqlite-typed")


def _open(db: str) -> sqlite3.Connection:
    return sqlite3.connect(db)


@app.tool()
def setup(db: str) -> str:
    '''Create the tables.'''
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, price REAL, qty INTEGER, note TEXT);"
        "DELETE FROM items;"
    )
    conn.executemany(
        "INSERT INTO items (name, price, qty, note) VALUES (?, ?, ?, ?)",
        [("apple", 1.5, 3, "red"), ("pear", 2.25, 0, "green"), ("fig", 2.0, 7, "")],
    )
    conn.commit()
    conn.close()
    return "ok"


@app.tool()
def add_item(db: str, name: str, price: float, qty: int) -> str:
    '''Insert an item; a duplicate name is reported, not raised.'''
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("INSERT INTO items (name, price, qty) VALUES (?, ?, ?)", (name, price, qty))
    except sqlite3.IntegrityError:
        return "duplicate"
    return "added"


@app.tool()
def restock(db: str, name: str, amount: int) -> str:
    '''Add stock, refusing to go negative (the update is rolled back).'''
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("UPDATE items SET qty = qty + ? WHERE name = ?", (amount, name))
            row = conn.execute("SELECT qty FROM items WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise KeyError(name)
            if row[0] < 0:
                raise ValueError("negative stock")
    except ValueError:
        return "refused"
    except KeyError:
        return "unknown"
    return "restocked"


@app.tool()
def items(db: str) -> list:
    '''All items as rows.'''
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, name, price, qty, note FROM items ORDER BY id").fetchall()
    conn.close()
    return rows


@app.tool()
def prices(db: str) -> dict:
    '''name -> price.'''
    conn = sqlite3.connect(db)
    return {name: price for name, price in conn.execute("SELECT name, price FROM items ORDER BY name")}


@app.tool()
def report(db: str, limit: float) -> dict:
    '''A summary built from typed values.'''
    conn = _open(db)
    total = 0.0
    names = []
    for name, price, qty in conn.execute("SELECT name, price, qty FROM items WHERE price <= ? ORDER BY name", (limit,)):
        total += price * qty
        names.append(name.upper())
    count = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    cheapest = conn.execute("SELECT name, price FROM items ORDER BY price LIMIT 1").fetchone()
    return {"total": total, "names": names, "count": count, "cheapest": cheapest[0], "label": f"{cheapest[0]}: {cheapest[1]:.2f}"}


@app.tool()
def records(db: str) -> list:
    '''Rows as dicts, through sqlite3.Row.'''
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    out = []
    for row in conn.execute("SELECT name, qty, note FROM items ORDER BY name"):
        out.append({"name": row["name"], "qty": row["qty"], "in_stock": row["qty"] > 0, "note": row["note"]})
    return out


@app.tool()
def lookup(db: str, name: str) -> dict:
    '''One item by name, or nulls.'''
    conn = sqlite3.connect(db)
    cur = conn.execute("SELECT id, price, note FROM items WHERE name = :name", {"name": name})
    row = cur.fetchone()
    if row is None:
        return {"found": False, "columns": [d[0] for d in cur.description]}
    ident, price, note = row
    return {"found": True, "id": ident, "double": price * 2, "next_id": ident + 1, "note": note, "columns": [d[0] for d in cur.description]}


@app.tool()
def add_strict(db: str, name: str) -> str:
    '''Insert an item; a duplicate name raises.'''
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO items (name, price, qty) VALUES (?, 1.0, 1)", (name,))
    conn.commit()
    return "added"


@app.tool()
def add_reporting(db: str, name: str) -> str:
    '''Insert an item; a duplicate name is reported with sqlite's message.'''
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("INSERT INTO items (name, price, qty) VALUES (?, 1.0, 1)", (name,))
    except sqlite3.IntegrityError as e:
        return "integrity: " + str(e) + " (" + e.sqlite_errorname + ")"
    return "added"


@app.tool()
def query_or_message(db: str, sql: str) -> str:
    '''Run a query; any sqlite3 error, caught by its base class, is reported.'''
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute(sql).fetchall())
    except sqlite3.Error as e:
        return "error: " + str(e)
"""


# (tool, arguments) in order: the database is set up by the first call
TOOL_CALLS = [
    ("setup", {}),
    ("items", {}),
    ("add_item", {"name": "kiwi", "price": 0.5, "qty": 2}),
    ("add_item", {"name": "apple", "price": 9.0, "qty": 1}),
    ("restock", {"name": "pear", "amount": -5}),
    ("restock", {"name": "fig", "amount": 1}),
    ("restock", {"name": "nope", "amount": 1}),
    ("items", {}),
    ("prices", {}),
    ("report", {"limit": 2.1}),
    ("records", {}),
    ("lookup", {"name": "fig"}),
    ("lookup", {"name": "zzz"}),
    ("add_reporting", {"name": "apple"}),
    ("query_or_message", {"sql": "SELECT count(*) FROM items"}),
    ("query_or_message", {"sql": "SELECT * FROM nope"}),
    # last: the failed INSERT leaves its transaction open (as in Python), holding the write lock
    ("add_strict", {"name": "apple"}),
]
# Codon matches `except` by exact type and codegen expands a base class only when it is written as
# a bare name (conduit/codegen/rewrite.py, _Rewriter._handlers): `except sqlite3.Error` does not yet
# catch the subclasses the shim raises.
_NOT_YET = {15: "codegen does not expand `except sqlite3.Error` (an attribute) into its subclasses"}


def _tool_answers(app: Path, backend: str, db: Path) -> list[object]:
    answers = []
    for server in serve_app(app, backend):
        if backend == "native":
            python_run = {n: e.reason for n, e in server.engines.items() if not e.native}  # type: ignore[attr-defined]
            assert python_run == {}, python_run
        for i, (name, arguments) in enumerate(TOOL_CALLS):
            call = {"name": name, "arguments": dict(arguments, db=str(db))}
            reply = httpx.post(
                server.url,
                json={"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": call},
                headers={"Accept": "application/json, text/event-stream"},
                timeout=60,
            )
            result = reply.json()["result"]
            # the answer: structuredContent, or the text of an error (not the envelope's key order)
            texts = [block.get("text") for block in result.get("content", [])]
            answers.append((name, result.get("isError", False), result.get("structuredContent", texts)))
    return answers


@pytest.fixture(scope="module")
def tool_answers(build_codon, tmp_path_factory) -> tuple[list[object], list[object]]:
    """Each TOOL_CALLS answer from the python backend and from the native one (built once)."""
    work = tmp_path_factory.mktemp("sqlite_tools")
    app = work / "sqlite_tools.py"
    app.write_text(TOOLS_APP)
    return _tool_answers(app, "python", work / "python.db"), _tool_answers(app, "native", work / "native.db")


@pytest.mark.parametrize(
    "index",
    [
        pytest.param(i, marks=pytest.mark.xfail(reason=_NOT_YET[i], strict=False)) if i in _NOT_YET else i
        for i in range(len(TOOL_CALLS))
    ],
    ids=[f"{i}-{name}" for i, (name, _) in enumerate(TOOL_CALLS)],
)
def test_sqlite_tools_answer_alike_in_both_backends(tool_answers, index):
    python, native = tool_answers
    assert json.dumps(native[index]) == json.dumps(python[index])
