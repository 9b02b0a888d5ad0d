"""The route suite: the same HTTP routes from every backend (tests/apps/routes_app.py).

Raw HTTP through httpx: status codes, bodies, headers, HEAD, OPTIONS, 404/405, handler errors.
After a handler raises, the same server must answer the next request.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conduit.serving import Supervisor
from conftest import APPS, BACKENDS, serve_app


@pytest.fixture(scope="session", params=BACKENDS)
def routes_server(request: pytest.FixtureRequest) -> Iterator[Supervisor]:
    yield from serve_app(APPS / "routes_app.py", request.param)


@pytest.fixture
def http(routes_server) -> Iterator[httpx.Client]:
    base = routes_server.url.rsplit("/mcp", 1)[0]
    with httpx.Client(base_url=base) as client:
        yield client


def test_the_issue_example_weather(http):
    response = http.get("/weather/Paris")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"city": "Paris", "temp": 72}


def test_the_issue_example_post_json_echo(http):
    response = http.post("/tools/call", json={"name": "weather", "arguments": {}})
    assert response.json() == {"result": "success", "echo": "weather"}


def test_catch_all_takes_the_rest_of_the_path(http):
    response = http.get("/files/docs/a/b.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "file:docs/a/b.txt"


def test_root_route(http):
    assert http.get("/").text == "home"


def test_static_beats_param_beats_rest(http):
    assert http.get("/users/me").json() == {"user": "me"}
    assert http.get("/users/42").json() == {"id": "42", "method": "GET"}
    assert http.get("/users/me/posts/7").json() == {"id": "me", "post": "7"}


def test_params_are_percent_decoded(http):
    assert http.get("/weather/S%C3%A3o%20Paulo").json()["city"] == "São Paulo"
    assert http.get("/files/a%2Fb").text == "file:a/b"


def test_one_trailing_slash_is_ignored(http):
    assert http.get("/weather/Paris/").json()["city"] == "Paris"
    assert http.get("/users/me/").json() == {"user": "me"}
    assert http.get("/weather/Paris//").status_code == 404


def test_one_route_many_methods(http):
    assert http.put("/users/7").json() == {"id": "7", "method": "PUT"}
    assert http.delete("/users/7").json() == {"id": "7", "method": "DELETE"}


def test_query_is_decoded_and_keeps_repeated_keys(http):
    response = http.get("/search?q=hello+world%21&tag=a&tag=b&page")
    assert response.json() == {"q": "hello world!", "tags": ["a", "b"], "has_page": True}
    assert http.get("/search").json() == {"q": "", "tags": [], "has_page": False}


def test_headers_are_case_insensitive(http):
    response = http.get("/headers", headers={"x-AGENT": "probe/1"})
    assert response.json() == {"agent": "probe/1", "lower": "probe/1", "path": "/headers"}


def test_text_and_bytes(http):
    assert http.post("/text", content=b"shout").text == "SHOUT"
    response = http.post("/raw", content=b"\x00\x01binary")
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content == b"\x00\x01binary"


def test_response_sets_status_headers_and_json_body(http):
    response = http.post("/created", json={"id": 5})
    assert response.status_code == 201
    assert response.headers["location"] == "/items/1"
    assert response.json() == {"created": 5}


def test_response_with_text_body(http):
    response = http.get("/teapot")
    assert response.status_code == 418
    assert response.headers["x-kind"] == "teapot"
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "short and stout"


def test_json_values_convert(http):
    body = {"xs": [1, 2, 3.0], "label": "nums", "ratio": 0.5}
    assert http.post("/sum", json=body).json() == {"sum": 6, "n": 3, "label": "nums", "ratio": 0.5}


def test_handler_that_raises_is_a_500_and_the_server_keeps_serving(http):
    response = http.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"] == "Internal Server Error"
    assert "boom" in response.json()["detail"]
    assert http.get("/divide/0").status_code == 500
    assert http.get("/divide/5").json() == {"result": 2}


def test_body_that_is_not_json_is_a_400(http):
    response = http.post("/tools/call", content=b"{not json")
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert http.post("/tools/call", json={}).status_code == 500  # KeyError: the handler's bug
    assert http.get("/weather/Oslo").status_code == 200


def test_unknown_path_is_a_json_404(http):
    response = http.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found"}
    assert http.get("/weather").status_code == 404  # :city needs a segment
    assert http.get("/files").status_code == 404  # *path needs one too


def test_wrong_method_is_a_405_with_allow(http):
    response = http.post("/weather/Paris")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.json() == {"error": "Method Not Allowed"}
    assert http.patch("/users/1").headers["allow"] == "GET, HEAD, PUT, DELETE, OPTIONS"


def test_head_is_answered_for_every_get(http):
    get = http.get("/weather/Paris")
    head = http.head("/weather/Paris")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == "application/json"


def test_options_lists_the_allowed_methods(http):
    response = http.options("/users/3")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, PUT, DELETE, OPTIONS"
    assert http.options("/nowhere").status_code == 404


def test_an_options_route_wins_over_the_automatic_answer(http):
    response = http.options("/cors")
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"


def test_mcp_is_still_the_mcp_endpoint(http):
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}
    response = http.post("/mcp", json=call, headers=headers)
    assert response.json()["result"]["structuredContent"] == {"result": 5}
