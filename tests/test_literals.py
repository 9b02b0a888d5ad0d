"""Which displays become JSON builders (conduit/codegen/literals.py): mixed ones, escaping ones."""

import ast

from conduit.codegen.literals import json_displays


def plan(source: str, params: dict[str, str] | None = None, *, escaping: bool = True):
    func = ast.parse(source).body[0]
    result = json_displays(func, params or {}, escaping=escaping)
    displays = [n for n in ast.walk(func) if isinstance(n, (ast.Dict, ast.List))]
    return result, displays


def test_a_mixed_dict_becomes_a_json_object():
    result, [display] = plan('def f(city: str):\n    return {"city": city, "temp": 21}\n', {"city": "str"})
    assert result.objects == {id(display)}


def test_homogeneous_literals_are_left_to_codon():
    source = 'def f(a: int):\n    x = {"a": 1, "b": 2}\n    return {"k": a, "j": 3}\n'
    result, _ = plan(source, {"a": "int"})
    assert not result.objects and not result.arrays and not result.builders


def test_an_escaping_display_of_unknown_kinds_is_json_in_a_tool_only():
    source = (
        "def f(xs: list[int]):\n    good = [x for x in xs if x > 0]\n    bad = [str(x) for x in xs]\n"
        '    return {"ints": good, "rejected": bad}\n'
    )
    in_tool, [display] = plan(source, {"xs": "List[int]"})
    assert in_tool.objects == {id(display)}
    in_helper, _ = plan(source, escaping=False)
    assert not in_helper.objects  # a helper's caller may read it as a dict


def test_a_dict_only_written_and_returned_becomes_a_builder():
    source = 'def f(n: int):\n    out = {}\n    out["n"] = n\n    out["name"] = "x"\n    return out\n'
    result, [display] = plan(source, {"n": "int"})
    assert result.builders == {id(display): "dict"}


def test_a_dict_read_back_stays_a_codon_dict():
    source = 'def f(n: int):\n    out = {}\n    out["n"] = n\n    return {"twice": out["n"] * 2, "label": "x"}\n'
    result, displays = plan(source, {"n": "int"})
    assert not result.builders
    assert result.objects == {id(displays[1])}


def test_a_list_of_appended_rows_becomes_a_builder_and_its_rows_json():
    source = (
        "def f(names: list[str]):\n    rows = []\n    for i, n in enumerate(names):\n"
        '        rows.append({"i": i, "name": n})\n    return rows\n'
    )
    result, [rows, row] = plan(source, {"names": "List[str]"})
    assert result.builders == {id(rows): "list"}
    assert result.objects == {id(row)}
