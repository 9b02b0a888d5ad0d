"""Generate the Codon program for an app: the tools, typed decoders, dispatch tables and fixed bytes.

The program reads top to bottom like the server it is: the user's functions (kept on their own
lines, so compiler errors map back), one decoder-and-call function per tool, perfect hashes over
tool names and JSON-RPC methods, the tools/list JSON serialized once, and the handler the event
loop calls. The protocol itself lives in the hand-written runtime (conduit/runtime/mcp.codon).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import phf
from .decoders import Decoders, codon_param, emit_call, emit_guard
from .program import Program, Writer, emit_function
from .routes import RUNTIME_IMPORTS as ROUTE_IMPORTS
from .routes import emit_handler_class_members, emit_routes

if TYPE_CHECKING:
    from ..app import Conduit
    from ..settings import ServerSettings
    from ..tools import Tool

# JSON-RPC methods the runtime serves, in the order of the M_* constants in runtime/mcp.codon.
JSONRPC_METHODS = (
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "server/discover",
    "prompts/list",
    "resources/list",
    "resources/templates/list",
)


def generate(app: Conduit, settings: ServerSettings | None = None) -> Program:
    """The whole Codon program for `app`; raises UnsupportedCodeError for tool code Codon cannot run."""
    settings = settings or app.settings
    tools = list(app)
    w = Writer()
    plural = "" if len(tools) == 1 else "s"
    routes = f", {len(app.routes)} route(s)" if len(app.routes) else ""
    w.emit(f"# Conduit: the generated native server for app {app.name!r} ({len(tools)} tool{plural}{routes}).")
    w.emit("# Written by conduit.codegen on every build; edit the Python tools, not this file.")
    emit_imports(w)
    if len(app.routes):
        w.emit(ROUTE_IMPORTS)
    w.emit()
    function_names = emit_tools(w, tools)
    w.emit(phf.emit_codon(phf.build([m.encode() for m in JSONRPC_METHODS]), "_method_index", helpers=False))
    w.emit()
    if len(app.routes):
        emit_routes(w, app.routes, set(function_names))
    _emit_app(w, app, tools, settings)
    return w.program()


def emit_imports(w: Writer, *, server: bool = True) -> None:
    """The runtime names generated code uses, each under a `_c` alias, so no tool (say one named
    `fail`) can shadow it; without `server`, only those the tools' calls use (runtime/calls.codon:
    no HTTP or protocol code to compile)."""
    w.emit("from conduit_runtime.buffer import Buffer as _CBuffer")
    w.emit("from conduit_runtime.json import JsonDoc as _CJsonDoc, J_NULL as _J_NULL, J_TRUE as _J_TRUE")
    w.emit("from conduit_runtime.json import J_FALSE as _J_FALSE, J_NUM as _J_NUM, J_STR as _J_STR")
    w.emit("from conduit_runtime.json import J_ARR as _J_ARR, J_OBJ as _J_OBJ")
    w.emit("from conduit_runtime.json import json_object as _cj_object, json_array as _cj_array")
    w.emit("from conduit_runtime.calls import McpConfig as _CMcpConfig, McpState as _CMcpState")
    w.emit("from conduit_runtime.calls import json_items as _c_items, fail as _c_fail, CALL_FAILED as _C_CALL_FAILED")
    w.emit("from conduit_runtime.calls import write_result as _c_write_result")
    if server:
        w.emit("from conduit_runtime.http_request import Request as _CRequest")
        w.emit("from conduit_runtime.http_response import Reply as _CReply")
        w.emit("from conduit_runtime.loop import ServerConfig as _CServerConfig, serve as _c_serve")
        w.emit("from conduit_runtime.mcp import handle_mcp as _c_handle_mcp")


def emit_tools(w: Writer, tools: list[Tool]) -> list[str]:
    """The user's functions, one `_call_N` per tool, their decoders and `_tool_index`.

    Returns the functions' names in the program (a tool may be renamed to avoid a clash). The
    phf helpers are emitted too, so later tables pass `helpers=False`.
    """
    function_names: dict[str, str] = {}
    for tool in tools:
        function_names[tool.name] = _emit_tool_function(w, tool, set(function_names.values()))
    emit_guard(w)
    decoders = Decoders()
    for index, tool in enumerate(tools):
        emit_call(w, index, tool, function_names[tool.name], decoders)
    for text in decoders.functions:
        w.emit(text)
    w.emit("# ---- dispatch: perfect hashes fixed at build time " + "-" * 40)
    w.emit(phf.emit_codon_helpers())
    w.emit(phf.emit_codon(phf.build([t.name.encode() for t in tools]), "_tool_index", helpers=False))
    return list(function_names.values())


# ---- the user's functions -------------------------------------------------------------------


def _emit_tool_function(w: Writer, tool: Tool, taken: set[str]) -> str:
    params = ", ".join(codon_param(p) for p in tool.params)
    # The return annotation stays where Codon can use it; mixed-type objects (`-> dict`) are inferred.
    returns = f" -> {tool.returns.codon()}" if tool.returns is not None and tool.returns.kind != "json" else ""
    param_types = {p.name: p.type.codon() for p in tool.params}
    return emit_function(
        w, tool.source, f"tool {tool.name!r}", lambda name: f"def {name}({params}){returns}:", param_types, taken
    )


# ---- the app: tables, fixed bytes and the handler -----------------------------------------------


def _emit_app(w: Writer, app: Conduit, tools: list[Tool], settings: ServerSettings) -> None:
    tools_json = json.dumps([t.definition() for t in tools], separators=(",", ":"))
    w.emit("class _CApp:")
    w.emit('    """What the protocol runtime asks of this app: find a tool or method, call a tool."""')
    w.emit("    def find_method(self, p: Ptr[byte], n: int) -> int:")
    w.emit("        return _method_index(p, n)")
    w.emit("    def find_tool(self, p: Ptr[byte], n: int) -> int:")
    w.emit("        return _tool_index(p, n)")
    w.emit("    def call_tool(self, index: int, doc: _CJsonDoc, args: int, out: _CBuffer, st: _CMcpState) -> int:")
    for index, tool in enumerate(tools):
        w.emit(f"        if index == {index}:  # {tool.name}")
        w.emit(f"            return _call_{index}(doc, args, out, st)")
    w.emit("        return -1")
    w.emit()
    w.emit("# Serialized once, at build time: the tools/list array and the server's identity.")
    w.emit(f"_C_TOOLS_JSON = {_codon_str(tools_json)}")
    emit_config(w, app, settings, "_C_TOOLS_JSON")
    emit_handler_and_serve(w, app, settings)


def emit_config(w: Writer, app: Conduit, settings: ServerSettings, tools_json: str) -> None:
    """`_C_CONFIG`: the server's identity and checks; `tools_json` is the Codon expression of the tools/list array."""
    w.emit("_C_CONFIG = _CMcpConfig(")
    w.emit(f"    server_info_json={_codon_str(json.dumps({'name': app.name, 'version': app.version}))},")
    w.emit(f"    instructions_json={_codon_str(json.dumps(app.instructions) if app.instructions else '')},")
    w.emit(f"    tools_json={tools_json},")
    w.emit(f"    sessions={settings.sessions},")
    w.emit(f"    dns_rebinding_protection={settings.checks_host_and_origin},")
    w.emit(f"    allowed_hosts={_codon_str_list(settings.allowed_hosts)},")
    w.emit(f"    allowed_origins={_codon_str_list(settings.allowed_origins)},")
    w.emit(")")
    w.emit()


