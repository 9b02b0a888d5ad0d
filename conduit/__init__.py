"""Conduit: typed Python functions served as a native MCP server, compiled with Codon.

Example:
    ```python
    from conduit import Conduit

    app = Conduit("weather-demo")

    @app.tool()
    def weather(city: str) -> dict:
        return {"city": city, "temp": 21}

    app.run()   # http://127.0.0.1:8080/mcp
    ```
"""

from .app import Conduit
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
from .reporting import log, progress
from .settings import ServerSettings
from .tools import Tool
from .web import BadRequest, Request, Response

__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:
    """`%load_ext conduit`: the magics live in `conduit_magics`, imported only now, so that
    `import conduit` never imports IPython."""
    from conduit_magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython) -> None:
    from conduit_magics import unload_ipython_extension as unload

    unload(ipython)


__all__ = [
    "BadRequest",
    "BuildError",
    "CodonNotFoundError",
    "Conduit",
    "ConduitError",
    "Request",
    "Response",
    "ServerError",
    "ServerSettings",
    "ServerStartError",
    "Tool",
    "ToolDefinitionError",
    "ToolchainError",
    "UnsupportedCodeError",
    "log",
    "progress",
]
