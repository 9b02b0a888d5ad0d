"""SQLite: a database file given as argument; create, insert (executemany), query with parameters,
rows as tuples, sqlite3.Row and dicts, aggregates, NULLs, and transactions."""

import sqlite3
from typing import Optional

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    price REAL NOT NULL,
    stock INTEGER DEFAULT 0,
    category TEXT
)
"""


def _fresh(db: str) -> sqlite3.Connection:
    """Open the database and empty the products table (helper shared by every tool here)."""
    conn = sqlite3.connect(db)
    conn.execute(SCHEMA)
    conn.execute("DELETE FROM products")
    return conn


def store_products(db: str, names: list[str], prices: list[float], category: Optional[str] = None) -> list[dict]:
    """Store products (stock = position) and list them as dicts, cheapest first.

    Args:
        db: The SQLite file.
        names: Product names (unique).
        prices: Their prices.
        category: A category for all of them (NULL when omitted).
    """
    conn = _fresh(db)
    with conn:
        conn.executemany(
            "INSERT INTO products (name, price, stock, category) VALUES (?, ?, ?, ?)",
            [(n, p, i, category) for i, (n, p) in enumerate(zip(names, prices))],
        )
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM products ORDER BY price, name").fetchall()
    conn.close()
    return [dict(row) for row in rows]


def price_report(db: str, prices: dict[str, float], max_price: float = 10.0) -> dict:
    """Store name -> price, then report the products at or under max_price and aggregates.

    Args:
        db: The SQLite file.
        prices: Product name -> price.
        max_price: The price limit.
    """
    conn = _fresh(db)
    conn.executemany("INSERT INTO products (name, price) VALUES (?, ?)", prices.items())
    conn.commit()
    cheap = conn.execute("SELECT name, price FROM products WHERE price <= ? ORDER BY name", (max_price,)).fetchall()
    count, total, lowest, highest = conn.execute(
        "SELECT COUNT(*), SUM(price), MIN(price), MAX(price) FROM products"
    ).fetchone()
    conn.close()
    return {
        "cheap": {name: price for name, price in cheap},
        "count": count,
        "total": total,
        "lowest": lowest,
        "highest": highest,
    }


def category_counts(db: str, items: list[str]) -> dict[str, int]:
    """Store "category/name" items and count them per category with GROUP BY.

    Args:
        db: The SQLite file.
        items: Items like "fruit/apple".
    """
    conn = _fresh(db)
    for i, item in enumerate(items):
        category, _, name = item.partition("/")
        conn.execute(
            "INSERT OR REPLACE INTO products (name, price, category) VALUES (?, ?, ?)",
            (name or item, float(i), category if name else None),
        )
    conn.commit()
    rows = conn.execute(
        "SELECT COALESCE(category, '(none)'), COUNT(*) FROM products GROUP BY category ORDER BY COUNT(*) DESC, category"
    ).fetchall()
    conn.close()
    return dict(rows)


def transfer_stock(db: str, source: str, target: str, amount: int) -> dict:
    """Move stock between two products in one transaction; a failure rolls back.

    Args:
        db: The SQLite file.
        source: Product to take from (starts with 10).
        target: Product to give to (starts with 0).
        amount: How much.
    """
    conn = _fresh(db)
    with conn:
        conn.execute("INSERT INTO products (name, price, stock) VALUES (?, 1.0, 10)", (source,))
        conn.execute("INSERT INTO products (name, price, stock) VALUES (?, 1.0, 0)", (target,))
    error = None
    try:
        with conn:
            conn.execute("UPDATE products SET stock = stock + ? WHERE name = ?", (amount, target))
            (left,) = conn.execute(
                "UPDATE products SET stock = stock - ? WHERE name = ? RETURNING stock", (amount, source)
            ).fetchone()
            if left < 0:
                raise ValueError(f"not enough {source}: {left + amount} in stock")
    except ValueError as e:
        error = str(e)
    stock = dict(conn.execute("SELECT name, stock FROM products ORDER BY id"))
    conn.close()
    return {"stock": stock, "error": error}


def run_query(db: str, sql: str) -> list:
    """Run one SQL query on a table of three products and return its rows as lists;
    an SQL error is sqlite3's message.

    Args:
        db: The SQLite file.
        sql: The query, e.g. "SELECT name FROM products WHERE price > 1".
    """
    conn = _fresh(db)
    conn.executemany(
        "INSERT INTO products (name, price, stock, category) VALUES (?, ?, ?, ?)",
        [("apple", 0.5, 10, "fruit"), ("bread", 2.25, 3, None), ("cheese", 7.0, 0, "dairy")],
    )
    try:
        return [list(row) for row in conn.execute(sql).fetchall()]
    finally:
        conn.close()
