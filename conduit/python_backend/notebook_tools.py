"""A notebook's tools in a process of their own: the python backend, or the CPython worker.

The notebook's tools live in the kernel, with the helpers, classes, constants and imports of
earlier cells. A child process cannot import the kernel, so the notebook writes a module
(`write_tools_module`) holding each tool's whole program, as conduit.codegen.closure finds it
for the native build: imports, constants (pickled: a snapshot taken at build time, as the native
server's), classes and functions by their own source, each compiled padded to its cell's line
numbers, so a traceback points where the user wrote the code. `tools_app` rebuilds the app from it.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..app import Conduit
from ..codegen.closure import Definition, whole_program
from ..tools import Source

__all__ = ["backend_argv", "tools_app", "write_tools_module"]

_TYPING_NAMES = ("Any", "Dict", "List", "Literal", "Optional", "Tuple", "Union")


def write_tools_module(app: Conduit, module: Path) -> str:
    """Write the tools' whole programs to `module`; returns the FILE:ATTR spec that loads the app."""
    whole = whole_program({t.name: (t.fn, t.source) for t in app})
    definitions = []
    constants: dict[str, Any] = {}
    for definition in _ordered(whole.definitions.values()):
        if definition.kind == "constant":
            try:
                pickle.dumps(definition.value)
            except Exception:  # an unpicklable snapshot: the tools that use it fail with a NameError
                continue
            constants[definition.emitted_name] = definition.value
            continue
        if definition.kind != "import" and definition.source is None:
            continue  # no source to rebuild it from (made by exec): the tools that use it fail with a NameError
        definitions.append(_spec(definition))
    tools = [
        {
            "name": tool.name,
            "function": whole.definitions[whole.tools[tool.name]].emitted_name,
            "title": tool.title,
            "description": tool.description,
            "annotations": dict(tool.annotations) or None,
            "native": tool.native,
        }
        for tool in app
    ]
    module.with_suffix(".pickle").write_bytes(pickle.dumps(constants))
    module.write_text(
        '"""The notebook\'s tools, for a process of their own; written by conduit.notebook."""\n\n'
        "from conduit.python_backend.notebook_tools import tools_app\n\n"
        f"app = tools_app({app.name!r}, {definitions!r}, {tools!r}, {str(module.with_suffix('.pickle'))!r})\n"
    )
    return f"{module}:app"


def backend_argv(app: Conduit, module: Path) -> list[str]:
    """Write the tools module and return the argv that serves it with the SDK (the python backend)."""
    return [sys.executable, "-m", "conduit.python_backend", write_tools_module(app, module)]


def _ordered(definitions: Sequence[Definition] | Any) -> list[Definition]:
    order = {"import": 0, "constant": 1, "class": 2, "function": 3, "tool": 3}
    return sorted(definitions, key=lambda d: order[d.kind])


def _spec(definition: Definition) -> dict[str, Any]:
    if definition.kind == "import":
        return {
            "kind": "import",
            "module": definition.module,
            "attribute": definition.attribute,
            "as": definition.emitted_name,
        }
    source = definition.source
    assert source is not None
    return {
        "kind": definition.kind,
        "name": definition.emitted_name,
        "source": source.text,
        "filename": source.filename,
        "first_line": source.first_line,
    }


def tools_app(
    name: str, definitions: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]], constants: str
) -> Conduit:
    """Rebuild a notebook's app: every definition run into one namespace, then its tools."""
    import importlib
    import typing

    namespace: dict[str, Any] = {n: getattr(typing, n) for n in _TYPING_NAMES}
    namespace["__name__"] = "__conduit_notebook__"
    namespace.update(pickle.loads(Path(constants).read_bytes()))
    sources: dict[str, Source] = {}
    for spec in definitions:
        if spec["kind"] == "import":
            module = importlib.import_module(spec["module"])
            namespace[spec["as"]] = getattr(module, spec["attribute"]) if spec["attribute"] else module
            continue
        # Pad to the cell's own line numbers, so tracebacks point where the user wrote the code.
        code = "\n" * (spec["first_line"] - 1) + spec["source"]
        exec(compile(code, spec["filename"], "exec"), namespace)
        sources[spec["name"]] = Source(spec["source"], spec["filename"], spec["first_line"])
    app = Conduit(name, backend="python")
    for tool in tools:
        app.add_tool(
            namespace[tool["function"]],
            name=tool["name"],
            title=tool["title"],
            description=tool["description"],
            annotations=tool["annotations"],
            source=sources.get(tool["function"]),
            native=tool["native"],
        )
    return app
