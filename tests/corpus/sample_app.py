"""The corpus the test suite serves: the first SAMPLE_PER_MODULE tools of every corpus module.

Every category of the corpus is in it (about 60 tools); the whole corpus (app.py, about 200)
costs a cold build of tens of minutes on two cores, most of it Codon's JIT checking each tool
(conduit.codegen.probe), so it runs in `benchmarks/corpus.py` and, with CONDUIT_FULL_CORPUS=1,
in tests/test_corpus.py.
"""

from app import FUNCTIONS, MODULES, UNREGISTERED, tools_of

from conduit import Conduit

SAMPLE_PER_MODULE = 3
# Tools past the first three that showed a native answer differing from CPython's once: kept in
# the sample so the suite shows it if it comes back.
REGRESSIONS = ("tidy_lines", "compound", "most_frequent_letter")

app = Conduit("corpus-sample")

for module in MODULES:
    for fn in [f for f in tools_of(module) if f.__name__ not in UNREGISTERED][:SAMPLE_PER_MODULE]:
        app.add_tool(fn)
for name in REGRESSIONS:
    if name not in app.tools:
        app.add_tool(FUNCTIONS[name])


if __name__ == "__main__":
    app.run()
