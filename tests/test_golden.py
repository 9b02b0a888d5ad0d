"""Generated programs, pinned: a change to code generation shows here as a readable diff.

tests/apps/golden_app.py has a tool of every parameter kind and a route; its whole program, and
the notebook's split of its tools (a core and a tools library), are compared with the files in
tests/golden/. After a deliberate change, rewrite them and review the diff:

    CONDUIT_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conduit import Conduit, codegen
from conduit.loader import load_app

HERE = Path(__file__).parent
APP = HERE / "apps" / "golden_app.py"
GOLDEN = HERE / "golden"


def tools_only(app: Conduit) -> Conduit:
    """The app's tools without its routes: the notebook's split serves tools only."""
    copy = Conduit(app.name, version=app.version, instructions=app.instructions)
    for tool in app:
        copy.add_tool(tool.fn, name=tool.name, title=tool.title, description=tool.description, source=tool.source)
    return copy


def programs() -> dict[str, str]:
    app = load_app(str(APP))
    whole = codegen.generate(app).text
    parts = codegen.generate_split(tools_only(app))
    assert parts is not None
    found = {"server.codon": whole, "core.codon": parts.core.text, "tools_lib.codon": parts.tools.text}
    # The app's absolute path appears in comments; pin it as the repository-relative one.
    return {name: text.replace(str(APP), "tests/apps/golden_app.py") for name, text in found.items()}


@pytest.mark.parametrize("name", ["server.codon", "core.codon", "tools_lib.codon"])
def test_generated_program_matches_its_golden_file(name: str) -> None:
    text = programs()[name]
    path = GOLDEN / name
    if os.environ.get("CONDUIT_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"{path} is missing: run with CONDUIT_UPDATE_GOLDEN=1 to write it"
    assert text == path.read_text(), f"{name} changed: review the diff, then CONDUIT_UPDATE_GOLDEN=1 to accept it"


@pytest.mark.native
def test_golden_programs_compile(build_codon) -> None:
    """The pinned text is a real program: the whole server builds (the split is built by test_fast_edits)."""
    assert build_codon(programs()["server.codon"], "golden_server").is_file()
