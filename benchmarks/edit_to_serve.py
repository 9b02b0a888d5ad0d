"""Edit-to-serve: from running a cell that changes one tool's body to the server answering with it.

A notebook of five tools (one `%%conduit_tool` cell each) that share a helper and a constant
from a plain cell before them is driven through the library the magics use
(`conduit.notebook.NotebookSession`), so the figure is the magic's minus IPython's few
microseconds. Three phases:

1. first serve of the five tools (a compile, unless the cache has them);
2. `--edits` times: re-run one cell with a changed body (a fresh constant, so the cache cannot
   answer) and poll the server until a call returns the new value: by default the python
   backend answers it while the native build runs (`NotebookSession(interim=True)`), and the
   native server takes over when built; `--no-interim` waits for the native build, which for
   an edit compiles only the tools library that the cached core loads (conduit.codegen.split);
3. re-run the unchanged notebook in a new session: must cost 0 compiles.

    python benchmarks/edit_to_serve.py [--backend native|python] [--edits 3] [--no-interim]
"""

from __future__ import annotations

import argparse
import linecache
import statistics
import time
import uuid

from conduit.client import call_tool
from conduit.notebook import NotebookSession

# A plain cell: what the tool cells below use from it is compiled with them.
HELPERS = (
    'UNITS = {"c": "celsius", "f": "fahrenheit"}\n\n\ndef label(text: str) -> str:\n    return text.strip().title()\n'
)
TOOLS = [
    'def greet(name: str) -> str:\n    """Say hello."""\n    return "hello " + label(name)\n',
    "def add(a: int, b: int) -> int:\n    return a + b\n",
    "def scale(values: list[float], k: float = 2.0) -> list[float]:\n    return [v * k for v in values]\n",
    'def weather(city: str, unit: str = "c") -> dict:\n    return {"city": label(city), "unit": UNITS[unit]}\n',
]


def edited(version: str) -> str:
    return f"def version() -> str:\n    return label({version!r}).lower()\n"


def run_notebook(session: NotebookSession, last_cell: str) -> dict:
    namespace: dict = {}
    # IPython keeps every cell's text where inspect finds it; so does this "cell"
    linecache.cache["cell[0]"] = (len(HELPERS), None, HELPERS.splitlines(True), "cell[0]")
    exec(compile(HELPERS, "cell[0]", "exec"), namespace)
    for index, cell in enumerate([*TOOLS, last_cell], start=1):
        exec(compile(cell, f"cell[{index}]", "exec"), namespace)
        session.define_cell(f"cell-{index}", cell, namespace, f"cell[{index}]")
    return namespace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["native", "python"], default="native")
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument(
        "--no-interim", action="store_true", help="wait for the native build (no python backend in between)"
    )
    args = parser.parse_args()

    first = edited("v0")
    session = NotebookSession("edit-to-serve", backend=args.backend, interim=not args.no_interim)
    try:
        started = time.perf_counter()
        namespace = run_notebook(session, first)
        status = session.publish().result()
        print(
            f"first serve of 5 tools ({status.backend}): {time.perf_counter() - started:.2f} s, cached={status.cached}"
        )
        engines = session.engines
        print("engines: " + ", ".join(f"{n} {'native' if e.native else 'python'}" for n, e in engines.items()))

        figures = []
        for _ in range(args.edits):
            version = uuid.uuid4().hex[:8]
            cell = edited(version)
            started = time.perf_counter()
            exec(compile(cell, "cell[5]", "exec"), namespace)
            session.define_cell("cell-5", cell, namespace, "cell[5]")
            publication = session.publish()
            while call_tool(status.url, "version", {}, unwrap=True) != version:
                # Every 20 ms, not faster: on 2 cores a 5 ms poll (a fresh HTTP client each time)
                # takes enough CPU from the compile to add ~0.6 s to the very figure it measures.
                time.sleep(0.02)
            figures.append(time.perf_counter() - started)
            session.result(publication)
            print(f"edit-to-serve: {figures[-1]:.2f} s (native server in {time.perf_counter() - started:.2f} s)")
        median, worst = statistics.median(figures), max(figures)
        print(f"edit-to-serve over {len(figures)} edits: median {median:.2f} s, max {worst:.2f} s")
    finally:
        session.close()

    again = NotebookSession("edit-to-serve", backend=args.backend)
    try:
        started = time.perf_counter()
        run_notebook(again, first)
        status = again.publish().result()
        print(f"unchanged notebook re-run: {time.perf_counter() - started:.2f} s, compiles: {status.builds}")
    finally:
        again.close()


if __name__ == "__main__":
    main()
