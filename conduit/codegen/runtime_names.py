"""Names the generated program and the toolchain agree on."""

from __future__ import annotations

__all__ = ["PROGRAM_FILE", "PY"]

PY = "_cp"  # `import conduit_runtime.pysem as _cp` in every generated program
PROGRAM_FILE = "program.codon"  # the generated program's file name in the build directory
