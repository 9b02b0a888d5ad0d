"""The magics: parse the cell and the line, call `conduit.notebook.NotebookSession`, display the result.

Modelled on Cython's `%%cython`: all the work (cells, builds, swaps, the server) lives in the
library; the magic holds one session and the settings.
"""

from __future__ import annotations

import functools
import json
import shlex
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import DisplayHandle, display
from traitlets import Bool, Enum, Float, Int, Unicode
from traitlets.config import Configurable

from conduit.errors import ConduitError, UsageError
from conduit.notebook import NotebookSession, Progress, Status

F = TypeVar("F", bound=Callable[..., Any])


def in_user_terms(magic: F) -> F:
    """Conduit's errors already say where (the cell's line) and what to do: show just that, not
    a traceback through the library. The exception still propagates, so the cell fails."""

    @functools.wraps(magic)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return magic(*args, **kwargs)
        except ConduitError as exc:
            # IPython renders an exception with this method instead of its traceback.
            shown = f"{type(exc).__name__}: {exc}"
            exc._render_traceback_ = lambda: shown.splitlines()  # type: ignore[attr-defined]
            raise

    return wrapper  # type: ignore[return-value]


def unquote(text: str | None) -> str | None:
    """IPython's argument splitting keeps quotes: `--title "The answer"` gives '"The answer"'."""
    if text is not None and len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


class Conduit(Configurable):
    """Settings of the notebook's server: `%config Conduit.port = 8080`; `%config Conduit` lists them."""

    name = Unicode("notebook", help="The server's name, as MCP clients see it.").tag(config=True)
    host = Unicode("127.0.0.1", help="Address to listen on; 0.0.0.0 makes the server reachable from elsewhere.").tag(
        config=True
    )
    port = Int(0, help="Port to listen on; 0 picks a free one (the status line shows it).").tag(config=True)
    backend = Enum(
        ["native", "python"],
        "native",
        help="native: compiled with Codon (python where Codon cannot run); python: the official MCP SDK.",
    ).tag(config=True)
    wait = Bool(
        False,
        help="Block each %%conduit_tool cell until its server answers, so that a Codon error raises in the "
        "cell itself (scripts, CI). By default the cell returns at once and the build runs in the background.",
    ).tag(config=True)
    interim = Bool(
        True,
        help="While a changed tool set compiles, serve it with the python backend (up in about a second), "
        "then swap the native server in; a failed build brings the previous server back.",
    ).tag(config=True)
    call_timeout = Float(30.0, help="Seconds %conduit_call waits for a tool's answer.").tag(config=True)


