"""The small standard modules Codon has: itertools, bisect, heapq, string, time (fixed structs
only), functools and operator."""

import bisect
import heapq
import itertools
import operator
import string
import time
from functools import reduce
from itertools import accumulate, combinations, groupby

GRADE_BOUNDS = [60, 70, 80, 90]
GRADES = "FDCBA"


def grade(scores: list[int]) -> list[str]:
    """Letter grades with bisect over a table of bounds (90+ is A).

    Args:
        scores: Scores from 0 to 100.
    """
    return [GRADES[bisect.bisect(GRADE_BOUNDS, s)] for s in scores]


def insert_sorted(values: list[int], new: list[int]) -> dict:
    """Insert values into a sorted copy with bisect.insort, and where each would go.

    Args:
        values: Existing values (sorted first).
        new: Values to insert.
    """
    result = sorted(values)
    positions = []
    for v in new:
        positions.append(bisect.bisect_left(result, v))
        bisect.insort(result, v)
    return {"result": result, "positions": positions}


def top_k(values: list[float], k: int = 3) -> dict:
    """The k largest and smallest values with heapq, and a heap-sorted copy.

    Args:
        values: The values.
        k: How many.
    """
    heap = list(values)
    heapq.heapify(heap)
    ordered = [heapq.heappop(heap) for _ in range(len(heap))]
    return {"largest": heapq.nlargest(k, values), "smallest": heapq.nsmallest(k, values), "sorted": ordered}


def schedule(tasks: dict[str, int]) -> list[str]:
    """Order tasks by priority (lowest first, ties by name) through a heap of tuples.

    Args:
        tasks: Task name -> priority.
    """
    heap = []
    for name, priority in tasks.items():
        heapq.heappush(heap, (priority, name))
    order = []
    while heap:
        priority, name = heapq.heappop(heap)
        order.append(f"{priority}:{name}")
    return order


def merge_sorted(a: list[int], b: list[int], c: list[int] = []) -> list[int]:
    """Merge already-sorted lists lazily with heapq.merge.

    Args:
        a: A sorted list.
        b: Another.
        c: A third, optional.
    """
    return list(heapq.merge(sorted(a), sorted(b), sorted(c)))


def runs(text: str) -> list:
    """Run-length encoding with itertools.groupby: [[char, count], ...].

    Args:
        text: Any text.
    """
    return [[char, len(list(group))] for char, group in groupby(text)]


def pairs_summing_to(values: list[int], target: int) -> list[list[int]]:
    """All pairs (by position) whose sum is target, with itertools.combinations (at most 200 values).

    Args:
        values: The values.
        target: The sum.
    """
    if len(values) > 200:
        raise ValueError("at most 200 values")
    return [list(pair) for pair in combinations(values, 2) if sum(pair) == target]


def running_totals(values: list[int]) -> dict:
    """Running sum, running max and running product with itertools.accumulate.

    Args:
        values: The values (at most 500).
    """
    values = values[:500]
    return {
        "sum": list(accumulate(values)),
        "max": list(accumulate(values, max)),
        "product": list(accumulate(values, operator.mul))[:20],
        "initial": list(accumulate(values, initial=100)),
    }


def combos(items: list[str], size: int = 2) -> dict:
    """Permutations, combinations, products and pairwise of up to 6 items.

    Args:
        items: The items.
        size: Group size (0 to 3).
    """
    items = items[:6]
    size = max(0, min(size, 3))
    return {
        "permutations": ["".join(p) for p in itertools.permutations(items, size)],
        "combinations": ["".join(c) for c in itertools.combinations(items, size)],
        "with_replacement": len(list(itertools.combinations_with_replacement(items, size))),
        "product": ["".join(p) for p in itertools.product(items[:3], repeat=2)],
        "pairwise": [a + b for a, b in itertools.pairwise(items)],
        "chain": list(itertools.chain(items, reversed(items))),
        "cycle": list(itertools.islice(itertools.cycle(items), 8)) if items else [],
        "zip_longest": [list(t) for t in itertools.zip_longest(items, range(3), fillvalue="-")],
        "starmap": list(itertools.starmap(operator.add, zip(items, items))),
        "compress": list(itertools.compress(items, [1, 0, 1])),
        "takewhile": list(itertools.takewhile(lambda s: len(s) < 4, items)),
    }


def string_constants(text: str) -> dict:
    """Characters of a text classified with the string module's constants, and string.capwords.

    Args:
        text: Any text.
    """
    return {
        "letters": sum(c in string.ascii_letters for c in text),
        "digits": sum(c in string.digits for c in text),
        "punctuation": "".join(c for c in text if c in string.punctuation),
        "whitespace": sum(c in string.whitespace for c in text),
        "capwords": string.capwords(text),
        "hexdigits": all(c in string.hexdigits for c in text),
        "template": string.Template("$who says ${what}").safe_substitute(who=text[:5]),
        "upper_letters": string.ascii_uppercase[:5],
    }


def format_epoch(seconds: int, fmt: str = "%Y-%m-%d %H:%M:%S") -> dict:
    """A Unix time in UTC through time.gmtime and time.strftime (no clock is read).

    Args:
        seconds: Seconds since 1970-01-01 UTC (0 to 10**10).
        fmt: A strftime format.
    """
    if not 0 <= seconds <= 10**10:
        raise ValueError("seconds out of range")
    t = time.gmtime(seconds)
    return {
        "text": time.strftime(fmt, t),
        "weekday": t.tm_wday,
        "yday": t.tm_yday,
        "struct": list(t[:6]),
        "iso": time.strftime("%Y-%m-%dT%H:%M:%SZ", t),
    }


def product_of(values: list[int]) -> int:
    """The product with functools.reduce and operator.mul (1 for no values; at most 100 values).

    Args:
        values: The factors.
    """
    return reduce(operator.mul, values[:100], 1)
