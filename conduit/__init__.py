"""Conduit: typed Python functions served as a native MCP server, compiled with Codon.

from conduit import Conduit

app = Conduit("weather-demo")

@app.tool()
def weather(city: str) -> dict:
    return {"city": city, "temp": 21}

app.run()
"""

from .app import Conduit, ServerSettings
from .errors import (
    BuildError,
    CodonNotFoundError,
    ConduitError,
    ServerError,
    ServerStartError,
    ToolchainError,
    ToolDefinitionError,
    UnsupportedCodeError,
)
from .tools import Tool

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "CodonNotFoundError",
    "Conduit",
    "ConduitError",
    "ServerError",
    "ServerSettings",
    "ServerStartError",
    "Tool",
    "ToolDefinitionError",
    "ToolchainError",
    "UnsupportedCodeError",
]
