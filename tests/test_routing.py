"""Route registration: patterns, conflicts named at registration, and the Python matcher's rules."""

from __future__ import annotations

import pytest

from conduit import Conduit
from conduit.routing import RouteDefinitionError, parse_pattern


def handler(req):
    return ""


def other(req):
    return ""


def test_patterns_parse_into_segments():
    assert [str(s) for s in parse_pattern("/users/:id/files/*path")] == ["users", ":id", "files", "*path"]
    assert parse_pattern("/") == ()


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("users", "must start with '/'"),
        ("/users/", "ends with '/'"),
        ("/a//b", "empty segment"),
        ("/files/*path/more", "must be the last segment"),
        ("/a/:1x", "Python identifier"),
        ("/a/:id/:id", "twice"),
        ("/caf%C3%A9", "static segments use"),
    ],
)
def test_bad_patterns_say_what_to_write(pattern, message):
    with pytest.raises(RouteDefinitionError, match=message):
        Conduit().get(pattern)(handler)


def test_same_method_and_pattern_is_refused_naming_both():
    app = Conduit()
    app.get("/users/:id")(handler)
    with pytest.raises(RouteDefinitionError) as error:
        app.get("/users/:name")(other)
    assert "GET /users/:name (other)" in str(error.value)
    assert "GET /users/:id (handler)" in str(error.value)


def test_overlaps_settled_by_specificity_are_allowed():
    app = Conduit()
    app.get("/users/:id")(handler)
    app.get("/users/me")(other)
    app.post("/users/:name")(other)  # another method
    app.get("/users/*rest")(other)
    assert app.routes.find("GET", "/users/me")[0].route.name == "other"
    assert app.routes.find("GET", "/users/7")[1] == {"id": "7"}
    assert app.routes.find("GET", "/users/7/x")[1] == {"rest": "7/x"}


def test_mcp_cannot_be_a_route():
    with pytest.raises(RouteDefinitionError, match="MCP endpoint"):
        Conduit().post("/mcp")(handler)


def test_methods_and_handlers_are_checked():
    with pytest.raises(RouteDefinitionError, match="methods must be some of"):
        Conduit().route("/x", methods=["FETCH"])(handler)
    with pytest.raises(RouteDefinitionError, match="exactly one argument"):
        Conduit().get("/x")(lambda: "")
    with pytest.raises(RouteDefinitionError, match="needs a path"):
        Conduit().route(handler)


def test_allow_lists_head_with_get_and_options():
    app = Conduit()
    app.route("/items/:id", methods=["GET", "DELETE"])(handler)
    assert app.routes.allowed("/items/3") == ["GET", "HEAD", "DELETE", "OPTIONS"]
    assert app.routes.allowed("/items") == []