def emit_handler_and_serve(w: Writer, app: Conduit, settings: ServerSettings) -> None:
    """`_CHandler` over the program's `_CApp` and `_C_CONFIG`, and the call that serves it."""
    w.emit("class _CHandler:")
    w.emit('    """One per event-loop thread: the app plus that thread\'s reusable protocol state."""')
    w.emit("    app: _CApp")
    w.emit("    st: _CMcpState")
    routed = len(app.routes) > 0
    if routed:
        w.emit("    spans: Ptr[int]")
        w.emit("    web: _CWebRequest")
    w.emit("    def __init__(self):")
    w.emit("        self.app = _CApp()")
    w.emit("        self.st = _CMcpState(_C_CONFIG)")
    if routed:
        w.emit("        self.init_routes()")
    w.emit("    def handle(self, req: _CRequest, reply: _CReply):")
    if routed:
        w.emit('        if not req.path_is("/mcp"):  # /mcp is MCP first: no route can shadow it')
        w.emit("            self.route(req, reply)")
        w.emit("            return")
    w.emit("        _c_handle_mcp(self.app, self.st, req, reply)")
    if routed:
        emit_handler_class_members(w, app.routes)
    w.emit()
    w.emit(
        "_c_serve(_CServerConfig("
        f"host={_codon_str(settings.host)}, port={settings.port}, workers={settings.workers}, "
        f"max_body_bytes={settings.max_body_bytes}), _CHandler)"
    )


def _codon_str(text: str) -> str:
    """A Codon string literal; JSON escaping is valid Codon and keeps the literal ASCII."""
    return json.dumps(text)


def _codon_str_list(items: Iterable[str]) -> str:
    return "List[str]([" + ", ".join(_codon_str(i) for i in items) + "])"
