"""Generate the Codon program for an app: the tools, typed decoders, dispatch tables and fixed bytes.

The program reads top to bottom like the server it is: the user's functions (kept on their own
lines, so compiler errors map back), one decoder-and-call function per tool, perfect hashes over
tool names and JSON-RPC methods, the tools/list JSON serialized once, and the handler the event
loop calls. The protocol itself lives in the hand-written runtime (conduit/runtime/mcp.codon).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..errors import UnsupportedCodeError
from . import phf
from .program import Program, Writer
from .routes import POOL_IMPORTS as ROUTE_POOL_IMPORTS
from .routes import RUNTIME_IMPORTS as ROUTE_IMPORTS
from .routes import emit_handler_class_members, emit_routes
from .user_code import PATH_CODES, Engine, Stdlib, UserCode, analyze, emit_guard_and_calls, emit_user_code, route_entry

if TYPE_CHECKING:
    from ..app import Conduit
    from ..routing import Route
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
    "logging/setLevel",
)


def generate(app: Conduit, settings: ServerSettings | None = None, code: UserCode | None = None) -> Program:
    """The whole Codon program for `app`: its native tools, and the front end of those CPython runs.

    `code` is the app's analyzed user code (`analyze_app`), when the caller already has it.
    """
    settings = settings or app.settings
    code = code or analyze_app(app)
    tools = list(app)
    w = Writer()
    plural = "" if len(tools) == 1 else "s"
    routes = f", {len(app.routes)} route(s)" if len(app.routes) else ""
    w.emit(f"# Conduit: the generated native server for app {app.name!r} ({len(tools)} tool{plural}{routes}).")
    w.emit("# Written by conduit.codegen on every build; edit the Python tools, not this file.")
    emit_imports(w)
    # per route: its time limit on the worker pool (ms), or -1 for a handler that runs on a loop
    pooled = [call_timeout_ms(r, settings) if code.route_blocks(i, r) else -1 for i, r in enumerate(app.routes)]
    routes_pooled = any(ms >= 0 for ms in pooled)
    if len(app.routes):
        w.emit(ROUTE_IMPORTS)
    if routes_pooled:
        w.emit(ROUTE_POOL_IMPORTS)
    w.emit()
    functions = emit_tools(w, code, tools)
    w.emit(phf.emit_codon(phf.build([m.encode() for m in JSONRPC_METHODS]), "_method_index", helpers=False))
    w.emit()
    if len(app.routes):
        handlers = [functions[route_entry(i)] for i in range(len(app.routes))]
        emit_routes(w, app.routes, handlers, code.exceptions.everything(), pooled)
    paths = [PATH_CODES[code.path(t)] for t in tools]
    _emit_app(w, app, tools, settings, paths, routes_pooled, [code.reports(t) for t in tools])
    return w.program(code.engines)


def analyze_app(app: Conduit, forced: Mapping[str, Engine] | None = None, stdlib: Stdlib | None = None) -> UserCode:
    """The app's tools and route handlers as whole programs, with each one's engine.

    A route handler must run natively (routes have no CPython path yet): one that cannot is an
    error naming the reason, at the user's line.
    """
    code = analyze(list(app), list(app.routes), forced, stdlib)
    for index, route in enumerate(app.routes):
        engine = code.engines[route_entry(index)]
        if not engine.native:
            raise UnsupportedCodeError(
                f"route {route.describe()} cannot run natively: {engine.reason}",
                file=engine.file,
                line=engine.line,
                hint="route handlers run natively only; serve the app with the python backend, or change the handler",
            )
    return code


def emit_imports(w: Writer, *, server: bool = True) -> None:
    """The runtime names generated code uses, each under a `_c` alias, so no tool (say one named
    `fail`) can shadow it; without `server`, only those the tools' calls use (runtime/calls.codon:
    no HTTP or protocol code to compile)."""
    w.emit("from conduit_runtime.buffer import Buffer as _CBuffer")
    w.emit("from conduit_runtime.json import JsonDoc as _CJsonDoc, J_NULL as _J_NULL, J_TRUE as _J_TRUE")
    w.emit("from conduit_runtime.json import J_FALSE as _J_FALSE, J_NUM as _J_NUM, J_STR as _J_STR")
    w.emit("from conduit_runtime.json import J_ARR as _J_ARR, J_OBJ as _J_OBJ")
    w.emit("from conduit_runtime.calls import McpConfig as _CMcpConfig, McpState as _CMcpState")
    w.emit("from conduit_runtime.calls import json_items as _c_items, fail as _c_fail, CALL_FAILED as _C_CALL_FAILED")
    w.emit("from conduit_runtime.calls import write_result as _c_write_result, fail_with as _c_fail_with")
    w.emit("from conduit_runtime.calls import needs_python as _c_needs_python")
    w.emit("from conduit_runtime.stream import collect as _c_collect")
    if server:
        w.emit("from conduit_runtime.http_request import Request as _CRequest")
        w.emit("from conduit_runtime.http_response import Reply as _CReply")
        w.emit("from conduit_runtime.loop import ServerConfig as _CServerConfig")
        w.emit("from conduit_runtime.main import main as _c_main")
        w.emit("from conduit_runtime.health import answer_health as _c_answer_health")
        w.emit("from conduit_runtime.auth import authorized as _c_authorized, reply_unauthorized as _c_unauthorized")
        w.emit(
            "from conduit_runtime.auth import answer_metadata as _c_auth_metadata, METADATA_PATH as _C_AUTH_METADATA"
        )
        w.emit("from conduit_runtime.mcp import handle_mcp as _c_handle_mcp, finish_call as _c_finish_call")
        w.emit("from conduit_runtime.pool import Job as _CJob")
        w.emit("from conduit_runtime.pyworker import run_job as _c_run_job")
        w.emit("from conduit_runtime.paths import Paths as _CPaths, call_measured as _c_call_measured")


def emit_tools(w: Writer, code: UserCode, tools: list[Tool]) -> dict[str, str]:
    """The user's code, the tools' calls and decoders, `_c_call_tool` and `_tool_index`.

    Returns each native entry's function name in the program (a clash may rename one). The
    phf helpers are emitted too, so later tables pass `helpers=False`.
    """
    functions = emit_user_code(w, code)
    emit_guard_and_calls(w, code, functions, tools)
    w.emit("# ---- dispatch: perfect hashes fixed at build time " + "-" * 40)
    w.emit(phf.emit_codon_helpers())
    w.emit(phf.emit_codon(phf.build([t.name.encode() for t in tools]), "_tool_index", helpers=False))
    return functions


# ---- the app: tables, fixed bytes and the handler -----------------------------------------------


def _emit_app(
    w: Writer,
    app: Conduit,
    tools: list[Tool],
    settings: ServerSettings,
    paths: list[int],
    routes_pooled: bool,
    reports: list[dict[str, str]],
) -> None:
    tools_json = json.dumps([t.definition() for t in tools], separators=(",", ":"))
    w.emit("# Per tool (tools/list order): inline, on the worker pool, or inline while measured (runtime/paths.codon).")
    names = ", ".join(_codon_str(t.name) for t in tools)
    w.emit(f"_C_PATHS = _CPaths(List[int]([{', '.join(str(p) for p in paths)}]), List[str]([{names}]))")
    w.emit("# Per tool: how long a pooled call may take before it is answered as timed out (0: no limit).")
    timeouts = [call_timeout_ms(t, settings) for t in tools]
    w.emit(f"_C_TIMEOUT_MS = List[int]([{', '.join(str(t) for t in timeouts)}])")
    w.emit("# Per tool: whether its calls can stream (it yields, reports progress or logs), and whether it logs.")
    streams = [t.streams or bool(r) for t, r in zip(tools, reports)]
    w.emit(f"_C_STREAMS = List[bool]([{', '.join(str(s) for s in streams)}])")
    w.emit(f"_C_LOGS = List[bool]([{', '.join(str('log' in r.values()) for r in reports)}])")
    w.emit()
    w.emit("def _c_run_native(job: _CJob, st: _CMcpState):")
    w.emit('    """A blocking tool\'s call on a pool thread, its arguments parsed again from the job\'s text."""')
    if routes_pooled:
        w.emit("    if job.kind == _C_JOB_ROUTE:  # a route handler that blocks")
        w.emit("        _c_run_route(job, _c_route_on_pool)")
        w.emit("        return")
    w.emit("    _c_run_job(job, st, _c_call_tool)")
    w.emit()
    w.emit("class _CApp:")
    w.emit('    """What the protocol runtime asks of this app: find a tool or method, call a tool."""')
    w.emit("    def find_method(self, p: Ptr[byte], n: int) -> int:")
    w.emit("        return _method_index(p, n)")
    w.emit("    def find_tool(self, p: Ptr[byte], n: int) -> int:")
    w.emit("        return _tool_index(p, n)")
    w.emit("    def call_tool(self, index: int, doc: _CJsonDoc, args: int, out: _CBuffer, st: _CMcpState) -> int:")
    w.emit("        return _c_call_measured(_C_PATHS, index, doc, args, out, st, _c_call_tool)")
    w.emit("    def is_blocking(self, index: int) -> bool:")
    w.emit("        return _C_PATHS.on_pool(index)")
    w.emit("    def timeout_ms(self, index: int) -> int:")
    w.emit("        return _C_TIMEOUT_MS[index]")
    w.emit("    def streams(self, index: int) -> bool:")
    w.emit("        return _C_STREAMS[index]")
    w.emit("    def logs(self, index: int) -> bool:")
    w.emit("        return _C_LOGS[index]")
    w.emit()
    w.emit("# Serialized once, at build time: the tools/list array and the server's identity.")
    w.emit(f"_C_TOOLS_JSON = {_codon_str(tools_json)}")
    emit_config(w, app, settings, "_C_TOOLS_JSON")
    emit_handler_and_serve(w, app, settings, run_native="_c_run_native", routes_pooled=routes_pooled)


