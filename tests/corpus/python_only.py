"""Tools that need modules Codon does not have (json, textwrap, decimal, fractions, uuid, hashlib,
base64, urllib.parse, html, difflib, zlib): these must be served by CPython, with CPython's answers."""

import base64
import hashlib
import html
import json
import textwrap
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from urllib.parse import parse_qs, quote, urlencode, urlparse

NAMESPACE = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")


def pretty_json(document: str, indent: int = 2, sort_keys: bool = False) -> str:
    """Re-indent a JSON document; invalid JSON is json's own error message.

    Args:
        document: JSON text.
        indent: Spaces per level (0 to 8).
        sort_keys: Sort object keys.
    """
    return json.dumps(json.loads(document), indent=max(0, min(indent, 8)), sort_keys=sort_keys, ensure_ascii=False)


def json_roundtrip(document: str) -> dict:
    """Parse JSON and return it with the Python type of the top-level value.

    Args:
        document: JSON text.
    """
    try:
        value = json.loads(document)
    except json.JSONDecodeError as e:
        return {"error": e.msg, "line": e.lineno, "column": e.colno}
    return {"type": type(value).__name__, "value": value, "compact": json.dumps(value, separators=(",", ":"))}


def wrap(text: str, width: int = 40, indent: str = "") -> dict:
    """Wrap text to a width with textwrap, plus fill, shorten and dedent.

    Args:
        text: The text.
        width: Line width (10 to 200).
        indent: Prefix for every line.
    """
    width = max(10, min(width, 200))
    return {
        "lines": textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent),
        "fill": textwrap.fill(text, width=width),
        "shorten": textwrap.shorten(text, width=width, placeholder=" [...]"),
        "dedent": textwrap.dedent(text),
        "indented": textwrap.indent(text, "> "),
    }


def money_total(amounts: list[str], tax_rate: str = "0.2") -> dict:
    """Exact decimal money: sum amounts, add tax, round half up to cents.

    Args:
        amounts: Amounts as text, e.g. ["19.99", "0.01"].
        tax_rate: The tax rate as text.
    """
    try:
        values = [Decimal(a) for a in amounts]
        rate = Decimal(tax_rate)
    except InvalidOperation:
        raise ValueError("amounts must be decimal numbers") from None
    subtotal = sum(values, Decimal("0"))
    tax = (subtotal * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "subtotal": str(subtotal),
        "tax": str(tax),
        "total": str(subtotal + tax),
        "float_total": float(subtotal + tax),
        "binary_sum": sum(float(a) for a in amounts),
    }


def add_fractions(fractions: list[str]) -> dict:
    """Add fractions like "1/3" exactly with fractions.Fraction.

    Args:
        fractions: Fractions as text ("1/3", "-2/7", "0.25").
    """
    total = sum((Fraction(f) for f in fractions), Fraction(0))
    return {
        "total": str(total),
        "numerator": total.numerator,
        "denominator": total.denominator,
        "float": float(total),
        "mixed": f"{total.numerator // total.denominator} {total - total.numerator // total.denominator}",
    }


def name_uuid(name: str) -> dict:
    """Deterministic UUIDs for a name (uuid5 and uuid3 in a fixed namespace).

    Args:
        name: Any text.
    """
    u5 = uuid.uuid5(NAMESPACE, name)
    return {
        "uuid5": str(u5),
        "uuid3": str(uuid.uuid3(NAMESPACE, name)),
        "hex": u5.hex,
        "version": u5.version,
        "int_bits": u5.int.bit_length(),
    }


def digest(text: str, algorithm: str = "sha256") -> dict:
    """Hex digest of UTF-8 text with hashlib (sha256, sha1, md5, blake2b, ...).

    Args:
        text: The text.
        algorithm: A hashlib algorithm name.
    """
    data = text.encode("utf-8")
    return {
        "hexdigest": hashlib.new(algorithm, data).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }


def b64(text: str, decode: bool = False, urlsafe: bool = False) -> str:
    """Base64-encode UTF-8 text, or decode base64 to text.

    Args:
        text: Text, or base64 when decoding.
        decode: Decode instead of encode.
        urlsafe: Use the URL-safe alphabet.
    """
    if decode:
        raw = base64.urlsafe_b64decode(text) if urlsafe else base64.b64decode(text, validate=True)
        return raw.decode("utf-8")
    data = text.encode("utf-8")
    return (base64.urlsafe_b64encode(data) if urlsafe else base64.b64encode(data)).decode("ascii")


def parse_url(url: str) -> dict:
    """The parts of a URL and its query parameters, with urllib.parse.

    Args:
        url: e.g. "https://example.com:8080/a/b?x=1&x=2&y=%C3%A9#top".
    """
    parts = urlparse(url)
    return {
        "scheme": parts.scheme,
        "host": parts.hostname,
        "port": parts.port,
        "path": parts.path,
        "query": parse_qs(parts.query),
        "fragment": parts.fragment,
        "quoted_path": quote(parts.path),
    }


def build_query(params: dict[str, str], base: str = "https://example.com/search") -> str:
    """A URL with percent-encoded query parameters (urlencode).

    Args:
        params: Parameter -> value.
        base: The URL before the query.
    """
    return f"{base}?{urlencode(params)}" if params else base


def escape_html(text: str, quote_marks: bool = True) -> dict[str, str]:
    """HTML-escape text and unescape entities, with the html module.

    Args:
        text: Any text.
        quote_marks: Escape quotes too.
    """
    return {"escaped": html.escape(text, quote=quote_marks), "unescaped": html.unescape(text)}


def diff_lines(before: str, after: str) -> list[str]:
    """A unified diff of two texts with difflib.

    Args:
        before: The old text.
        after: The new text.
    """
    import difflib

    return list(difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", lineterm=""))


def checksum(text: str) -> dict[str, int]:
    """CRC-32 and Adler-32 of UTF-8 text with zlib.

    Args:
        text: The text.
    """
    import zlib

    data = text.encode()
    return {"crc32": zlib.crc32(data), "adler32": zlib.adler32(data), "compressed_size": len(zlib.compress(data, 9))}
