"""A tool that queries SQLite: Python's sqlite3 in the python backend, the native shim in Codon."""

from conduit import Conduit

app = Conduit("sqlite-test")


@app.tool()
def cheaper_than(db: str, max_price: float) -> dict[str, float]:
    """Products at or under max_price, name -> price."""
    import sqlite3

    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT name, price FROM products WHERE price <= ?", (max_price,)).fetchall()
    conn.close()
    return {str(r[0]): float(r[1]) for r in rows}