def call_timeout_ms(tool: Tool | Route, settings: ServerSettings) -> int:
    """A tool's (or route's) own `timeout=`, else the app's `call_timeout`, in whole ms (0: none)."""
    seconds = tool.timeout if tool.timeout is not None else settings.call_timeout
    return max(0, round(seconds * 1000))


def emit_config(w: Writer, app: Conduit, settings: ServerSettings, tools_json: str) -> None:
    """`_C_CONFIG`: the server's identity and checks; `tools_json` is the Codon expression of the tools/list array."""
    w.emit("_C_CONFIG = _CMcpConfig(")
    server_info = json.dumps({"name": app.name, "version": app.version}, separators=(",", ":"))
    w.emit(f"    server_info_json={_codon_str(server_info)},")
    w.emit(f"    instructions_json={_codon_str(json.dumps(app.instructions) if app.instructions else '')},")
    w.emit(f"    tools_json={tools_json},")
    w.emit(f"    sessions={settings.sessions},")
    w.emit(f"    dns_rebinding_protection={settings.checks_host_and_origin},")
    w.emit(f"    allowed_hosts={_codon_str_list(settings.allowed_hosts)},")
    w.emit(f"    allowed_origins={_codon_str_list(settings.allowed_origins)},")
    w.emit(f"    max_sessions={settings.max_sessions},")
    w.emit(f"    session_idle_ms={_ms(settings.session_idle_timeout)},")
    w.emit(")")
    w.emit()


