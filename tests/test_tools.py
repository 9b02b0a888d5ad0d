"""The app model: what a tool's signature and docstring become, and the errors for what they cannot."""

from typing import Literal, Optional

import pytest

from conduit import Conduit, ToolDefinitionError
from conduit.typespec import parse_annotation


def test_schema_from_signature_and_google_docstring():
    app = Conduit("t")

    @app.tool()
    def weather(city: str, units: Literal["metric", "imperial"] = "metric", days: Optional[int] = None) -> dict:
        """Get the weather.

        Args:
            city: City name, e.g. "Paris".
            units: Unit system.
            days: How many days
                to forecast.
        """
        return {}

    definition = app.tools["weather"].definition()
    assert definition["description"] == "Get the weather."
    assert definition["inputSchema"] == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": 'City name, e.g. "Paris".'},
            "units": {
                "type": "string",
                "enum": ["metric", "imperial"],
                "default": "metric",
                "description": "Unit system.",
            },
            "days": {
                "anyOf": [{"type": "integer"}, {"type": "null"}],
                "default": None,
                "description": "How many days to forecast.",
            },
        },
        "required": ["city"],
    }
    assert definition["outputSchema"] == {"type": "object"}


def test_numpy_docstring_and_containers():
    app = Conduit("t")

    @app.tool(title="Sum", annotations={"readOnlyHint": True})
    def total(xs: list[float], weights: dict[str, int]) -> float:
        """Add numbers.

        Parameters
        ----------
        xs : list of float
            The numbers.
        weights : dict
            Per-name weights.
        """
        return 0.0

    definition = app.tools["total"].definition()
    assert definition["title"] == "Sum"
    assert definition["annotations"] == {"readOnlyHint": True}
    props = definition["inputSchema"]["properties"]
    assert props["xs"] == {"type": "array", "items": {"type": "number"}, "description": "The numbers."}
    assert props["weights"] == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "description": "Per-name weights.",
    }
    assert definition["outputSchema"] == {
        "type": "object",
        "properties": {"result": {"type": "number"}},
        "required": ["result"],
    }


def test_mcp_tool_spelling_and_bare_decorator():
    app = Conduit("t")

    @app.mcp_tool("forecast")
    def weather(city: str) -> str:
        return city

    @app.tool
    def ping() -> str:
        return "pong"

    assert set(app.tools) == {"forecast", "ping"}


@pytest.mark.parametrize("name", ["", "has space", "x" * 129, "slash/name", "ünïcode"])
def test_invalid_names_are_refused(name):
    app = Conduit("t")
    with pytest.raises(ToolDefinitionError, match="invalid tool name"):
        app.tool(name)(lambda_free)


def lambda_free(x: int) -> int:
    return x


def test_duplicate_names_are_refused():
    app = Conduit("t")
    app.tool("same")(lambda_free)
    with pytest.raises(ToolDefinitionError, match="already registered"):
        app.tool("same")(lambda_free)


def test_unsupported_types_say_what_is_supported():
    app = Conduit("t")

    def bad(x: set) -> int:
        return 0

    with pytest.raises(ToolDefinitionError, match=r"parameter 'x'.*use str, int, float, bool"):
        app.tool()(bad)

    def untyped(x) -> int:
        return 0

    with pytest.raises(ToolDefinitionError, match="needs a type annotation"):
        app.tool()(untyped)

    def wrong_default(x: int = "a") -> int:
        return 0

    with pytest.raises(ToolDefinitionError, match="default .a. does not match its type"):
        app.tool()(wrong_default)


def test_a_generator_tool_answers_with_the_list_of_its_items():
    from collections.abc import Generator, Iterator

    app = Conduit("t")

    @app.tool()
    def docs(q: str) -> Iterator[str]:
        yield q

    @app.tool()
    def pairs(n: int) -> Generator[dict[str, int], None, None]:
        yield {"n": n}

    assert app.tools["docs"].streams and app.tools["docs"].output_schema() == {
        "type": "object",
        "properties": {"result": {"type": "array", "items": {"type": "string"}}},
        "required": ["result"],
    }
    assert app.tools["pairs"].returns == parse_annotation(list[dict[str, int]], "a list", is_return=True)


def test_a_generator_tool_must_say_it_returns_an_iterator():
    app = Conduit("t")

    def wrong(q: str) -> list[str]:
        yield q

    with pytest.raises(ToolDefinitionError, match=r"yields, so its return type must be Iterator\[T\]"):
        app.tool()(wrong)

    async def later(q: str) -> str:
        return q

    with pytest.raises(ToolDefinitionError, match="async tools are not supported"):
        app.tool()(later)
