"""The package reads as its pipeline: each module imports only from its own stage or earlier ones.

    app model -> codegen -> toolchain -> serving -> python backend -> bench -> notebook -> cli

Imports under `if TYPE_CHECKING:` are annotations only and not counted. A few imports inside
functions go to a later stage on purpose; they are listed in LATE_IMPORTS with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "conduit"

STAGES = {
    "app model": (
        "conduit",
        "conduit.settings",
        "conduit.errors",
        "conduit.docstrings",
        "conduit.typespec",
        "conduit.tools",
        "conduit.reporting",
        "conduit.routing",
        "conduit.web",
        "conduit.app",
        "conduit.loader",
        "conduit.client",
    ),
    "codegen": ("conduit.codegen",),
    "toolchain": ("conduit.toolchain",),
    "serving": ("conduit.serving",),
    "python backend": ("conduit.python_backend",),
    "bench": ("conduit.bench",),
    "export": ("conduit.export",),
    "notebook": ("conduit.notebook",),
    "cli": ("conduit.cli",),
}
ORDER = list(STAGES)

LATE_IMPORTS = {
    # `app.serve()` / `app.run()`: the app serving itself is the public API's one-liner.
    ("conduit.app", "conduit.serving"),
    # `%load_ext conduit`: the magics are imported only when IPython asks for them.
    ("conduit", "conduit_magics"),
}

MAX_LINES = 600  # a module past this says why in its header ("Longer than ...")


def module_name(path: Path) -> str:
    parts = list(path.with_suffix("").relative_to(PACKAGE.parent).parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    best = max(
        ((stage, prefix) for stage, prefixes in STAGES.items() for prefix in prefixes if _under(module, prefix)),
        key=lambda found: len(found[1]),
    )
    return best[0]


def _under(module: str, prefix: str) -> bool:
    return module == prefix or (prefix != "conduit" and module.startswith(prefix + "."))


def is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, at module level) for each Conduit import outside `if TYPE_CHECKING:`."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            return
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append((target if is_module(target) else base, top))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, top) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child, top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(ast.parse(path.read_text()), True)
    return [(name, top) for name, top in found if name.split(".")[0] in ("conduit", "conduit_magics")]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_follow_the_pipeline(path: Path) -> None:
    module = module_name(path)
    here = ORDER.index(stage_of(module))
    for target, _ in imports(path):
        if (module, target) in LATE_IMPORTS:
            continue
        assert ORDER.index(stage_of(target)) <= here, (
            f"{module} ({stage_of(module)}) imports {target} ({stage_of(target)}), a later stage"
        )


def test_no_import_cycles() -> None:
    graph = {module_name(p): {t for t, top in imports(p) if top and t != module_name(p)} for p in MODULES}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, "import cycle: " + " -> ".join(visiting[visiting.index(module) :] + [module])
        visiting.append(module)
        for target in graph.get(module, ()):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in graph:
        visit(module)


@pytest.mark.parametrize(
    "path", MODULES + sorted((PACKAGE / "runtime").rglob("*.codon")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_long_modules_say_why(path: Path) -> None:
    text = path.read_text()
    lines = text.count("\n")
    if lines <= MAX_LINES:
        return
    if path.suffix == ".py":
        header = ast.get_docstring(ast.parse(text)) or ""
    else:  # a Codon file's leading comment block
        header = text.split("\n\n", 1)[0]
    assert "Longer than" in header, f"{path.name} has {lines} lines: split it, or say why in its header"
