"""An app with every time and size limit short, for tests/test_limits.py (real sockets, real waits)."""

from conduit import Conduit

app = Conduit(
    "limits-test",
    sessions=True,
    head_timeout=1.0,
    body_timeout=1.0,
    idle_timeout=2.0,
    max_connections=12,
    max_sessions=3,
    session_idle_timeout=2.0,
)


@app.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b
