"""Mixed-type literals are rewritten into the JSON builder; everything else, and every line, stays put."""

import ast

from conduit.codegen.literals import rewrite_literals


def rewrite(source: str, params: dict[str, str] | None = None) -> str:
    return rewrite_literals(source, ast.parse(source).body[0], params or {})


def test_mixed_dict_becomes_a_json_object_in_order():
    out = rewrite('def f(city: str):\n    return {"city": city, "temp": 21}\n', {"city": "str"})
    assert out == "def f(city: str):\n    return _cj_object(('city', city), ('temp', 21))\n"


def test_homogeneous_and_unknown_literals_are_left_to_codon():
    source = 'def f(a: int):\n    x = {"a": 1, "b": 2}\n    y = [a, b]\n    return {"k": a, "j": 3}\n'
    assert rewrite(source, {"a": "int"}) == source


def test_nested_literals_and_lines_are_kept():
    source = 'def f():\n    return {\n        "a": [1, "x"],\n        "b": {"c": 1.5, "d": True},\n    }\n'
    out = rewrite(source)
    assert out.count("\n") == source.count("\n")
    assert '_cj_array(1, "x")' in out
    assert "_cj_object(('c', 1.5), ('d', True))" in out
    assert out.startswith("def f():\n    return _cj_object(")
