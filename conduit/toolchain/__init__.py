"""The toolchain: from a generated program to a binary, and from Codon's errors to the user's line.

find_codon(), codon_version(), native_unavailable_reason()   where Codon is (.codon)
build(program, ...) -> Build, is_cached(...), cache_key(...)  content-addressed builds (.cache)
diagnostics                                                   Codon's errors mapped back (.diagnostics)
"""

from .cache import (
    DEFAULT_FLAGS,
    RUNTIME_DIR,
    Build,
    NotCached,
    build,
    cache_key,
    compiler,
    default_cache_dir,
    is_cached,
)
from .codon import codon_version, find_codon, native_unavailable_reason
from .probe import CellError, probe
from .stdlib import StdlibIndex, stdlib_index

__all__ = [
    "DEFAULT_FLAGS",
    "RUNTIME_DIR",
    "Build",
    "CellError",
    "NotCached",
    "build",
    "cache_key",
    "compiler",
    "codon_version",
    "default_cache_dir",
    "find_codon",
    "is_cached",
    "native_unavailable_reason",
    "probe",
    "StdlibIndex",
    "stdlib_index",
]
