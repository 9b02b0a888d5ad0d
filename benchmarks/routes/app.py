"""The app of the end-to-end route benchmark: the issue's GET route."""

from conduit import Conduit

app = Conduit("routes-bench")


@app.get("/weather/:city")
def get_weather(req) -> dict:
    return {"city": req.params["city"], "temp": 72}
