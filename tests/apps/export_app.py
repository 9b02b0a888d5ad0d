"""The app the export tests ship: native tools with a helper and a constant, as users write them."""

import math

from conduit import Conduit

app = Conduit("Export Demo", version="1.4.0", instructions="Geometry and greetings.", port=18931)

UNITS = {"cm": 0.01, "m": 1.0, "km": 1000.0}


def _to_metres(value: float, unit: str) -> float:
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    return value * UNITS[unit]


@app.tool()
def circle_area(radius: float, unit: str = "m") -> dict:
    """The area of a circle, in square metres.

    Args:
        radius: The radius.
        unit: cm, m or km.
    """
    r = _to_metres(radius, unit)
    return {"area": round(math.pi * r * r, 6), "unit": "m2"}


@app.tool()
def greet(name: str = "") -> str:
    """Say hello.

    Args:
        name: Who to greet (anyone, when empty).
    """
    return f"Hello, {name or 'anonymous'} \u2713"


@app.tool()
def squares(n: int) -> list[int]:
    """The first n squares.

    Args:
        n: How many (at most 1000).
    """
    if n > 1000:
        raise ValueError("n must be at most 1000")
    return [i * i for i in range(n)]
