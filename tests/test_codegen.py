"""The generated program: deterministic, readable, and every error points at the user's line."""

import textwrap

import pytest

from conduit.codegen import analyze_app, generate
from conduit.loader import load_app
from conduit.serving import native_build


def write_app(tmp_path, body: str):
    path = tmp_path / "tools_app.py"
    path.write_text("from conduit import Conduit\napp = Conduit('t')\n\n" + textwrap.dedent(body))
    return load_app(str(path)), path


def test_program_is_deterministic_and_labels_each_tool(tmp_path):
    app, path = write_app(
        tmp_path,
        """
        @app.tool()
        def weather(city: str) -> dict:
            return {"city": city, "temp": 21}

        @app.tool("sum")
        def total(xs: list[int]) -> int:
            return sum(xs)
        """,
    )
    first, second = generate(app), generate(app)
    assert first.text == second.text
    assert f"# ---- tool 'weather' ({path}, line 5)" in first.text
    assert "# ---- tools/call 'sum'" in first.text
    assert '_cj_object(("city", city), ("temp", 21))' in first.text
    # The user's lines are mapped: the weather body line maps back to line 7 of the file.
    mapped = {first.source_map.get(n).line for n in range(1, first.text.count("\n") + 1) if first.source_map.get(n)}
    assert {6, 7, 10, 11} <= mapped  # each def line and body line


def test_a_tool_codon_cannot_run_as_python_goes_to_cpython_with_its_reason(tmp_path):
    app, path = write_app(
        tmp_path,
        """
        import json

        @app.tool()
        def pretty(text: str) -> str:
            return json.dumps(json.loads(text), indent=2)

        @app.tool()
        def greet(name: str) -> str:
            return "hello {}".format(name)
        """,
    )
    engines = analyze_app(app).engines
    assert engines["greet"].native
    pretty = engines["pretty"]
    assert not pretty.native and pretty.file == str(path)
    assert "json" in pretty.reason
    program = generate(app)
    assert "def greet(" in program.text and "def pretty(" not in program.text


@pytest.mark.native
def test_a_codon_error_sends_the_tool_to_cpython_with_the_users_line(tmp_path):
    app, path = write_app(
        tmp_path,
        """
        @app.tool()
        def broken(n: int) -> int:
            label = "n="
            return label + n

        @app.tool()
        def fine(n: int) -> int:
            return n + 1
        """,
    )
    server = native_build(app)
    broken = server.engines["broken"]
    assert not broken.native
    assert broken.file == str(path) and broken.line == 8
    assert "Codon cannot compile it" in broken.reason
    assert server.engines["fine"].native


def test_the_program_listens_where_the_settings_say(tmp_path):
    app, _ = write_app(
        tmp_path,
        """
        @app.tool()
        def one() -> int:
            return 1
        """,
    )
    text = generate(app, app.settings.with_address("127.0.0.2", 9123)).text
    assert 'host="127.0.0.2", port=9123,' in text


def test_a_one_line_tool_keeps_its_body(tmp_path):
    app, _ = write_app(
        tmp_path,
        """
        @app.tool()
        def add(a: int, b: int) -> int: return a + b
        """,
    )
    text = generate(app, code=analyze_app(app)).text
    assert "def add(a: int, b: int):\n    return _cp.add(a, b)" in text