def emit_handler_and_serve(
    w: Writer,
    app: Conduit,
    settings: ServerSettings,
    positional: int = 0,
    run_native: str = "",
    routes_pooled: bool = False,
) -> None:
    """`_CHandler` over the program's `_CApp` and `_C_CONFIG`, and the call that serves it;
    `positional` command-line arguments come before the options (the split core's library);
    `run_native` names the function that runs blocking tools' calls on the pool."""
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
    w.emit('        if req.path_is("/healthz"):  # for load balancers and probes, before MCP and routes')
    w.emit("            _c_answer_health(req, reply)")
    w.emit("            return")
    w.emit("        if req.path_is(_C_AUTH_METADATA):  # where a 401 points clients (RFC 9728)")
    w.emit("            _c_auth_metadata(req, reply)")
    w.emit("            return")
    w.emit("        if not _c_authorized(req):")
    w.emit("            _c_unauthorized(req, reply)")
    w.emit("            return")
    if routed:
        w.emit('        if not req.path_is("/mcp"):  # /mcp is MCP first: no route can shadow it')
        w.emit("            self.route(req, reply)")
        w.emit("            return")
    w.emit("        _c_handle_mcp(self.app, self.st, req, reply)")
    w.emit("    def finish(self, job: _CJob, reply: _CReply):")
    w.emit('        """A tools/call answered off the loop (a pool thread, the CPython worker)."""')
    if routes_pooled:
        w.emit("        if job.kind == _C_JOB_ROUTE:  # a route handler that ran on the pool")
        w.emit("            _c_finish_route(job, reply)")
        w.emit("            return")
    w.emit("        _c_finish_call(self.st, job, reply)")
    if routed:
        emit_handler_class_members(w, app.routes, routes_pooled)
    w.emit()
    w.emit(
        "_c_main(_CServerConfig("
        f"host={_codon_str(settings.host)}, port={settings.port}, workers={settings.workers}, "
        f"max_body_bytes={settings.max_body_bytes}, head_timeout_ms={_ms(settings.head_timeout)}, "
        f"body_timeout_ms={_ms(settings.body_timeout)}, idle_timeout_ms={_ms(settings.idle_timeout)}, "
        f"max_connections={settings.max_connections}, pool_threads={settings.pool_threads}, "
        f"pool_queue={settings.pool_queue}, auth_required={bool(settings.auth_tokens)}), _CHandler"
        + (f", {run_native}" if run_native else "")
        + (f", positional={positional})" if positional else ")")
    )


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _codon_str(text: str) -> str:
    """A Codon string literal; JSON escaping is valid Codon and keeps the literal ASCII."""
    return json.dumps(text)


def _codon_str_list(items: Iterable[str]) -> str:
    return "List[str]([" + ", ".join(_codon_str(i) for i in items) + "])"
