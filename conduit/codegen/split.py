"""Split programs for fast edits: a core built once, and the tools as a library rebuilt per edit.

A full program (conduit.codegen) takes a whole compile for any change. For the notebook, the
server is cut in two along the tools/call boundary:

- the tools library: the user's functions, their decoders and `_call_N` wrappers (the same text
  the full program has), the tool perfect hash and the tools/list bytes, exported through the C
  ABI that conduit/runtime/tools_lib.codon documents; built with `codon build -lib`;
- the core: the protocol runtime, the method table and the app's settings, with a `_CApp` whose
  tools come from the library named on its command line (`core TOOLS.so`). It depends on no tool, so one build
  serves every edit of a notebook.

Apps with routes keep the full program: routes call the user's functions directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import phf
from .program import Program, Writer
from .server import (
    JSONRPC_METHODS,
    analyze_app,
    call_timeout_ms,
    emit_config,
    emit_handler_and_serve,
    emit_imports,
    emit_tools,
)
from .user_code import PATH_CODES, UserCode

if TYPE_CHECKING:
    from ..app import Conduit
    from ..settings import ServerSettings

# `-lib` needs position-independent code to link as a shared object. Not `-release`: on this
# project's 2-core box the 5-tool benchmark library builds in 2.5-2.6 s without it and in
# 4.0-4.6 s with it (LLVM's optimizer is most of a small program's compile), which is the whole
# edit-to-serve budget. Only the tools run unoptimized; the core, which parses and serves, is a
# release build. `-numerics=py` as everywhere (toolchain.DEFAULT_FLAGS).
LIB_FLAGS: tuple[str, ...] = ("-numerics=py", "-lib", "-relocation-model=pic")
LIB_NAME = "tools.so"
ABI_VERSION = 2  # runtime/tools_lib.codon's; a core refuses a library of another version
CORE_NAME = "core"


@dataclass(frozen=True)
class SplitProgram:
    """An app as a core (built once per app settings) and its tools library (built per edit)."""

    core: Program
    tools: Program


def generate_split(
    app: Conduit, settings: ServerSettings | None = None, code: UserCode | None = None
) -> SplitProgram | None:
    """Both programs, or None for an app the split cannot serve (routes need the full program)."""
    if len(app.routes):
        return None
    return SplitProgram(generate_core(app, settings), generate_tools_lib(app, code, settings))


def generate_tools_lib(app: Conduit, code: UserCode | None = None, settings: ServerSettings | None = None) -> Program:
    """The tools of `app` as a library exporting the tools ABI (`settings`: for the call time limits)."""
    settings = settings or app.settings
    code = code or analyze_app(app)
    tools = list(app)
    w = Writer()
    w.emit(f"# Conduit: the tools library of app {app.name!r} ({len(tools)} tool(s)), loaded by its core.")
    w.emit("# Written by conduit.codegen.split on every build; edit the Python tools, not this file.")
    emit_imports(w, server=False)
    w.emit()
    emit_tools(w, code, tools)
    tools_json = json.dumps([t.definition() for t in tools], separators=(",", ":"))
    paths = "".join(f"{PATH_CODES[code.path(t)]} {call_timeout_ms(t, settings)} {t.name}\n" for t in tools)
    # JSON escaping is a valid Codon string literal (as in codegen).
    exports = _EXPORTS.replace("$TOOLS_JSON", json.dumps(tools_json)).replace("$ABI_VERSION", str(ABI_VERSION))
    w.emit(exports.replace("$PATHS", json.dumps(paths)))
    return w.program(code.engines)


def generate_core(app: Conduit, settings: ServerSettings | None = None) -> Program:
    """The server without its tools: it serves those of the library named by its first argument.

    Only the app's identity and settings reach the text, so every tool set shares one core.
    """
    settings = settings or app.settings
    w = Writer()
    w.emit(f"# Conduit: the core server of app {app.name!r}; its tools come from a library at startup.")
    w.emit("# Written by conduit.codegen.split; the same for every tool set of this app and settings.")
    emit_imports(w)
    w.emit("from conduit_runtime.tools_lib import load_tools_lib as _c_load_tools, ToolsClient as _CToolsClient")
    w.emit("from conduit_runtime.tools_lib import SpareClients as _CSpareClients")
    w.emit("from conduit_runtime.paths import thread_cpu_us as _c_thread_cpu_us")
    w.emit()
    w.emit("# ---- dispatch: the JSON-RPC methods (tools are the library's) " + "-" * 30)
    w.emit(phf.emit_codon(phf.build([m.encode() for m in JSONRPC_METHODS]), "_method_index"))
    w.emit()
    w.emit(_CORE_APP)
    emit_config(w, app, settings, "_C_TOOLS.tools_json")
    emit_handler_and_serve(w, app, settings, positional=1, run_native="_c_core_run")  # argv[1]: the tools library
    return w.program()


_CORE_APP = '''\
# Loaded once, before serving: a missing or mismatched library stops the server at startup.
_C_TOOLS = _c_load_tools()
_C_PATHS = _CPaths(_C_TOOLS.path_kinds, _C_TOOLS.names)
_C_SPARE_CLIENTS = _CSpareClients(_C_TOOLS)  # the pool threads' views of the library

def _c_core_call(index: int, doc: _CJsonDoc, args: int, out: _CBuffer, st: _CMcpState) -> int:
    client = _C_SPARE_CLIENTS.take()
    code = client.call(index, doc, args, out)
    _C_SPARE_CLIENTS.give(client)
    return code

def _c_core_run(job: _CJob, st: _CMcpState):
    """A blocking tool's call on a pool thread, through a library context of its own."""
    _c_run_job(job, st, _c_core_call)

