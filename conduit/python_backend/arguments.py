"""Decode a tools/call `arguments` object into typed keyword arguments, or say which one is wrong.

This is the Python twin of the decoders generated in Codon (conduit/codegen/decoders.py): both
are strict in the same way (`TypeSpec.accepts`) and word their errors the same way, so a client
sees one behaviour from either backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..tools import Tool
    from ..typespec import TypeSpec


class ArgumentError(ValueError):
    """Arguments that do not fit the tool's signature; answered as JSON-RPC error -32602."""


def decode_arguments(tool: Tool, arguments: Any) -> dict[str, Any]:
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise ArgumentError("Invalid arguments: expected an object")
    kwargs: dict[str, Any] = {}
    for param in tool.params:
        if param.name not in arguments:
            if param.required:
                raise ArgumentError(f"Missing required argument '{param.name}'")
            continue
        kwargs[param.name] = decode_value(param.type, arguments[param.name], param.name)
    return kwargs


def decode_value(spec: TypeSpec, value: Any, name: str) -> Any:
    if not spec.accepts(value):
        raise ArgumentError(f"Invalid argument '{name}': expected {spec.describe()}")
    return _typed(spec, value)


def _typed(spec: TypeSpec, value: Any) -> Any:
    """The value as the native decoders produce it: a JSON integer for a float is a float, at any depth."""
    if spec.kind == "float":
        return float(value)
    if spec.kind == "list":
        return [_typed(spec.inner, v) for v in value]
    if spec.kind == "dict":
        return {k: _typed(spec.inner, v) for k, v in value.items()}
    if spec.kind == "optional" and value is not None:
        return _typed(spec.inner, value)
    return value
