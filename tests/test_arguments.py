"""The Python twin of the native argument decoders: strict types, errors that name the parameter."""

from typing import Literal, Optional

import pytest

from conduit import Conduit
from conduit.python_backend.arguments import ArgumentError, decode_arguments


def make_tool():
    app = Conduit("t")

    @app.tool()
    def tool(
        n: int,
        x: float,
        flag: bool,
        names: list[str],
        m: dict[str, int],
        mode: Literal["a", "b"] = "a",
        maybe: Optional[int] = None,
    ) -> str:
        return ""

    return app.tools["tool"]


GOOD = {"n": 1, "x": 2, "flag": True, "names": ["a"], "m": {"k": 1}}


def test_good_arguments_decode_with_defaults_left_to_python():
    decoded = decode_arguments(make_tool(), GOOD)
    assert decoded == {**GOOD, "x": 2.0}
    assert type(decoded["x"]) is float  # an integer given for a float parameter arrives as a float


@pytest.mark.parametrize(
    "change, message",
    [
        ({"n": True}, "Invalid argument 'n': expected integer"),
        ({"n": 2**63}, "Invalid argument 'n': expected integer"),
        ({"x": "1"}, "Invalid argument 'x': expected number"),
        ({"flag": 1}, "Invalid argument 'flag': expected boolean"),
        ({"names": ["a", 1]}, "Invalid argument 'names': expected array of string"),
        ({"m": {"k": "v"}}, "Invalid argument 'm': expected object of integer"),
        ({"mode": "c"}, "Invalid argument 'mode': expected one of 'a', 'b'"),
        ({"maybe": "1"}, "Invalid argument 'maybe': expected integer or null"),
    ],
)
def test_mistyped_arguments_name_the_parameter(change, message):
    with pytest.raises(ArgumentError) as raised:
        decode_arguments(make_tool(), {**GOOD, **change})
    assert str(raised.value) == message


def test_missing_and_non_object_arguments():
    with pytest.raises(ArgumentError, match="Missing required argument 'n'"):
        decode_arguments(make_tool(), {})
    with pytest.raises(ArgumentError, match="expected an object"):
        decode_arguments(make_tool(), [1])
