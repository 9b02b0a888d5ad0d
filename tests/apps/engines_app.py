"""Tools on both engines: native ones, ones CPython runs, and native ones that hand some calls over."""

import json
import os
import time

from conduit import Conduit

app = Conduit("engines-test")

PREFIX = "\u2713 "


@app.tool()
def add(a: int, b: int) -> int:
    """Native: small integers."""
    return a + b


@app.tool()
def power_of_two(n: int) -> int:
    """Native until the answer passes 64 bits; then CPython computes it."""
    return 2**n


@app.tool()
def shout(text: str) -> str:
    """Native for ASCII text; CPython for the rest (Unicode case mapping)."""
    return PREFIX + text.upper()


@app.tool()
def pretty(document: str) -> str:
    """CPython: json is not a Codon module."""
    return json.dumps(json.loads(document), indent=1, sort_keys=True)


@app.tool(native=False)
def slow_python(ms: int) -> int:
    """CPython by choice; sleeps."""
    time.sleep(ms / 1000)
    return ms


@app.tool(native=False)
def kill_worker() -> str:
    """Ends the CPython worker's process, as a crash would."""
    os._exit(3)