class _CApp:
    """What the protocol runtime asks of this app: methods from the table above, tools from the library."""
    tools: _CToolsClient
    def __init__(self):
        self.tools = _CToolsClient(_C_TOOLS)
    def find_method(self, p: Ptr[byte], n: int) -> int:
        return _method_index(p, n)
    def find_tool(self, p: Ptr[byte], n: int) -> int:
        return self.tools.find(p, n)
    def call_tool(self, index: int, doc: _CJsonDoc, args: int, out: _CBuffer, st: _CMcpState) -> int:
        if not _C_PATHS.measured(index):
            return self.tools.call(index, doc, args, out)
        started = _c_thread_cpu_us()
        code = self.tools.call(index, doc, args, out)
        _C_PATHS.ran_inline(index, _c_thread_cpu_us() - started)
        return code
    def is_blocking(self, index: int) -> bool:
        return _C_PATHS.on_pool(index)
    def timeout_ms(self, index: int) -> int:
        return _C_TOOLS.timeouts_ms[index]
    def streams(self, index: int) -> bool:
        return False  # the notebook's tools library answers a generator's items with its result
    def logs(self, index: int) -> bool:
        return False
'''

_EXPORTS = """\
# ---- the library's exports: the C ABI conduit_runtime/tools_lib.codon loads --------------------

# Serialized once, at build time: the tools/list array.
_C_TOOLS_JSON = $TOOLS_JSON

# The calls above use an McpState only for its scratch buffers; this config is never read.
_C_NO_CONFIG = _CMcpConfig("", "", "", False, False, List[str](), List[str]())

@export
def conduit_tools_abi() -> int:
    return $ABI_VERSION

@export
def conduit_tools_json(n: Ptr[int]) -> Ptr[byte]:
    n[0] = len(_C_TOOLS_JSON)
    return _C_TOOLS_JSON.ptr

# Per tool, one "PATH TIMEOUT_MS NAME" line: where its calls run (runtime/paths.codon's PATH_*),
# how long a pooled call may take (0: no limit), and its name.
_C_TOOLS_PATHS = $PATHS

@export
def conduit_tools_paths(n: Ptr[int]) -> Ptr[byte]:
    n[0] = len(_C_TOOLS_PATHS)
    return _C_TOOLS_PATHS.ptr

@export
def conduit_tools_find(p: Ptr[byte], n: int) -> int:
    return _tool_index(p, n)

@export
def conduit_tools_context() -> cobj:
    # One per core thread, alive while the core holds this pointer (the collector is shared).
    return __internal__.class_raw_ptr(_CMcpState(_C_NO_CONFIG))

@export
def conduit_tools_call(ctx: cobj, index: int, args_p: Ptr[byte], args_n: int,
                       out_p: Ptr[Ptr[byte]], out_n: Ptr[int]) -> int:
    st = __internal__.to_class_ptr(ctx, _CMcpState)  # a context made above, handed back by the core
    try:  # nothing may unwind into the core
        if args_n > 0 and not st.doc.parse(args_p, args_n):  # the core parsed this text already
            code = _c_fail(st.out, "Invalid arguments: not a JSON object")
        else:
            code = _c_call_tool(index, st.doc, 0 if args_n > 0 else -1, st.out, st)  # 0: the root
    except:
        code = _c_fail(st.out, "tool call failed inside the tools library", _C_CALL_FAILED)
    out_p[0] = st.out.data
    out_n[0] = st.out.len
    return code
"""
