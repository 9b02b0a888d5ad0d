"""Conduit's IPython magics, installed as the `conduit_magics` package; `%load_ext conduit` loads them.

%load_ext conduit

%%conduit_tool
def weather(city: str) -> dict:
    return {"city": city, "temp": 21}

%conduit_call weather city=Paris
"""

from __future__ import annotations

from typing import Any

from .magics import ConduitMagics

__all__ = ["ConduitMagics", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics and their settings (`%config Conduit`); loading twice is harmless."""
    if "ConduitMagics" in ipython.magics_manager.registry:
        return
    magics = ConduitMagics(shell=ipython)
    ipython.register_magics(magics)
    ipython.configurables.append(magics.settings)
    ipython.events.register("pre_run_cell", magics.note_cell)


def unload_ipython_extension(ipython: Any) -> None:
    """Stop the server; `%load_ext conduit` afterwards starts a new session."""
    magics = ipython.magics_manager.registry.pop("ConduitMagics", None)
    if magics is not None:
        ipython.events.unregister("pre_run_cell", magics.note_cell)
        ipython.configurables.remove(magics.settings)
        magics.close()
