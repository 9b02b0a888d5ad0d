"""String tools: the everyday str methods, slicing, joining, and `x or default` values."""

import re
import string
from typing import Optional

VOWELS = "aeiouAEIOU"


def _words(text: str) -> list[str]:
    """Lower-case words of `text`, punctuation stripped (shared by word_count and longest_word)."""
    return [w.strip(string.punctuation).lower() for w in text.split() if w.strip(string.punctuation)]


def word_count(text: str) -> int:
    """Count the words in a text, ignoring punctuation.

    Args:
        text: Any text.
    """
    return len(_words(text))


def longest_word(text: str) -> Optional[str]:
    """The longest word of a text (the first one on ties), or null for a text without words.

    Args:
        text: Any text.
    """
    words = _words(text)
    if not words:
        return None
    return max(words, key=len)


def slugify(title: str, separator: str = "-") -> str:
    """Turn a title into a URL slug: lower case, runs of other characters become one separator.

    Args:
        title: The title, e.g. "Hello, World!".
        separator: What joins the words.
    """
    slug = re.sub(r"[^a-z0-9]+", separator, title.lower())
    return slug.strip(separator)


def greet(name: str = "", greeting: str = "Hello") -> str:
    """Greet someone; an empty or blank name greets "anonymous".

    Args:
        name: Who to greet.
        greeting: The greeting word.
    """
    who = name.strip() or "anonymous"
    return greeting + ", " + who + "!"


def clean_fields(fields: list[str]) -> dict:
    """Strip each field; blank fields become null, others keep their stripped text.

    Args:
        fields: Raw fields, e.g. from a form.
    """
    cleaned = [f and f.strip() or None for f in fields]
    return {"fields": cleaned, "filled": sum(1 for f in cleaned if f), "blank": cleaned.count(None)}


def initials(full_name: str) -> str:
    """Initials of a name, e.g. "Ada King Lovelace" -> "A.K.L.".

    Args:
        full_name: A person's name.
    """
    return "".join(part[0].upper() + "." for part in full_name.split())


def caesar(text: str, shift: int = 3) -> str:
    """Shift each ASCII letter by `shift` places (negative shifts go back), keeping case.

    Args:
        text: The text to encode.
        shift: How many places.
    """
    out = []
    for ch in text:
        if ch in string.ascii_lowercase:
            out.append(chr((ord(ch) - ord("a") + shift) % 26 + ord("a")))
        elif ch in string.ascii_uppercase:
            out.append(chr((ord(ch) - ord("A") + shift) % 26 + ord("A")))
        else:
            out.append(ch)
    return "".join(out)


def is_palindrome(text: str) -> bool:
    """Whether a text reads the same backwards, ignoring case, spaces and punctuation.

    Args:
        text: The text.
    """
    letters = [c.lower() for c in text if c.isalnum()]
    return letters == letters[::-1]


def vowel_report(word: str) -> dict:
    """Vowels in a word: how many, which ones (in order of first appearance), and the first one.

    Args:
        word: Any word.
    """
    seen = []
    for ch in word:
        if ch in VOWELS and ch.lower() not in seen:
            seen.append(ch.lower())
    return {"word": word, "count": sum(ch in VOWELS for ch in word), "distinct": seen, "first": first_vowel(word)}


def first_vowel(word: str) -> Optional[str]:
    """The first vowel of a word, or null when it has none.

    Args:
        word: Any word.
    """
    for ch in word:
        if ch in VOWELS:
            return ch


def truncate(text: str, width: int = 20, placeholder: str = "...") -> str:
    """Cut a text to at most `width` characters, ending with the placeholder when cut.

    Args:
        text: The text.
        width: The maximum length of the result.
        placeholder: What marks the cut.
    """
    if width < len(placeholder):
        raise ValueError(f"width must be at least {len(placeholder)}")
    if len(text) <= width:
        return text
    return text[: width - len(placeholder)].rstrip() + placeholder


def split_camel(identifier: str) -> list[str]:
    """Split camelCase or PascalCase (with acronyms) into lower-case words.

    Args:
        identifier: e.g. "parseHTTPResponseCode".
    """
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|\b)|[A-Z]?[a-z]+|[A-Z]+|\d+", identifier)
    return [p.lower() for p in parts]


def text_stats(text: str):
    """Characters, words, lines and the most common letter of a text (unannotated result)."""
    letters = [c.lower() for c in text if c.isalpha()]
    counts = {}
    for c in letters:
        counts[c] = counts.get(c, 0) + 1
    top = max(counts, key=counts.get) if counts else None
    return {
        "chars": len(text),
        "words": len(text.split()),
        "lines": len(text.splitlines()),
        "top_letter": top,
        "upper": text.upper(),
        "swapped": text.swapcase(),
        "centered": text.center(11, "*"),
        "title": text.title(),
        "starts_upper": text[:1].isupper(),
    }
