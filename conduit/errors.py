"""Conduit's exceptions.

    ConduitError
    ├── UsageError               a command or magic was given arguments it cannot use
    ├── ToolDefinitionError      a tool cannot be registered: bad name, duplicate, unsupported type
    ├── UnsupportedCodeError     code that cannot run as asked: a route handler Codon cannot compile,
    │   └── NativeRequiredError  a tool that would run in CPython, with Conduit(native="require")
    ├── ToolchainError
    │   ├── CodonNotFoundError   no usable Codon compiler on this machine
    │   └── BuildError           Codon rejected the program; points at the user's line
    └── ServerError
        └── ServerStartError     the server process exited or did not answer in time

Errors that come from user code (`UnsupportedCodeError`, `BuildError`) print like a compiler
would, in the user's terms, so that a notebook, nbval and a terminal all show the same thing:

    cell[3]:2: unsupported operand type(s) for +: 'int' and 'str'
        return x + "a"
    hint: Codon is statically typed: ...
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BuildError",
    "CodonNotFoundError",
    "ConduitError",
    "ServerError",
    "ServerStartError",
    "NativeRequiredError",
    "ToolDefinitionError",
    "ToolchainError",
    "UnsupportedCodeError",
    "UsageError",
]


class ConduitError(Exception):
    """Base class of every error Conduit raises on purpose."""

    def __reduce__(self):  # keep keyword attributes across pickling (e.g. from a worker process)
        return (self.__class__, self.args, self.__dict__)


class UsageError(ConduitError, ValueError):
    """A command or magic was called with arguments it cannot use; the message shows the right form."""


class ToolDefinitionError(ConduitError):
    """A tool cannot be registered: invalid or duplicate name, unsupported parameter type."""


def _format_at(message: str, file: str | None, line: int | None, source_line: str | None, hint: str | None) -> str:
    head = message
    if file is not None:
        head = f"{file}:{line}: {message}" if line is not None else f"{file}: {message}"
    parts = [head]
    if source_line is not None and source_line.strip():
        parts.append("    " + source_line.strip())
    if hint:
        parts.append("hint: " + hint)
    return "\n".join(parts)


class UnsupportedCodeError(ConduitError):
    """Code that cannot run the way the app asks (it names the file, line and why)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        source_line: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.source_line = source_line
        self.hint = hint

    def __str__(self) -> str:
        return _format_at(self.message, self.file, self.line, self.source_line, self.hint)


class NativeRequiredError(UnsupportedCodeError):
    """`Conduit(..., native="require")` and a tool that would run in CPython; the message says why."""


class ToolchainError(ConduitError):
    """Native builds cannot run, or a build failed."""


class CodonNotFoundError(ToolchainError):
    """No usable Codon compiler was found; the message says where it looked and what to do."""


class BuildError(ToolchainError):
    """Codon rejected the program.

    `file`/`line`/`source_line` name the user's code when the error could be mapped back
    (otherwise the generated program or a runtime file); `output` is Codon's full output,
    unabridged, and `program_path`/`program_line` the generated location Codon reported.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
        hint: str | None = None,
        output: str = "",
        program_path: str | None = None,
        program_line: int | None = None,
        program_lines: Sequence[int] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.source_line = source_line
        self.hint = hint
        self.output = output
        self.program_path = program_path
        self.program_line = program_line
        self.program_lines = list(program_lines)  # the whole "during the realization of" chain, innermost first

    def __str__(self) -> str:
        return _format_at(self.message, self.file, self.line, self.source_line, self.hint)


class ServerError(ConduitError):
    """A server process misbehaved."""


class ServerStartError(ServerError):
    """The server exited, or did not answer, before it was ready; `log` holds its last lines."""

    def __init__(
        self,
        message: str,
        *,
        argv: Sequence[str] = (),
        returncode: int | None = None,
        log: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.argv = list(argv)
        self.returncode = returncode
        self.log = log

    def __str__(self) -> str:
        if not self.log.strip():
            return f"{self.message}\n(the server printed nothing)"
        indented = "\n".join("    " + line for line in self.log.rstrip("\n").splitlines())
        return f"{self.message}\nlast log lines:\n{indented}"
