"""A registered tool: its name, description, typed parameters and schemas, read once from the function."""

from __future__ import annotations

import collections.abc
import inspect
import re
import textwrap
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .docstrings import parse_docstring
from .errors import ToolDefinitionError
from .typespec import TypeSpec, parse_annotation

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
_ANNOTATION_HINTS = {"title", "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}
REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Param:
    name: str
    type: TypeSpec
    default: Any = REQUIRED
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def schema(self) -> dict[str, Any]:
        schema = self.type.schema()
        if not self.required:
            schema["default"] = self.default
        if self.description:
            schema["description"] = self.description
        return schema


@dataclass(frozen=True)
class Source:
    """Where a tool's code lives: its text (dedented, decorators included) and first line in `filename`."""

    text: str
    filename: str
    first_line: int


@dataclass(frozen=True)
class Tool:
    name: str
    fn: Callable[..., Any] = field(repr=False)
    params: tuple[Param, ...]
    returns: TypeSpec | None
    source: Source = field(repr=False)
    description: str = ""
    title: str | None = None
    annotations: Mapping[str, Any] = field(default_factory=dict)
    native: bool | None = None  # None: Conduit decides; False: always CPython
    blocking: bool | None = None  # None: Conduit decides; True: off the event loop, on the pool
    timeout: float | None = None  # seconds a pooled call may take; None: the app's call_timeout; 0: none
    streams: bool = False  # a generator: its items go out as progress events as they are yielded

    @classmethod
    def from_function(
        cls,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        annotations: Mapping[str, Any] | Any | None = None,
        source: Source | None = None,
        native: bool | None = None,
        blocking: bool | None = None,
        timeout: float | None = None,
    ) -> Tool:
        """Read a tool from a typed function; every problem is a `ToolDefinitionError` naming the fix."""
        if not inspect.isfunction(fn):
            raise ToolDefinitionError(
                f"a tool must be a plain function, got {fn!r}; did you write @app.tool instead of @app.tool()?"
            )
        if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
            raise ToolDefinitionError(f"tool {fn.__name__!r}: async tools are not supported yet; write a plain `def`")
        streams = inspect.isgeneratorfunction(fn)
        tool_name = fn.__name__ if name is None else name
        check_name(tool_name)
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0):
            raise ToolDefinitionError(
                f"tool {tool_name!r}: timeout must be a number of seconds >= 0 (0: no limit), got {timeout!r}"
            )
        doc = parse_docstring(fn.__doc__)
        params = tuple(_read_params(fn, doc.params))
        signature = inspect.signature(fn, eval_str=True)
        returns = None
        if signature.return_annotation is not inspect.Signature.empty:
            annotation = signature.return_annotation
            if streams:
                annotation = _items_as_list(annotation, tool_name)
            returns = parse_annotation(annotation, f"tool {tool_name!r} return type", is_return=True)
        return cls(
            name=tool_name,
            fn=fn,
            params=params,
            returns=returns,
            source=source or source_of(fn),
            description=description if description is not None else doc.summary,
            title=title,
            annotations=_read_annotations(annotations, tool_name),
            native=native,
            blocking=blocking,
            timeout=timeout,
            streams=streams,
        )

    @property
    def structured(self) -> bool:
        """Whether results carry `structuredContent` (any typed return but None)."""
        return self.returns is not None and self.returns.kind != "none"

    @property
    def wraps_result(self) -> bool:
        """Non-object results are wrapped as `{"result": value}`, as the reference SDK does."""
        return self.structured and self.returns.kind not in ("dict", "object")  # type: ignore[union-attr]

    def input_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object", "properties": {p.name: p.schema() for p in self.params}}
        required = [p.name for p in self.params if p.required]
        if required:
            schema["required"] = required
        return schema

    def output_schema(self) -> dict[str, Any] | None:
        if not self.structured:
            return None
        assert self.returns is not None
        if self.wraps_result:
            return {"type": "object", "properties": {"result": self.returns.schema()}, "required": ["result"]}
        return self.returns.schema()

    def definition(self) -> dict[str, Any]:
        """The tool as `tools/list` lists it."""
        entry: dict[str, Any] = {"name": self.name}
        if self.title:
            entry["title"] = self.title
        entry["description"] = self.description
        entry["inputSchema"] = self.input_schema()
        if (output := self.output_schema()) is not None:
            entry["outputSchema"] = output
        if self.annotations:
            entry["annotations"] = dict(self.annotations)
        return entry


def _items_as_list(annotation: Any, tool_name: str) -> Any:
    """A generator tool's final result is the list of what it yielded: `Iterator[T]`,
    `Iterable[T]` and `Generator[T, ...]` read as `list[T]`; a bare `Iterator` as `list`."""
    origin = typing.get_origin(annotation) or annotation
    if origin not in _ITERATORS:
        raise ToolDefinitionError(
            f"tool {tool_name!r} yields, so its return type must be Iterator[T] (or Generator[T, None, None]),"
            f" not {annotation!r}"
        )
    args = typing.get_args(annotation)
    return list[args[0]] if args else list  # type: ignore[valid-type]


_ITERATORS = {
    collections.abc.Iterator,
    collections.abc.Iterable,
    collections.abc.Generator,
    typing.Iterator,
    typing.Iterable,
    typing.Generator,
}


def check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ToolDefinitionError(
            f"invalid tool name {name!r}: use 1-128 characters from A-Z, a-z, 0-9, '_', '-' and '.'"
        )


def source_of(fn: Callable[..., Any]) -> Source:
    try:
        lines, first_line = inspect.getsourcelines(fn)
    except (OSError, TypeError) as exc:
        raise ToolDefinitionError(
            f"cannot read the source of {fn.__name__!r} ({exc}); Conduit compiles a tool from its source, "
            "so define it in a file or a notebook cell"
        ) from None
    return Source(textwrap.dedent("".join(lines)), inspect.getsourcefile(fn) or "<unknown>", first_line)


def _read_params(fn: Callable[..., Any], docs: Mapping[str, str]) -> list[Param]:
    params = []
    for p in inspect.signature(fn, eval_str=True).parameters.values():
        where = f"tool {fn.__name__!r}, parameter {p.name!r}"
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
            raise ToolDefinitionError(f"{where}: *args, **kwargs and positional-only parameters are not supported")
        if p.annotation is p.empty:
            raise ToolDefinitionError(f"{where} needs a type annotation, e.g. `{p.name}: str`")
        spec = parse_annotation(p.annotation, where)
        if p.default is not p.empty:
            _check_default(spec, p.default, where)
        params.append(Param(p.name, spec, p.default, docs.get(p.name, "")))
    return params


def _check_default(spec: TypeSpec, value: Any, where: str) -> None:
    if not spec.accepts(value):
        raise ToolDefinitionError(f"{where}: default {value!r} does not match its type ({spec.describe()})")


def _read_annotations(annotations: Any, tool_name: str) -> dict[str, Any]:
    if annotations is None:
        return {}
    if hasattr(annotations, "model_dump"):
        annotations = annotations.model_dump(by_alias=True, exclude_none=True)
    unknown = set(annotations) - _ANNOTATION_HINTS
    if unknown:
        raise ToolDefinitionError(
            f"tool {tool_name!r}: unknown annotation(s) {sorted(unknown)}; use {sorted(_ANNOTATION_HINTS)}"
        )
    return dict(annotations)
