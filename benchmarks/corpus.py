"""The differential corpus as figures: how many tools are native, why the others run in CPython,
and how many answers differ from CPython's (must be 0).

Serves tests/corpus/app.py natively (one build; minutes on a cold cache), calls every explicit
case of tests/corpus/cases.py on the server and in CPython, and prints:

- native tools / all tools, and / the tools written for modules Codon lacks left out (target >= 90%);
- the CPython tools grouped by reason;
- tools whose every case is native and equal, CPython and equal, or different (each listed).

    python benchmarks/corpus.py [--sample]     # --sample: the suite's 60 tools (tests/corpus/sample_app.py)
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from corpus.cases import CASES  # noqa: E402
from corpus.differential import APP_FILE, SAMPLE_APP_FILE, Tally, served_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", action="store_true", help="the test suite's sample of the corpus")
    app_file = SAMPLE_APP_FILE if parser.parse_args().sample else APP_FILE
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="conduit-corpus-") as work,
        served_corpus(Path(work) / "work", app_file) as corpus,
    ):
        print(f"served in {time.perf_counter() - started:.0f} s")
        tools = list(corpus.app.tools)
        native = [n for n in tools if corpus.engines[n].native]
        by_design = [n for n in tools if corpus.app.tools[n].fn.__module__ == "python_only"]
        print(f"native: {len(native)} / {len(tools)} tools ({len(native) / len(tools):.0%})")
        rest = len(tools) - len(by_design)
        print(
            f"native: {len(native)} / {rest} tools written for modules Codon provides ({len(native) / rest:.0%}, "
            f"target >= 90%; {len(by_design)} use modules it lacks)"
        )
        reasons = collections.Counter(_reason(corpus.engines[n].reason) for n in tools if n not in native)
        print("in CPython, by reason:")
        for reason, count in reasons.most_common():
            print(f"  {count:4d}  {reason}")
        tally = Tally()
        for tool in tools:
            for arguments in CASES.get(tool, []):
                tally.record(tool, corpus.engines[tool], corpus.difference(tool, arguments))
        cases = sum(len(CASES.get(t, [])) for t in tools)
        print(
            f"tools over {cases} cases: native and equal {len(tally.native_equal)}, CPython and equal "
            f"{len(tally.python_equal)}, different {len(tally.different)} (must be 0)"
        )
        for tool, differences in sorted(tally.different.items()):
            print(f"  different: {tool} [{corpus.engines[tool].describe()}]: {differences[0][:200]}")


def _reason(reason: str) -> str:
    """A reason without what varies per tool (names, lines), so alike reasons group."""
    return reason.split(":")[0] + (": " + reason.split(":")[1].strip()[:70] if ":" in reason else "")


if __name__ == "__main__":
    main()
