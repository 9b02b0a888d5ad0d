"""The value types a tool may take and return, and how each one looks in JSON Schema and Codon.

A tool's signature is read once, at registration, into `TypeSpec` trees. Everything downstream
(the input and output schemas, the Python argument decoder, the generated Codon decoders) reads
the tree, never the annotation, so the two backends agree on what a type means.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union

from .errors import ToolDefinitionError

Kind = Literal["str", "int", "float", "bool", "list", "dict", "optional", "literal", "none", "object", "tuple", "any"]
# Kinds only a return type has: what a tool may return beyond the parameter types.
RETURN_ONLY: frozenset[str] = frozenset({"none", "object", "tuple", "any"})

_SCALARS: dict[Any, Kind] = {str: "str", int: "int", float: "float", bool: "bool"}
_SCHEMA_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


@dataclass(frozen=True)
class TypeSpec:
    """One supported type: a scalar, `list[T]`, `dict[str, T]`, `Optional[T]` or `Literal[...]`.

    Return types may also be `object` (a bare `dict`, `dict[str, Any]`: any JSON object),
    `tuple` (`tuple[int, str]`: a JSON array of those items, `items`) and `any` (`Any`, a bare
    `list`'s items, a union: any JSON value), at any depth.
    """

    kind: Kind
    item: TypeSpec | None = None
    choices: tuple[Any, ...] = ()
    items: tuple[TypeSpec, ...] = ()  # a tuple's item types, in order

    @property
    def concrete(self) -> bool:
        """Whether this is one Codon type (no `object`, `tuple` or `any` inside)."""
        if self.kind in RETURN_ONLY and self.kind != "none":
            return False
        return self.item is None or self.item.concrete

    def schema(self) -> dict[str, Any]:
        """The JSON Schema (2020-12) of this type."""
        if self.kind in _SCHEMA_TYPES:
            return {"type": _SCHEMA_TYPES[self.kind]}
        if self.kind == "list":
            return {"type": "array", "items": self.inner.schema()}
        if self.kind == "dict":
            return {"type": "object", "additionalProperties": self.inner.schema()}
        if self.kind == "optional":
            return {"anyOf": [self.inner.schema(), {"type": "null"}]}
        if self.kind == "literal":
            return {"type": _SCHEMA_TYPES[_literal_kind(self.choices)], "enum": list(self.choices)}
        if self.kind == "none":
            return {"type": "null"}
        if self.kind == "object":
            return {"type": "object"}
        if self.kind == "tuple":
            n = len(self.items)
            return {"type": "array", "prefixItems": [i.schema() for i in self.items], "minItems": n, "maxItems": n}
        return {}

    def codon(self) -> str:
        """The Codon spelling of this type, as used in generated code."""
        if self.kind == "literal":
            return _literal_kind(self.choices)
        if self.kind == "list":
            return f"List[{self.inner.codon()}]"
        if self.kind == "dict":
            return f"Dict[str, {self.inner.codon()}]"
        if self.kind == "optional":
            return f"Optional[{self.inner.codon()}]"
        if self.kind == "none":
            return "NoneType"
        if self.kind in RETURN_ONLY:
            return "Json"
        return self.kind

    def describe(self) -> str:
        """The name a user sees in an error message ("integer", "array of string", ...)."""
        if self.kind in _SCHEMA_TYPES:
            return _SCHEMA_TYPES[self.kind]
        if self.kind == "list":
            return f"array of {self.inner.describe()}"
        if self.kind == "dict":
            return f"object of {self.inner.describe()}"
        if self.kind == "optional":
            return f"{self.inner.describe()} or null"
        if self.kind == "literal":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return self.kind

    def accepts(self, value: Any) -> bool:
        """Whether a JSON value (as `json.loads` gives it) is of this type; ints must fit in 64 bits."""
        kind = self.kind
        if kind == "str":
            return isinstance(value, str)
        if kind == "bool":
            return isinstance(value, bool)
        if kind == "int":
            return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
        if kind == "float":
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "literal":
            return any(type(value) is type(choice) and value == choice for choice in self.choices)
        if kind == "optional":
            return value is None or self.inner.accepts(value)
        if kind == "list":
            return isinstance(value, list) and all(self.inner.accepts(item) for item in value)
        if kind == "dict":
            return isinstance(value, dict) and all(self.inner.accepts(item) for item in value.values())
        return False

    @property
    def inner(self) -> TypeSpec:
        assert self.item is not None, f"{self.kind} has no item type"
        return self.item


def _literal_kind(choices: tuple[Any, ...]) -> Kind:
    kinds = {_SCALARS.get(type(c)) for c in choices}
    if len(kinds) != 1 or None in kinds:
        raise ToolDefinitionError("Literal[...] values must all be str, all int, all float or all bool")
    return kinds.pop()  # type: ignore[return-value]


def parse_annotation(annotation: Any, where: str, *, is_return: bool = False) -> TypeSpec:
    """Read a parameter or return annotation; `where` names it in the error (e.g. "parameter 'city'")."""
    if annotation in _SCALARS:
        return TypeSpec(_SCALARS[annotation])
    if annotation is None or annotation is type(None):
        if is_return:
            return TypeSpec("none")
        raise ToolDefinitionError(f"{where}: None is not a parameter type")
    if is_return:
        if annotation is Any:
            return TypeSpec("any")
        if annotation in (dict, typing.Dict, collections.abc.Mapping):
            return TypeSpec("object")
        if annotation in (list, typing.List, tuple, typing.Tuple):
            return TypeSpec("list", TypeSpec("any"))
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and len(args) == 1:
        return TypeSpec("list", parse_annotation(args[0], where, is_return=is_return))
    if origin is dict and len(args) == 2:
        if args[0] is not str:
            raise ToolDefinitionError(f"{where}: dict keys must be str (JSON object keys), got {args[0]!r}")
        value = parse_annotation(args[1], where, is_return=is_return)
        return TypeSpec("object") if value.kind == "any" else TypeSpec("dict", value)
    if is_return and origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return TypeSpec("list", parse_annotation(args[0], where, is_return=True))
        return TypeSpec("tuple", items=tuple(parse_annotation(a, where, is_return=True) for a in args))
    if origin in (Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            return TypeSpec("optional", parse_annotation(rest[0], where, is_return=is_return))
        if is_return:
            return TypeSpec("any")
        raise ToolDefinitionError(
            f"{where}: unions other than Optional[T] are not supported natively; use one type per parameter"
        )
    if origin is Literal:
        spec = TypeSpec("literal", choices=tuple(args))
        _literal_kind(spec.choices)
        return spec
    hint = " (bare dict/list need item types: dict[str, int], list[str])" if annotation in (dict, list) else ""
    raise ToolDefinitionError(
        f"{where}: type {annotation!r} is not supported; use str, int, float, bool, list[T], "
        f"dict[str, T], Optional[T] or Literal[...]{hint}"
    )
