"""Collections: Counter, defaultdict, deque, most_common, sorted(key=...), max(d, key=d.get)."""

from collections import Counter, OrderedDict, defaultdict, deque
from typing import Optional


def word_frequencies(text: str, top: int = 3) -> list:
    """The `top` most common words of a text as [word, count] pairs (ties in first-seen order).

    Args:
        text: Any text.
        top: How many words.
    """
    return Counter(text.lower().split()).most_common(top)


def group_by_length(words: list[str]) -> dict[str, list[str]]:
    """Words grouped by length; keys are lengths as text, shortest first.

    Args:
        words: The words.
    """
    groups = defaultdict(list)
    for word in words:
        groups[len(word)].append(word)
    return {str(length): groups[length] for length in sorted(groups)}


def most_frequent_letter(text: str) -> Optional[str]:
    """The letter that appears most often (the first seen on ties), or null without letters.

    Args:
        text: Any text.
    """
    counts = {}
    for ch in text.lower():
        if ch.isalpha():
            counts[ch] = counts.get(ch, 0) + 1
    if not counts:
        return None
    return max(counts, key=counts.get)


def length_histogram(words: list[str]) -> dict:
    """How many words have each length; the keys are ints, which JSON writes as strings.

    Args:
        words: The words.
    """
    return dict(Counter(len(w) for w in words))


def invert(mapping: dict[str, str]) -> dict[str, list[str]]:
    """Invert key -> value into value -> sorted keys.

    Args:
        mapping: Any string mapping.
    """
    inverted = defaultdict(list)
    for key, value in mapping.items():
        inverted[value].append(key)
    return {value: sorted(keys) for value, keys in inverted.items()}


def dedupe(items: list[str], ignore_case: bool = False) -> list[str]:
    """Items without repeats, in first-seen order.

    Args:
        items: The items.
        ignore_case: Treat "A" and "a" as the same item.
    """
    seen = set()
    result = []
    for item in items:
        key = item.casefold() if ignore_case else item
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def chunk(items: list[int], size: int) -> list[list[int]]:
    """Split a list into chunks of `size` (the last may be shorter).

    Args:
        items: The list.
        size: Chunk length, at least 1.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    return [items[i : i + size] for i in range(0, len(items), size)]


def rank_players(scores: dict[str, int]) -> list:
    """Players by score, best first, ties by name; each row is [rank, name, score].

    Args:
        scores: Name -> score.
    """
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [[rank, name, score] for rank, (name, score) in enumerate(ordered, start=1)]


def merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Add two tallies key by key (keys of a first, then new keys of b).

    Args:
        a: First tally.
        b: Second tally.
    """
    total = Counter(a)
    total.update(b)
    return dict(total)


def rotate(items: list[str], steps: int = 1) -> list[str]:
    """Rotate a list right by `steps` (left when negative) with a deque.

    Args:
        items: The list.
        steps: Places to rotate.
    """
    ring = deque(items)
    ring.rotate(steps)
    return list(ring)


def recent_unique(events: list[str], keep: int = 3) -> list[str]:
    """The last `keep` distinct events, most recent last (an LRU order).

    Args:
        events: Events in the order they happened.
        keep: How many to keep.
    """
    recent = OrderedDict()
    for event in events:
        recent[event] = True
        recent.move_to_end(event)
        if len(recent) > keep:
            recent.popitem(last=False)
    return list(recent)


def inventory_value(stock: dict[str, int], prices: dict[str, float]) -> dict:
    """Value of each stocked item and the total; items without a price are listed as unpriced.

    Args:
        stock: Item -> quantity.
        prices: Item -> unit price.
    """
    values = {item: qty * prices[item] for item, qty in stock.items() if item in prices}
    return {
        "values": values,
        "total": round(sum(values.values()), 2),
        "unpriced": [i for i in stock if i not in prices],
    }
