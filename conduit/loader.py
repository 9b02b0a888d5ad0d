"""Find the `Conduit` app in a Python file (`app.py` or `app.py:attr`), as the CLI and backends need."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from .app import Conduit
from .errors import ConduitError


def load_app(spec: str) -> Conduit:
    """Import FILE (not as __main__, so its `app.run()` guard stays off) and return its app."""
    path_text, _, attr = spec.partition(":")
    path = Path(path_text).resolve()
    if not path.is_file():
        raise ConduitError(f"no such file: {path_text}; pass the Python file that defines your app")
    module_name = f"_conduit_app_{abs(hash(str(path)))}"
    if module_name in sys.modules:
        module = sys.modules[module_name]
    else:
        module_spec = importlib.util.spec_from_file_location(module_name, path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_name] = module
        sys.path.insert(0, str(path.parent))
        try:
            module_spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[module_name]
            raise
    if attr:
        app = getattr(module, attr, None)
        if not isinstance(app, Conduit):
            raise ConduitError(f"{path_text} has no Conduit app named {attr!r}")
        return app
    apps = [value for value in vars(module).values() if isinstance(value, Conduit)]
    if len(apps) != 1:
        found = "none" if not apps else f"{len(apps)}"
        raise ConduitError(f"{path_text} must define exactly one Conduit app (found {found}); name it: {path_text}:app")
    return apps[0]


def app_reference(app: Conduit) -> str:
    """FILE:ATTR of a module-level app, so a child process can load the same app."""
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        for name, value in list(vars(module).items()):
            if value is app:
                return f"{file}:{name}"
    raise ConduitError(
        "the python backend runs the app in its own process and needs it at module level in a file; "
        "define `app = Conduit(...)` at the top level of a .py file"
    )
