"""The app every backend serves in the protocol suite: one tool per kind of value and failure."""

from typing import Literal, Optional

from conduit import Conduit

app = Conduit("protocol-test", version="1.2.3", instructions="Tools for the protocol suite.")


@app.tool(annotations={"readOnlyHint": True})
def weather(city: str, units: str = "metric") -> dict:
    """Get the current weather for a city.

    Args:
        city: City name, e.g. "Paris".
        units: "metric" or "imperial".
    """
    return {"city": city, "temp": 21, "units": units, "ok": True}


@app.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@app.tool()
def divide(a: int, b: int) -> int:
    """Integer division; b = 0 is the user's mistake, not the server's."""
    return a // b


@app.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


@app.tool()
def fail(message: str) -> str:
    """Always raises."""
    raise ValueError(message)


@app.tool()
def stats(xs: list[float], label: Optional[str] = None) -> dict[str, float]:
    """Mean and maximum of the numbers."""
    total = 0.0
    top = xs[0] if len(xs) > 0 else 0.0
    for x in xs:
        total += x
        if x > top:
            top = x
    return {"mean": total / len(xs) if len(xs) > 0 else 0.0, "max": top}


@app.tool()
def pick(mode: Literal["fast", "slow"], weights: dict[str, int] = {}) -> list[str]:
    """Echo the mode and the sorted weight names."""
    names = [mode]
    for key in sorted(weights.keys()):
        names.append(key)
    return names
