"""Regular expressions: findall, groups and named groups, sub with backreferences and callables."""

import re
from typing import Optional

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LOG_LINE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2}:\d{2}) \[(?P<level>[A-Z]+)\] (?P<message>.*)$"
)
ISO_DATE = r"(\d{4})-(\d{2})-(\d{2})"


def extract_emails(text: str) -> list[str]:
    """Every e-mail address in a text, lower-cased, in order, without duplicates.

    Args:
        text: Any text.
    """
    found = []
    for address in EMAIL.findall(text):
        address = address.lower()
        if address not in found:
            found.append(address)
    return found


def parse_log_line(line: str) -> dict:
    """Split a log line "YYYY-MM-DD HH:MM:SS [LEVEL] message" into its parts.

    Args:
        line: One line of a log.

    Raises:
        ValueError: when the line does not have that shape.
    """
    match = LOG_LINE.match(line.strip())
    if match is None:
        raise ValueError(f"not a log line: {line!r}")
    parts = match.groupdict()
    parts["is_error"] = parts["level"] in ("ERROR", "CRITICAL")
    parts["span"] = list(match.span("message"))
    return parts


def us_to_iso_dates(text: str) -> str:
    """Rewrite every US date (MM/DD/YYYY) in a text as ISO (YYYY-MM-DD).

    Args:
        text: Text with dates such as 12/31/1999.
    """
    return re.sub(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", lambda m: f"{m[3]}-{int(m[1]):02d}-{int(m[2]):02d}", text)


def normalize_phone(number: str, country_code: str = "1") -> str:
    """Normalize a 10-digit phone number to +C (AAA) BBB-CCCC.

    Args:
        number: Digits with any punctuation, e.g. "555.123.4567".
        country_code: The country calling code.
    """
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits.startswith(country_code):
        digits = digits[len(country_code) :]
    if len(digits) != 10:
        raise ValueError(f"expected 10 digits, got {len(digits)}")
    return re.sub(r"(\d{3})(\d{3})(\d{4})", r"+" + country_code + r" (\1) \2-\3", digits)


def hashtags(post: str) -> dict[str, int]:
    """Hashtags of a post, lower-cased, with how often each appears (first appearance first).

    Args:
        post: A social-media post.
    """
    counts: dict[str, int] = {}
    for tag in re.findall(r"#(\w+)", post):
        tag = tag.lower()
        counts[tag] = counts.get(tag, 0) + 1
    return counts


def find_dates(text: str) -> list[dict]:
    """ISO dates in a text with where each one starts.

    Args:
        text: Any text.
    """
    return [
        {"year": int(m.group(1)), "month": int(m.group(2)), "day": int(m.group(3)), "at": m.start()}
        for m in re.finditer(ISO_DATE, text)
    ]


def tokenize(expression: str) -> list[str]:
    """Split an arithmetic expression into numbers, names, operators and parentheses.

    Args:
        expression: e.g. "3.5*(x + 42)".
    """
    return [tok for tok in re.split(r"\s*(\d+\.?\d*|[A-Za-z_]\w*|\*\*|[-+*/()])\s*", expression) if tok]


def first_match(pattern: str, text: str, ignore_case: bool = False) -> Optional[dict]:
    """The first match of a user-given pattern: the text matched and its groups, or null.

    Args:
        pattern: A regular expression.
        text: Where to search.
        ignore_case: Match regardless of case.
    """
    flags = re.IGNORECASE if ignore_case else 0
    try:
        m = re.search(pattern, text, flags)
    except re.error as exc:
        return {"error": f"bad pattern: {exc}"}
    if not m:
        return None
    return {"match": m.group(0), "groups": list(m.groups()), "start": m.start(), "end": m.end()}


def redact(text: str, words: list[str]) -> str:
    """Replace each listed word (whole words, any case) with asterisks of the same length.

    Args:
        text: The text.
        words: Words to hide.
    """
    if not words:
        return text
    pattern = r"\b(" + "|".join(re.escape(w) for w in words) + r")\b"
    return re.sub(pattern, lambda m: "*" * len(m.group()), text, flags=re.I)