@magics_class
class ConduitMagics(Magics):
    """%%conduit_tool cells and the %conduit_* line magics, over one `NotebookSession`."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.settings = Conduit(parent=shell)
        self.settings.observe(self._settings_changed, names=["host", "port", "backend"])
        self.settings.observe(self._interim_changed, names=["interim"])
        self._session: NotebookSession | None = None
        self._cell_id: str | None = None
        self._cell_number = 0

    @property
    def session(self) -> NotebookSession:
        if self._session is None:
            s = self.settings
            self._session = NotebookSession(s.name, backend=s.backend, host=s.host, port=s.port, interim=s.interim)
        return self._session

    def note_cell(self, info: Any) -> None:
        """pre_run_cell hook: Jupyter's id of the cell about to run, which tells a re-run from a new
        cell, and its In[n] number, which errors name (the shell has already counted the cell)."""
        self._cell_id = getattr(info, "cell_id", None)
        self._cell_number = self.shell.execution_count - (1 if getattr(info, "store_history", False) else 0)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # -- the cell magic ---------------------------------------------------------------------

    @magic_arguments()
    @argument("--name", help="The tool's name (default: the function's); for a cell with one function.")
    @argument("--title", help="A human-readable title for clients to show.")
    @argument("--description", help="The description clients see (default: the docstring's summary).")
    @argument("--no-serve", action="store_true", help="Register the tools without building or serving.")
    @cell_magic
    @in_user_terms
    def conduit_tool(self, line: str, cell: str) -> None:
        """Run the cell, serve each public function it defines as an MCP tool.

        The functions also exist in the notebook as plain Python. The build runs in the
        background; the line under the cell goes from "building..." to "serving" in place.
        Re-running the cell replaces its tools.
        """
        args = parse_argstring(self.conduit_tool, line)
        session = self.session
        session.check()
        number = self._cell_number
        filename = self.shell.compile.cache(cell, number)
        exec(self.shell.compile(cell, filename, "exec"), self.shell.user_ns)
        session.define_cell(
            self._cell_id,
            cell,
            self.shell.user_ns,
            f"cell[{number}]",
            name=unquote(args.name),
            title=unquote(args.title),
            description=unquote(args.description),
        )
        if not args.no_serve and session.serving:
            self._show(session.publish)

    def _show(self, publish: Callable[[Progress | None], Future[Status]]) -> None:
        """Publish, with the status line under the cell: updated in place, or final at once with `wait`."""
        if self.settings.wait:
            self.session.result(publish(None))
            display(self.session.status())
            return
        handle = DisplayHandle()
        future = publish(handle.update)  # the interim server, if any
        handle.display(self.session.status())
        future.add_done_callback(lambda _: handle.update(self._session.status() if self._session else None))

    # -- line magics ------------------------------------------------------------------------

    @magic_arguments()
    @argument("--port", type=int, help="Port to listen on (0: a free one).")
    @argument("--backend", choices=["native", "python"], help="native (Codon) or python (the MCP SDK).")
    @line_magic
    @in_user_terms
    def conduit_serve(self, line: str) -> None:
        """Start serving the notebook's tools (again), optionally on another port or backend."""
        args = parse_argstring(self.conduit_serve, line)
        session = self.session
        session.configure(port=args.port, backend=args.backend)  # for this session; %config sets the defaults
        self._show(session.publish)

    @line_magic
    @in_user_terms
    def conduit_stop(self, line: str = "") -> None:
        """Stop the server and free its port; the tools stay defined."""
        if self._session is not None:
            self._session.stop()
        print("conduit: stopped")

    @line_magic
    @in_user_terms
    def conduit_status(self, line: str = "") -> Status:
        """Tools, URL, pid, backend and the last build; reports a server that died."""
        self.session.check()
        return self.session.status()

    @line_magic
    @in_user_terms
    def conduit_tools(self, line: str = ""):
        """The notebook's tools: name, signature, defining cell, description."""
        return self.session.table()

    @line_magic
    @in_user_terms
    def conduit_call(self, line: str) -> Any:
        """Call a tool through the running server and return its result.

        %conduit_call weather city=Paris days=3     (values are JSON, else strings)
        %conduit_call weather {"city": "Paris"}
        r = %conduit_call weather city=Paris

        Waits for a build in progress first, so the call sees the latest cells.
        """
        tool, arguments = parse_call(line)
        return self.session.call(tool, arguments, timeout=self.settings.call_timeout)

    @magic_arguments()
    @argument("tool", nargs="?", help="The tool to call (default: measure tools/list).")
    @argument("--args", help='The tool\'s arguments, a JSON object: --args \'{"city": "Paris"}\'.')
    @argument("--requests", type=int, default=10_000, help="Requests in all (default 10000).")
    @argument("--connections", type=int, default=50, help="Keep-alive connections (default 50).")
    @argument("--duration", type=float, help="Run for this many seconds instead of a request count.")
    @argument("--compare", action="store_true", help="Draw this run over the previous %%conduit_bench.")
    @argument("-o", dest="var", metavar="VAR", help="Keep the result (a BenchResult) in the variable VAR.")
    @line_magic
    @in_user_terms
    def conduit_bench(self, line: str) -> None:
        """Put load on the notebook's server and show its latencies: figures, histogram, CDF.

        %conduit_bench weather --args '{"city": "Paris"}' --requests 10000 --connections 50
        %conduit_bench weather --args '{"city": "Paris"}' --compare -o after

        Waits for a build in progress first, so it measures the latest cells. `--compare` draws
        the previous run of this session under this one; `-o VAR` keeps the result in VAR
        (`VAR.p99`, `VAR.latencies_ns`, `VAR.compare(...)`), as `%timeit -o` does.
        """
        args = parse_argstring(self.conduit_bench, line)
        arguments = parse_json_object(unquote(args.args)) if args.args else None
        if args.var is not None and not args.var.isidentifier():
            raise UsageError(f"-o {args.var}: give a variable name, e.g. -o result")
        result = self.session.bench(
            args.tool,
            arguments,
            requests=args.requests,
            connections=args.connections,
            duration=args.duration,
            compare=args.compare,
        )
        if args.var is not None:
            self.shell.user_ns[args.var] = result
        display(result)

    @magic_arguments()
    @argument("directory", help="Where to write <name>/ (bin/ and lib/) and <name>.tar.gz.")
    @argument("--port", type=int, help="The port the binary binds by default (default: 8080).")
    @line_magic
    @in_user_terms
    def conduit_export(self, line: str) -> None:
        """Export the notebook's tools as a server that runs without Python (as `conduit build`).

        %conduit_export dist --port 8080
        then, anywhere: dist/notebook/bin/notebook [--host H] [--port P] [--stdio]
        """
        args = parse_argstring(self.conduit_export, line)
        exported = self.session.export(unquote(args.directory) or "dist", port=args.port)
        mb = 1024 * 1024
        print(
            f"conduit: exported {len(exported.tools)} tool(s) to {exported.directory} "
            f"({exported.size / mb:.1f} MB; {exported.archive.name} {exported.archive_size / mb:.1f} MB)\n"
            f"run it: {exported.binary} [--host H] [--port P] [--stdio]"
        )

    @line_magic
    @in_user_terms
    def conduit_reset(self, line: str = "") -> None:
        """Stop the server and forget every tool (the notebook's functions stay)."""
        if self._session is not None:
            self._session.reset()
        print("conduit: reset, no tools defined")

    # -- settings ---------------------------------------------------------------------------

    def _interim_changed(self, change: dict[str, Any]) -> None:
        if self._session is not None:
            self._session.interim = change["new"]

    def _settings_changed(self, change: dict[str, Any]) -> None:
        """Host, port and backend apply to a running server at once, otherwise at the next start."""
        if self._session is None:
            return
        running = self._session.status().url is not None
        self._session.configure(**{change["name"]: change["new"]})
        if running:
            self._show(self._session.publish)


