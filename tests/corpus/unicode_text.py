"""Non-ASCII text: len and slicing count code points, case mapping beyond ASCII, escapes in
literals (\\u, \\N{...}, \\x, raw strings), ord/chr, and JSON's \\u escapes in the text block."""

import unicodedata

CHECK = "\u2713 "
BULLET = "\N{BULLET}"
ARROW = "\u2192"
LETTER_A = "\x41"
WINDOWS_PATH = r"C:\Users\new\table"
TAB_SEPARATED = "a\tb\\tc"


def char_info(text: str) -> dict:
    """Length in code points, UTF-8 bytes, first/last characters and reversed text.

    Args:
        text: Any text, e.g. "héllo" or an emoji.
    """
    return {
        "length": len(text),
        "utf8_bytes": len(text.encode("utf-8")),
        "first": text[:1],
        "last": text[-1:],
        "middle": text[1:-1],
        "reversed": text[::-1],
        "every_other": text[::2],
        "upper": text.upper(),
        "lower": text.lower(),
        "casefold": text.casefold(),
        "isalpha": text.isalpha(),
        "code_points": [ord(c) for c in text[:8]],
    }


def checklist(items: list[str], done: list[bool]) -> str:
    """A checklist using literal escapes: "\\u2713 " for done items, "\\N{BULLET} " for the rest.

    Args:
        items: Item names.
        done: Whether each is done.
    """
    lines = [(CHECK if d else BULLET + " ") + item for item, d in zip(items, done)]
    return "\n".join(lines)


def escapes() -> dict[str, str]:
    """String literals written with escapes and raw strings, and their lengths."""
    values = {
        "check": CHECK,
        "bullet": BULLET,
        "arrow": ARROW,
        "hex": LETTER_A + "\x42\x43",
        "raw": WINDOWS_PATH,
        "tab": TAB_SEPARATED,
        "newline": "line1\nline2",
        "quote": 'say "hi"',
        "octal": "\101\102",
        "emoji": "\U0001f600",
        "nul": "a\x00b",
        "bell": "\a",
        "combining": "e\u0301",
    }
    values["lengths"] = ",".join(f"{k}={len(v)}" for k, v in list(values.items()))
    return values


def truncate_chars(text: str, limit: int = 5) -> dict:
    """Cut text to `limit` characters (not bytes) and pad it to `limit` + 3.

    Args:
        text: The text.
        limit: Maximum characters.
    """
    cut = text[:limit]
    return {
        "cut": cut,
        "padded": cut.ljust(limit + 3, "\u00b7"),
        "centered": cut.center(limit + 4, "~"),
        "rjust": cut.rjust(limit + 2),
        "cut_len": len(cut),
        "was_cut": len(text) > limit,
    }


def normalize(text: str, form: str = "NFC") -> dict:
    """Unicode normalization (unicodedata, which Codon lacks) and character names.

    Args:
        text: Any text.
        form: "NFC", "NFD", "NFKC" or "NFKD".
    """
    normal = unicodedata.normalize(form, text)
    return {
        "text": normal,
        "length": len(normal),
        "names": [unicodedata.name(c, "?") for c in normal[:6]],
        "categories": [unicodedata.category(c) for c in normal[:6]],
    }


def strip_accents(text: str) -> str:
    """Remove accents: "Crème brûlée" -> "Creme brulee".

    Args:
        text: Any text.
    """
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def char_table(start: int, count: int = 5) -> list[str]:
    """Characters from code point `start`: "U+00E9 é" lines (chr, hex formatting, width).

    Args:
        start: First code point (0 to 0x10FFFF).
        count: How many (at most 64); surrogates are shown as "-".
    """
    rows = []
    for cp in range(start, min(start + min(count, 64), 0x110000)):
        shown = "-" if 0xD800 <= cp <= 0xDFFF or not chr(cp).isprintable() else chr(cp)
        rows.append(f"U+{cp:04X} {shown}")
    return rows


def word_lengths(text: str) -> dict[str, int]:
    """Each word with its length in characters (insertion order, later duplicates overwrite).

    Args:
        text: Words separated by spaces.
    """
    return {word: len(word) for word in text.split()}


def find_substring(text: str, sub: str) -> dict:
    """Where a substring occurs, in characters: find, rfind, count, partition, split and replace.

    Args:
        text: The text.
        sub: Non-empty substring.
    """
    if not sub:
        raise ValueError("empty substring")
    return {
        "find": text.find(sub),
        "rfind": text.rfind(sub),
        "count": text.count(sub),
        "partition": list(text.partition(sub)),
        "split": text.split(sub),
        "replace": text.replace(sub, "[" + sub.upper() + "]"),
        "startswith": text.startswith(sub),
    }


def tidy_lines(text: str) -> dict:
    """The text's non-blank lines, stripped, with their word counts (Python's whitespace is Unicode's).

    Args:
        text: Lines of text, any line breaks and spaces.
    """
    lines = [line.strip() for line in text.splitlines() if line and not line.isspace()]
    return {
        "lines": lines,
        "words": [len(line.split()) for line in lines],
        "left": len(text.lstrip()),
        "right": len(text.rstrip()),
        "blank": text.isspace(),
    }
