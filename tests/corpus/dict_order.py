"""Dict order: Python dicts keep insertion order, and JSON objects are written in that order."""

from typing import Optional


def insertion_order(keys: list[str]) -> dict[str, int]:
    """A dict built by inserting keys in the given order (a repeated key keeps its first place).

    Args:
        keys: Keys in insertion order; each maps to the position where it was last seen.
    """
    result: dict[str, int] = {}
    for i, key in enumerate(keys):
        result[key] = i
    return result


def key_list(mapping: dict[str, int]) -> list[str]:
    """list(d) of the argument: the argument's keys, in the order the request sent them.

    Args:
        mapping: Any object.
    """
    return list(mapping)


def reinsert(mapping: dict[str, int], key: str) -> dict:
    """Delete a key and insert it again: it moves to the end.

    Args:
        mapping: Any object.
        key: The key to move (added when missing).
    """
    value = mapping.pop(key, 0)
    mapping[key] = value
    return {"order": list(mapping), "mapping": mapping}


def pop_last(mapping: dict[str, int], times: int = 1) -> dict:
    """popitem() `times` times: it removes the most recently inserted item each time.

    Args:
        mapping: Any object.
        times: How many items to pop.
    """
    popped = []
    for _ in range(min(times, len(mapping))):
        popped.append(list(mapping.popitem()))
    return {"popped": popped, "left": mapping}


def merge(base: dict[str, int], override: dict[str, int], update_in_place: bool = False) -> dict[str, int]:
    """Merge two dicts: {**a, **b}, or a.update(b); overridden keys keep their original place.

    Args:
        base: The base values.
        override: Values that win.
        update_in_place: Use dict.update instead of unpacking.
    """
    if update_in_place:
        base.update(override)
        return base
    return {**base, **override}


def sort_dict(mapping: dict[str, float], by_value: bool = False, reverse: bool = False) -> dict[str, float]:
    """A new dict in sorted order, by key or by value (stable on ties).

    Args:
        mapping: Any object of numbers.
        by_value: Sort by value instead of key.
        reverse: Largest first.
    """
    items = sorted(mapping.items(), key=(lambda kv: kv[1]) if by_value else (lambda kv: kv[0]), reverse=reverse)
    return dict(items)


def first_and_last(mapping: dict[str, str]) -> dict:
    """The first and last key of a dict (next(iter(d)), next(reversed(d))), or nulls.

    Args:
        mapping: Any object.
    """
    if not mapping:
        return {"first": None, "last": None}
    return {"first": next(iter(mapping)), "last": next(reversed(mapping)), "values": list(mapping.values())}


def counts_in_order(words: list[str]) -> dict:
    """Word counts in first-appearance order, and the same counts sorted by count then word.

    Args:
        words: The words.
    """
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    ranked = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"seen": counts, "ranked": ranked, "keys_equal_order": list(counts) == list(ranked)}


def setdefault_order(pairs: list[str]) -> dict[str, list[str]]:
    """Group "key=value" pairs with setdefault; keys appear in first-seen order.

    Args:
        pairs: e.g. ["b=1", "a=2", "b=3"].
    """
    grouped: dict[str, list[str]] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        grouped.setdefault(key, []).append(value)
    return grouped


def rename_key(mapping: dict[str, int], old: str, new: str) -> Optional[dict[str, int]]:
    """Rename a key keeping its position (rebuilding the dict), or null when old is missing.

    Args:
        mapping: Any object.
        old: The key to rename.
        new: Its new name.
    """
    if old not in mapping:
        return None
    return {(new if k == old else k): v for k, v in mapping.items()}
