"""Code generation: from an app to the Codon program that serves it.

    generate(app, settings)        the whole server as one program (conduit.codegen.server)
    generate_split(app, settings)  a core built once plus a tools library per edit (.split)

A `Program` is the text and its `SourceMap` (generated line -> the user's file and line), which
the toolchain uses to report Codon's errors in the user's terms. Tool code is copied with its
whole program (.closure: helpers, classes, constants, imports), rewritten where Codon's meaning
differs from Python's (.rewrite, .literals, .unparse), each tool given its engine, native or
CPython (.user_code); dispatch is by minimal perfect hashes fixed at build time (.phf), HTTP routes
by a generated segment matcher (.routes), arguments by typed decoders (.decoders).
"""

from .program import Program, SourceLine, SourceMap
from .server import JSONRPC_METHODS, analyze_app, generate
from .split import SplitProgram, generate_split
from .user_code import Engine, UserCode

__all__ = [
    "JSONRPC_METHODS",
    "Engine",
    "Program",
    "SourceLine",
    "SourceMap",
    "SplitProgram",
    "UserCode",
    "analyze_app",
    "generate",
    "generate_split",
]
