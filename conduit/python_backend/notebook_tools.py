"""A notebook's tools in the python backend's own process: rebuilt from their sources, not pickled.

The notebook writes a small module (`write_tools_module`) naming each tool's source, file and
first line; the backend's process imports it and `tools_app` runs each source in a namespace of
its own, padded to the cell's line numbers, so a traceback points where the user wrote the code.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..app import Conduit
from ..tools import Source

__all__ = ["backend_argv", "tools_app"]

_TYPING_NAMES = ("Dict", "List", "Literal", "Optional", "Tuple")


def backend_argv(app: Conduit, module: Path) -> list[str]:
    """Write the tools' own sources to `module` and return the argv that serves them with the SDK.

    The child sees what the native server sees: the tools' sources, not the notebook's objects.
    """
    specs = [
        {
            "name": tool.name,
            "source": tool.source.text,
            "filename": tool.source.filename,
            "first_line": tool.source.first_line,
            "function": tool.fn.__name__,
            "title": tool.title,
            "description": tool.description,
            "annotations": dict(tool.annotations) or None,
        }
        for tool in app
    ]
    module.write_text(
        '"""The notebook\'s tools for the python backend; written by conduit.notebook.session."""\n\n'
        "from conduit.python_backend.notebook_tools import tools_app\n\n"
        f"app = tools_app({app.name!r}, {specs!r})\n"
    )
    return [sys.executable, "-m", "conduit.python_backend", f"{module}:app"]


def tools_app(name: str, specs: Sequence[Mapping[str, Any]]) -> Conduit:
    """Rebuild a notebook's app from its tools' sources, each run in a namespace of its own."""
    import typing

    app = Conduit(name, backend="python")
    for spec in specs:
        namespace: dict[str, Any] = {n: getattr(typing, n) for n in _TYPING_NAMES}
        # Pad to the cell's own line numbers, so tracebacks point where the user wrote the code.
        code = "\n" * (spec["first_line"] - 1) + spec["source"]
        exec(compile(code, spec["filename"], "exec"), namespace)
        source = Source(spec["source"], spec["filename"], spec["first_line"])
        app.add_tool(
            namespace[spec["function"]],
            name=spec["name"],
            title=spec["title"],
            description=spec["description"],
            annotations=spec["annotations"],
            source=source,
        )
    return app
