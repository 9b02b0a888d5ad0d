"""Tool code Codon rejects or runs differently is reported before Codon runs, at the user's line."""

import ast
import textwrap

import pytest

from conduit.codegen.subset import check_tool


def findings(source: str) -> list[tuple[int, str]]:
    func = ast.parse(textwrap.dedent(source)).body[0]
    return [(f.line, f.message) for f in check_tool(func)]


def test_clean_tool_has_no_findings():
    assert (
        findings(
            """
        def tool(xs: list[int], name: str) -> str:
            import math
            total = 0
            for x in xs:
                if x > 0 and x < 10:
                    total += x
            squares = [y * y for y in xs if y > 1 or y < -1]
            return f"{name}: {total} {math.sqrt(4)} {len(squares)}"
        """
        )
        == []
    )


@pytest.mark.parametrize(
    "body, line, fragment",
    [
        ("return '{}'.format(x)", 4, "str.format is not in Codon"),
        ("return 'n=%d' % x", 4, "%-formatting"),
        ("return f'{x:.2f}'", 4, "format specs"),
        ("return x.encode()", 4, "str.encode"),
        ("import json\n    return x", 4, "no json module"),
        ("return x or 'default'", 4, "'or' used as a value"),
        ("y = x and 'yes'\n    return y", 4, "'and' used as a value"),
        ("return {}.get(x)", 4, "needs a default"),
        ("return helper(x)", 4, "name 'helper' is not defined inside the tool"),
        ("try:\n        return x\n    except Exception:\n        return ''", 6, "does not catch subclasses"),
        ("try:\n        return x\n    except (KeyError, ValueError):\n        return ''", 6, "one except clause per"),
    ],
)
def test_findings_name_the_line_and_the_fix(body, line, fragment):
    found = findings(f"\n\ndef tool(x: str) -> str:\n    {body}\n")
    assert found, "expected a finding"
    assert found[0][0] == line
    assert fragment in found[0][1]
