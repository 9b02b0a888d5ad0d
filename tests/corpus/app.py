"""The corpus app: every tool of every corpus module, registered on one app.

Load it with `conduit.loader.load_app("tests/corpus/app.py")` (which puts this folder on
sys.path, so the modules import by their plain names), or serve it: `conduit serve
tests/corpus/app.py --backend python`. The tools stay defined in their own modules, with their
helpers, classes and constants at module level there: compiling a tool means compiling the
module-level code it references.

A tool whose signature Conduit cannot register yet (today: `-> tuple[int, str]`, `-> list[dict]`,
`-> dict[str, Any]`) is listed in UNREGISTERED with Conduit's reason, instead of failing the load;
it is still a corpus tool, with cases, and registers as soon as Conduit accepts its signature.
"""

import inspect
from types import ModuleType

import bigints
import classes
import collections_
import constants
import database
import dates
import dict_order
import errors
import formatting
import helpers
import io_tools
import iteration
import maths
import nested
import patterns
import python_only
import seeded
import stats
import text
import unicode_text

from conduit import Conduit
from conduit.errors import ToolDefinitionError

MODULES: tuple[ModuleType, ...] = (
    text,
    patterns,
    maths,
    stats,
    dates,
    collections_,
    classes,
    helpers,
    constants,
    nested,
    errors,
    formatting,
    unicode_text,
    bigints,
    dict_order,
    seeded,
    io_tools,
    database,
    iteration,
    python_only,
)

app = Conduit("corpus")

# tool name -> the module that defines it (a short name such as "text")
TOOL_MODULES: dict[str, str] = {}
# tool name -> why Conduit refused to register it today
UNREGISTERED: dict[str, str] = {}
# tool name -> the function, registered or not
FUNCTIONS = {}


def tools_of(module: ModuleType) -> list:
    """The module's tools: its public functions defined in it (not imported), in source order."""
    return [
        value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == module.__name__
    ]


for module in MODULES:
    for fn in tools_of(module):
        TOOL_MODULES[fn.__name__] = module.__name__
        FUNCTIONS[fn.__name__] = fn
        try:
            app.add_tool(fn)
        except ToolDefinitionError as exc:
            UNREGISTERED[fn.__name__] = str(exc)


if __name__ == "__main__":
    app.run()
