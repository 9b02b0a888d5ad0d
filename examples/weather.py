"""The example from the README: one tool, served natively by `python examples/weather.py`."""

from conduit import Conduit

app = Conduit("weather-demo")


@app.tool()  # @app.mcp_tool("weather") is the same
def weather(city: str, units: str = "metric") -> dict:
    """Get the current weather for a city.

    Args:
        city: City name, e.g. "Paris".
        units: "metric" or "imperial".
    """
    return {"city": city, "temp": 21, "units": units}  # mixed value types, as users write them


if __name__ == "__main__":
    app.run()  # compile with Codon, serve http://127.0.0.1:8080/mcp