def parse_call(line: str) -> tuple[str, dict[str, Any]]:
    """`TOOL key=value ...` or `TOOL {json}` -> (tool, arguments)."""
    tool, _, rest = line.strip().partition(" ")
    if not tool:
        raise UsageError(CALL_USAGE)
    rest = rest.strip()
    if rest.startswith(("{", "[")):
        return tool, parse_json_object(rest)
    try:
        words = shlex.split(rest)
    except ValueError as exc:  # an unclosed quote
        raise UsageError(f"{exc}: {CALL_USAGE}") from None
    arguments = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise UsageError(f"{word!r}: write each argument as key=value (values are JSON, else strings)")
        try:
            arguments[key] = json.loads(value)
        except json.JSONDecodeError:
            arguments[key] = value
    return tool, arguments


CALL_USAGE = 'usage: %conduit_call TOOL key=value ...  or  %conduit_call TOOL {"key": value}'


def parse_json_object(text: str) -> dict[str, Any]:
    """A tool's arguments written as JSON: they must be an object."""
    try:
        arguments = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"the arguments are not valid JSON ({exc}): {text}") from None
    if not isinstance(arguments, dict):
        raise UsageError(f'the arguments must be a JSON object, like {{"city": "Paris"}}, not {text}')
    return arguments
