"""The generated program: deterministic, readable, and every error points at the user's line."""

import textwrap

import pytest

from conduit import BuildError, UnsupportedCodeError
from conduit.codegen import generate
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
    assert "_cj_object(('city', city), ('temp', 21))" in first.text
    # The user's lines are mapped: the weather body line maps back to line 7 of the file.
    mapped = {first.source_map.get(n).line for n in range(1, first.text.count("\n") + 1) if first.source_map.get(n)}
    assert {5, 6, 7, 9, 10, 11} <= mapped


def test_unsupported_code_names_file_line_and_fix(tmp_path):
    app, path = write_app(
        tmp_path,
        """
        @app.tool()
        def greet(name: str) -> str:
            return "hello {}".format(name)
        """,
    )
    with pytest.raises(UnsupportedCodeError) as raised:
        generate(app)
    assert raised.value.file == str(path)
    assert raised.value.line == 7
    assert 'return "hello {}".format(name)' in str(raised.value)
    assert "f-string" in str(raised.value)


@pytest.mark.native
def test_codon_type_error_maps_back_to_the_user_line(tmp_path):
    app, path = write_app(
        tmp_path,
        """
        @app.tool()
        def broken(n: int) -> int:
            label = "n="
            return label + n
        """,
    )
    with pytest.raises(BuildError) as raised:
        native_build(app)
    assert raised.value.file == str(path)
    assert raised.value.line == 8
    assert "return label + n" in str(raised.value)


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
