"""Run notebooks top to bottom and save their outputs in place, as nbval then checks them.

    python scripts/run_notebooks.py notebooks/02_how_it_works.ipynb [...]

Run it after a change that alters what a notebook shows (the generated code, a status line).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nbformat.write(notebook, path)
    print(f"ran {path}")


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(str(p) for p in Path("notebooks").glob("*.ipynb")):
        run(Path(name))
