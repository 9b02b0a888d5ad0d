"""The toolchain: from a generated program to a binary, and from Codon's errors to the user's line.

find_codon(), codon_version(), native_unavailable_reason()   where Codon is (.codon)
build(program, ...) -> Build, is_cached(...), cache_key(...)  content-addressed builds (.cache)
diagnostics                                                   Codon's errors mapped back (.diagnostics)
"""

from .cache import DEFAULT_FLAGS, RUNTIME_DIR, Build, build, cache_key, default_cache_dir, is_cached
from .codon import codon_version, find_codon, native_unavailable_reason

__all__ = [
    "DEFAULT_FLAGS",
    "RUNTIME_DIR",
    "Build",
    "build",
    "cache_key",
    "codon_version",
    "default_cache_dir",
    "find_codon",
    "is_cached",
    "native_unavailable_reason",
]
