"""The app every backend serves in the route suite: one route per kind of request and result."""

from conduit import Conduit, Response

app = Conduit("routes-test")


@app.tool()
def add(a: int, b: int) -> int:
    """Add two integers (so /mcp is served beside the routes)."""
    return a + b


@app.get("/")
def index(req) -> str:
    return "home"


@app.get("/weather/:city")
def get_weather(req) -> dict:
    return {"city": req.params["city"], "temp": 72}


@app.post("/tools/call")
def call_tool(req) -> dict:
    body = req.json()
    return {"result": "success", "echo": body["name"]}


@app.get("/files/*path")
def files(req) -> str:
    return "file:" + req.params["path"]


@app.get("/users/me")
def me(req) -> dict:
    return {"user": "me"}


@app.route("/users/:id", methods=["GET", "PUT", "DELETE"])
def user(req) -> dict:
    return {"id": req.params["id"], "method": req.method}


@app.get("/users/:id/posts/:post")
def user_post(req) -> dict:
    return {"id": req.params["id"], "post": req.params["post"]}


@app.get("/search")
def search(req) -> dict:
    return {"q": req.query.get("q", ""), "tags": req.query.getlist("tag"), "has_page": "page" in req.query}


@app.get("/headers")
def headers(req) -> dict:
    return {"agent": req.headers["X-Agent"], "lower": req.headers.get("x-agent", "none"), "path": req.path}


@app.post("/text")
def text(req) -> str:
    return req.text().upper()


@app.post("/raw")
def raw(req) -> bytes:
    return req.body


@app.post("/created")
def created(req) -> Response:
    return Response(201, {"created": req.json()["id"]}, {"Location": "/items/1"})


@app.get("/teapot")
def teapot(req) -> Response:
    return Response(418, "short and stout", {"X-Kind": "teapot"})


@app.get("/boom")
def boom(req) -> dict:
    raise ValueError("boom")


@app.get("/divide/:n")
def divide(req) -> dict:
    return {"result": 10 // int(req.params["n"])}


@app.post("/sum")
def total(req) -> dict:
    body = req.json()
    s = 0
    for x in body["xs"]:
        s += int(x)
    return {"sum": s, "n": len(body["xs"]), "label": str(body["label"]), "ratio": float(body["ratio"])}


@app.options("/cors")
def cors(req) -> Response:
    return Response(204, "", {"Access-Control-Allow-Origin": "*"})
