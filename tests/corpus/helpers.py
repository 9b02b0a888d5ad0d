"""Module-level helpers: one helper shared by two tools, recursion through helpers, memoization,
generators, closures and a helper with a default argument."""

from functools import lru_cache, reduce
from typing import Optional


def _normalize(name: str) -> str:
    """Collapse whitespace and title-case a name: shared by format_name and compare_names."""
    return " ".join(part.capitalize() for part in name.split())


def format_name(first: str, last: str, middle: Optional[str] = None) -> str:
    """A display name "Last, First M." from its parts.

    Args:
        first: Given name.
        last: Family name.
        middle: Middle name, if any.
    """
    display = f"{_normalize(last)}, {_normalize(first)}"
    if middle:
        display += f" {_normalize(middle)[0]}."
    return display


def compare_names(a: str, b: str) -> dict:
    """Whether two names are the same once normalized, and both normal forms.

    Args:
        a: One name.
        b: Another.
    """
    na, nb = _normalize(a), _normalize(b)
    return {"same": na == nb, "a": na, "b": nb}


@lru_cache(maxsize=None)
def _fib(n: int) -> int:
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number (exact; n from 0 to 300).

    Args:
        n: Index, fib(0) = 0.
    """
    if not 0 <= n <= 300:
        raise ValueError("n must be between 0 and 300")
    return _fib(n)


def _ackermann(m: int, n: int) -> int:
    if m == 0:
        return n + 1
    if n == 0:
        return _ackermann(m - 1, 1)
    return _ackermann(m - 1, _ackermann(m, n - 1))


def ackermann(m: int, n: int) -> int:
    """The Ackermann function A(m, n) for small arguments (m <= 2 and n <= 100, or m = 3 and n <= 5).

    Args:
        m: First argument.
        n: Second argument.
    """
    if m < 0 or n < 0 or m > 3 or (m == 3 and n > 5) or n > 100:
        raise ValueError("arguments out of range")
    return _ackermann(m, n)


def _flatten(items):
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def flatten(rows: list[list[int]], extra: list[int] = []) -> list[int]:
    """Flatten nested lists (through a recursive generator) and append extras.

    Args:
        rows: Lists of numbers.
        extra: More numbers.
    """
    return list(_flatten([rows, extra]))


def _hanoi(n: int, source: str, target: str, spare: str, moves: list) -> None:
    if n == 0:
        return
    _hanoi(n - 1, source, spare, target, moves)
    moves.append(f"{source}->{target}")
    _hanoi(n - 1, spare, target, source, moves)


def hanoi(disks: int) -> dict:
    """The moves that solve the towers of Hanoi with up to 10 disks.

    Args:
        disks: Number of disks.
    """
    if not 0 <= disks <= 10:
        raise ValueError("disks must be between 0 and 10")
    moves: list[str] = []
    _hanoi(disks, "A", "C", "B", moves)
    return {"count": len(moves), "moves": moves}


def _permutations(items: list[str]) -> list[list[str]]:
    if len(items) <= 1:
        return [items[:]]
    result = []
    for i, first in enumerate(items):
        for rest in _permutations(items[:i] + items[i + 1 :]):
            result.append([first] + rest)
    return result


def anagrams(word: str) -> list[str]:
    """Distinct rearrangements of a word of up to 7 letters, sorted.

    Args:
        word: The word.
    """
    if len(word) > 7:
        raise ValueError("word too long")
    return sorted({"".join(p) for p in _permutations(list(word))})


def _make_counter(step: int):
    count = 0

    def tick() -> int:
        nonlocal count
        count += step
        return count

    return tick


def count_by(step: int, times: int) -> list[int]:
    """A closure that counts by `step`, called `times` times (at most 1000).

    Args:
        step: The increment.
        times: How many calls.
    """
    tick = _make_counter(step)
    return [tick() for _ in range(min(times, 1000))]


def _collatz_steps(n: int, cache: dict = {}) -> int:
    if n == 1:
        return 0
    if n in cache:
        return cache[n]
    steps = 1 + _collatz_steps(n // 2 if n % 2 == 0 else 3 * n + 1)
    cache[n] = steps
    return steps


def longest_collatz(limit: int) -> dict:
    """The start below `limit` (at most 10000) with the longest Collatz sequence.

    Args:
        limit: Exclusive bound, at least 2.
    """
    if not 2 <= limit <= 10_000:
        raise ValueError("limit must be between 2 and 10000")
    best = max(range(1, limit), key=_collatz_steps)
    return {"start": best, "steps": _collatz_steps(best)}


def compose_ops(value: int, ops: list[str]) -> int:
    """Apply "double", "inc", "square" or "neg" to a value in order (reduce over a table of lambdas).

    Args:
        value: The starting value.
        ops: Operation names.
    """
    table = {"double": lambda x: x * 2, "inc": lambda x: x + 1, "square": lambda x: x * x, "neg": lambda x: -x}
    unknown = [op for op in ops if op not in table]
    if unknown:
        raise KeyError(unknown[0])
    if len(ops) > 50 or ops.count("square") > 6:
        raise ValueError("at most 50 operations, of which 6 squares")
    return reduce(lambda acc, op: table[op](acc), ops, value)
