"""Results of every shape: mixed-type dicts at any depth, comprehensions, tuples, None, and each
return annotation a developer writes (-> dict, -> list, -> list[dict], -> tuple[int, str],
-> dict[str, list[int]], -> dict[str, Any], -> None, none at all)."""

from typing import Any, Optional


def partition_ints(values: list[str]) -> dict:
    """Split strings into those that parse as ints and those that do not.

    Args:
        values: Candidate numbers as text.
    """
    good, bad = [], []
    for value in values:
        try:
            good.append(int(value))
        except ValueError:
            bad.append(value)
    return {"ints": good, "rejected": bad, "sum": sum(good), "all_good": not bad}


def profile(name: str, age: int, tags: list[str] = [], email: Optional[str] = None) -> dict:
    """A user profile nested three levels deep, mixing strings, ints, floats, bools, lists and null.

    Args:
        name: Display name.
        age: Age in years.
        tags: Interests.
        email: Contact address.
    """
    return {
        "user": {
            "name": name or "anonymous",
            "age": age,
            "adult": age >= 18,
            "contact": {"email": email, "verified": False, "domains": [email.split("@")[-1]] if email else []},
        },
        "tags": [{"tag": t, "length": len(t), "weight": round(1 / (i + 1), 3)} for i, t in enumerate(tags)],
        "score": age * 1.5,
        "meta": {"version": 2, "flags": [True, None, 0, "x", 1.0]},
    }


def scores_by_team(players: list[str], scores: list[int]) -> dict[str, list[int]]:
    """Scores grouped by team, from "team:player" labels.

    Args:
        players: Labels like "red:ann".
        scores: Each player's score, in the same order.
    """
    teams: dict[str, list[int]] = {}
    for label, score in zip(players, scores):
        team = label.split(":")[0]
        teams.setdefault(team, []).append(score)
    return teams


def table_rows(header: list[str], rows: list[list[str]]) -> list[dict]:
    """Rows as dicts keyed by the header; missing cells are null, numeric cells become numbers.

    Args:
        header: Column names.
        rows: Cells, row by row.
    """

    def convert(cell: str):
        for kind in (int, float):
            try:
                return kind(cell)
            except ValueError:
                pass
        return cell

    return [{col: convert(row[i]) if i < len(row) else None for i, col in enumerate(header)} for row in rows]


def divide_with_remainder(a: int, b: int) -> tuple[int, str]:
    """Quotient and a sentence about the remainder.

    Args:
        a: Dividend.
        b: Divisor, not zero.
    """
    q, r = divmod(a, b)
    return q, f"{a} = {b} * {q} + {r}"


def min_max(values: list[int]):
    """Smallest and largest value as a pair (unannotated: a tuple, which JSON writes as a list)."""
    return min(values), max(values)


def describe_value(text: str) -> dict[str, Any]:
    """What kind of literal a text is, with its parsed value.

    Args:
        text: e.g. "42", "3.5", "true", "none", "[1, 2]".
    """
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return {"kind": "bool", "value": lowered == "true"}
    if lowered in ("none", "null", ""):
        return {"kind": "null", "value": None}
    if lowered.startswith("[") and lowered.endswith("]"):
        items = [item.strip() for item in lowered[1:-1].split(",") if item.strip()]
        return {"kind": "list", "value": [describe_value(item)["value"] for item in items]}
    try:
        return {"kind": "int", "value": int(lowered)}
    except ValueError:
        pass
    try:
        return {"kind": "float", "value": float(lowered)}
    except ValueError:
        return {"kind": "str", "value": text}


def build_tree(paths: list[str]) -> dict:
    """A nested dict from slash-separated paths; leaves are counts of how often a path appears.

    Args:
        paths: e.g. ["a/b/c", "a/d"].
    """
    tree: dict = {}
    for path in paths:
        node = tree
        parts = [p for p in path.split("/") if p]
        if not parts:
            continue
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        leaf = parts[-1]
        node[leaf] = node[leaf] + 1 if isinstance(node.get(leaf), int) else 1
    return tree


def matrix_summary(rows: list[list[float]]) -> dict:
    """Row sums, column sums and the transpose of a matrix (via comprehensions and zip).

    Args:
        rows: Rows of equal length.
    """
    columns = [list(col) for col in zip(*rows)]
    return {
        "shape": [len(rows), len(columns)],
        "row_sums": [sum(r) for r in rows],
        "col_sums": [sum(c) for c in columns],
        "transpose": columns,
        "diagonal": [rows[i][i] for i in range(min(len(rows), len(columns)))],
        "squares": {f"r{i}": [x * x for x in r] for i, r in enumerate(rows)},
    }


def evens_and_odds(limit: int) -> dict[str, list[int]]:
    """Even and odd numbers below `limit` (at most 1000), and their squares, from comprehensions.

    Args:
        limit: Exclusive bound.
    """
    limit = min(limit, 1000)
    return {
        "evens": [n for n in range(limit) if n % 2 == 0],
        "odds": [n for n in range(limit) if n % 2],
        "squares": [n * n for n in range(limit) if n * n < limit],
    }


def nothing(note: str = "") -> None:
    """Do nothing and return nothing (a result with no content).

    Args:
        note: Ignored.
    """
    note.strip()


def maybe_index(items: list[str], wanted: str) -> Optional[int]:
    """Position of `wanted` in the list, or null.

    Args:
        items: Where to look.
        wanted: What to find.
    """
    return items.index(wanted) if wanted in items else None


def echo_types(flag: bool, count: int, ratio: float, label: str, items: list[int], options: dict[str, bool]) -> list:
    """Each argument back with the name of its Python type.

    Args:
        flag: A boolean.
        count: An integer.
        ratio: A float (an int is accepted and becomes a float).
        label: A string.
        items: Integers.
        options: Named booleans.
    """
    return [
        [name, type(value).__name__, value]
        for name, value in [
            ("flag", flag),
            ("count", count),
            ("ratio", ratio),
            ("label", label),
            ("items", items),
            ("options", options),
        ]
    ]
