"""The app whose generated programs are pinned in tests/golden/: every parameter kind, a route."""

from typing import Literal, Optional

from conduit import Conduit

app = Conduit("golden", version="1.2.3", instructions="Pinned by test_golden.py.")


@app.tool()
def weather(city: str, days: int = 1, metric: bool = True) -> dict:
    """Current weather for a city."""
    return {"city": city, "temp": 21.5, "days": days, "metric": metric}


@app.tool(title="Statistics")
def stats(xs: list[float], weights: dict[str, int], limit: Optional[int] = None) -> float:
    """Mean of some numbers."""
    return sum(xs) / len(xs) if limit is None else float(limit)


@app.tool()
def pick(mode: Literal["fast", "slow"], grid: list[list[int]]) -> str:
    return mode + str(len(grid))


@app.tool()
def ping() -> None:
    pass


@app.get("/items/:id")
def item(req) -> dict:
    return {"id": req.params["id"]}
