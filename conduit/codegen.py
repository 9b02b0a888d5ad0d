"""Generate the Codon program for an app: the tools, typed decoders, dispatch tables and fixed bytes.

The program reads top to bottom like the server it is: the user's functions (kept on their own
lines, so compiler errors map back), one decoder-and-call function per tool, perfect hashes over
tool names and JSON-RPC methods, the tools/list JSON serialized once, and the handler the event
loop calls. The protocol itself lives in the hand-written runtime (conduit/runtime/mcp.codon).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from . import phf
from .app import Conduit, ServerSettings
from .codegen_routes import RUNTIME_IMPORTS as ROUTE_IMPORTS
from .codegen_routes import emit_handler_class_members, emit_routes
from .program import CAUGHT_EXCEPTIONS, Program, Writer, emit_function
from .tools import Tool
from .typespec import TypeSpec

# JSON-RPC methods the runtime serves, in the order of the M_* constants in runtime/mcp.codon.
METHODS = (
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
    w.emit(phf.emit_codon(phf.build([m.encode() for m in METHODS]), "_method_index", helpers=False))
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
    w.emit("from conduit_runtime.calls import json_items as _c_items, fail as _c_fail")
    w.emit("from conduit_runtime.calls import write_result as _c_write_result, write_result_none as _c_write_none")
    if server:
        w.emit("from conduit_runtime.http import Request as _CRequest, Reply as _CReply")
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
    decoders = _Decoders()
    for index, tool in enumerate(tools):
        _emit_call(w, index, tool, function_names[tool.name], decoders)
    for text in decoders.functions:
        w.emit(text)
    w.emit("# ---- dispatch: perfect hashes fixed at build time " + "-" * 40)
    w.emit(phf.emit_codon_helpers())
    w.emit(phf.emit_codon(phf.build([t.name.encode() for t in tools]), "_tool_index", helpers=False))
    return list(function_names.values())


# ---- the user's functions -------------------------------------------------------------------


def _emit_tool_function(w: Writer, tool: Tool, taken: set[str]) -> str:
    params = ", ".join(_codon_param(p) for p in tool.params)
    # The return annotation stays where Codon can use it; mixed-type objects (`-> dict`) are inferred.
    returns = f" -> {tool.returns.codon()}" if tool.returns is not None and tool.returns.kind != "json" else ""
    param_types = {p.name: p.type.codon() for p in tool.params}
    return emit_function(
        w, tool.source, f"tool {tool.name!r}", lambda name: f"def {name}({params}){returns}:", param_types, taken
    )


def _codon_param(param) -> str:
    text = f"{param.name}: {param.type.codon()}"
    if not param.required:
        text += f" = {_codon_literal(param.default)}"
    return text


def _codon_literal(value) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return (
            repr(value) if value == value and value not in (float("inf"), float("-inf")) else f"float({str(value)!r})"
        )
    if isinstance(value, (int,)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_codon_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_codon_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as a Codon literal")


# ---- decoders and calls -----------------------------------------------------------------------


class _Decoders:
    """One check function and one decode function per composite type, shared between tools."""

    def __init__(self) -> None:
        self.functions: list[str] = []
        self.names: dict[TypeSpec, int] = {}

    def check(self, spec: TypeSpec, i: str) -> str:
        if spec.kind == "str":
            return f"doc.kind({i}) == _J_STR"
        if spec.kind == "int":
            return f"doc.is_int({i})"
        if spec.kind == "float":
            return f"doc.kind({i}) == _J_NUM"
        if spec.kind == "bool":
            return f"(doc.kind({i}) == _J_TRUE or doc.kind({i}) == _J_FALSE)"
        return f"_check_{self._define(spec)}(doc, {i})"

    def decode(self, spec: TypeSpec, i: str) -> str:
        kind = spec.kind if spec.kind != "literal" else spec.codon()
        if kind == "str":
            return f"doc.as_str({i})"
        if kind == "int":
            return f"doc.as_int({i})"
        if kind == "float":
            return f"doc.as_float({i})"
        if kind == "bool":
            return f"doc.kind({i}) == _J_TRUE"
        return f"_decode_{self._define(spec)}(doc, {i})"

    def _define(self, spec: TypeSpec) -> int:
        if spec in self.names:
            return self.names[spec]
        n = self.names[spec] = len(self.names)
        codon = spec.codon()
        check = [f"def _check_{n}(doc: _CJsonDoc, i: int) -> bool:  # {spec.describe()}"]
        decode = [f"def _decode_{n}(doc: _CJsonDoc, i: int) -> {codon}:"]
        if spec.kind == "literal":
            base = TypeSpec(spec.codon())  # type: ignore[arg-type]
            check += [f"    if not ({self.check(base, 'i')}):", "        return False"]
            check += [
                f"    if {self.decode(base, 'i')} == {_codon_literal(c)}:\n        return True" for c in spec.choices
            ]
            check += ["    return False"]
            decode += [f"    return {self.decode(base, 'i')}"]
        elif spec.kind == "optional":
            check += [
                "    if doc.kind(i) == _J_NULL:",
                "        return True",
                f"    return {self.check(spec.inner, 'i')}",
            ]
            decode += [
                "    if doc.kind(i) == _J_NULL:",
                f"        return {codon}()",
                f"    return {codon}({self.decode(spec.inner, 'i')})",
            ]
        else:  # list[T] or dict[str, T]: every item checked, then decoded into a new container
            container = "_J_ARR" if spec.kind == "list" else "_J_OBJ"
            store = "result.append({})" if spec.kind == "list" else "result[doc.key(j)] = {}"
            check += [
                f"    if doc.kind(i) != {container}:",
                "        return False",
                "    for j in _c_items(doc, i):",
                f"        if not ({self.check(spec.inner, 'j')}):",
                "            return False",
                "    return True",
            ]
            decode += [
                f"    result = {codon}()",
                "    for j in _c_items(doc, i):",
                "        " + store.format(self.decode(spec.inner, "j")),
                "    return result",
            ]
        self.functions.append("\n".join(check) + "\n")
        self.functions.append("\n".join(decode) + "\n")
        return n


def _emit_call(w: Writer, index: int, tool: Tool, function: str, decoders: _Decoders) -> None:
    w.emit(f"# ---- tools/call {tool.name!r}: decode the arguments, call, encode the result")
    w.emit(f"def _call_{index}(doc: _CJsonDoc, args: int, out: _CBuffer, st: _CMcpState) -> int:")
    for p in tool.params:
        invalid = json.dumps(f"Invalid argument {p.name!r}: expected {p.type.describe()}")
        w.emit(f"    # {p.name}: {p.type.describe()}{'' if p.required else ' = ' + repr(p.default)}")
        w.emit(f"    i = doc.get(args, {json.dumps(p.name)}) if args >= 0 else -1")
        if p.required:
            w.emit("    if i < 0:")
            w.emit(f"        return _c_fail(out, {json.dumps(f'Missing required argument {p.name!r}')})")
            w.emit(f"    if not ({decoders.check(p.type, 'i')}):")
            w.emit(f"        return _c_fail(out, {invalid})")
            w.emit(f"    _a_{p.name} = {decoders.decode(p.type, 'i')}")
        else:
            w.emit(f"    _a_{p.name}: {p.type.codon()} = {_codon_literal(p.default)}")
            w.emit("    if i >= 0:")
            w.emit(f"        if not ({decoders.check(p.type, 'i')}):")
            w.emit(f"            return _c_fail(out, {invalid})")
            w.emit(f"        _a_{p.name} = {decoders.decode(p.type, 'i')}")
    call = f"{function}({', '.join(f'{p.name}=_a_{p.name}' for p in tool.params)})"
    returns_none = tool.returns is not None and tool.returns.kind == "none"
    w.emit("    try:")
    w.emit(f"        {call}" if returns_none else f"        r = {call}")
    for exc in CAUGHT_EXCEPTIONS:
        w.emit(f"    except {exc} as e:")
        w.emit("        return _c_fail(out, e.message if e.message else e.typename, 2)")
    w.emit("    except:")
    w.emit(f"        return _c_fail(out, {json.dumps(f'tool {tool.name!r} raised an exception')}, 2)")
    if returns_none:
        w.emit("    return _c_write_none(out)")
    else:
        w.emit(f"    return _c_write_result(out, st, r, {tool.structured}, {tool.wraps_result})")
    w.emit()


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
        f"host={_codon_str(settings.host)}, port={app.settings.port}, workers={settings.workers}, "
        f"max_body_bytes={settings.max_body_bytes}), _CHandler)"
    )


def _codon_str(text: str) -> str:
    """A Codon string literal; JSON escaping is valid Codon and keeps the literal ASCII."""
    return json.dumps(text)


def _codon_str_list(items: Iterable[str]) -> str:
    return "List[str]([" + ", ".join(_codon_str(i) for i in items) + "])"
