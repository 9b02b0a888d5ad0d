"""A small app with MCP sessions on (Mcp-Session-Id), for the session tests."""

from conduit import Conduit

app = Conduit("sessions-test", sessions=True)


@app.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b
