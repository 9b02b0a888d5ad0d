"""Formatting: str.format, % formatting, f-string format specs, and how floats print in text."""

from typing import Optional

TEMPLATE = "{name:<10}|{qty:>5}|{price:>9.2f}"
RECEIPT_LINE = "%-12s %3d x %7.2f = %8.2f"


def money(amount: float, currency: str = "$") -> str:
    """An amount with thousands separators and cents, e.g. 1234567.891 -> "$1,234,567.89".

    Args:
        amount: The amount (negative amounts get a leading minus).
        currency: The currency symbol.
    """
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency}{abs(amount):,.2f}"


def format_specs(x: float, n: int) -> dict[str, str]:
    """One float and one int through the common format specs.

    Args:
        x: A float.
        n: An int.
    """
    return {
        "2f": f"{x:.2f}",
        "comma": f"{n:,}",
        "right8": f"{n:>8}",
        "left8": f"{n:<8}|",
        "center": f"{n:^9}",
        "fill": f"{n:*^9}",
        "percent": f"{x:%}",
        "percent1": f"{x:.1%}",
        "zero5": f"{n:05d}",
        "comma2f": f"{x:,.2f}",
        "exp": f"{x:e}",
        "exp3": f"{x:.3e}",
        "general": f"{x:g}",
        "general4": f"{x:.4g}",
        "sign": f"{n:+d}",
        "space": f"{n: d}",
        "hex": f"{n:x}",
        "HEX": f"{n:#X}",
        "octal": f"{n:o}",
        "binary": f"{n:b}",
        "binary8": f"{n:08b}",
        "underscore": f"{n:_}",
        "width_prec": f"{x:10.3f}",
        "repr": f"{x!r}",
        "str": f"{x!s}",
        "debug": f"{n=}",
        "plain": f"{x}",
    }


def receipt(items: list[str], quantities: list[int], prices: list[float]) -> str:
    """A fixed-width receipt written with % formatting, one line per item plus a total.

    Args:
        items: Item names.
        quantities: Quantity of each.
        prices: Unit price of each.
    """
    lines = [RECEIPT_LINE % (item, qty, price, qty * price) for item, qty, price in zip(items, quantities, prices)]
    total = sum(q * p for q, p in zip(quantities, prices))
    lines.append("%-12s %25.2f" % ("TOTAL", total))
    lines.append("%d item(s), %s" % (len(lines) - 1, "paid" if total else "nothing to pay"))
    return "\n".join(lines)


def table(names: list[str], quantities: list[int], prices: list[float]) -> list[str]:
    """Rows of a table through str.format with a module-level template.

    Args:
        names: Row names.
        quantities: Quantities.
        prices: Prices.
    """
    header = "{:<10}|{:>5}|{:>9}".format("name", "qty", "price")
    rows = [TEMPLATE.format(name=n, qty=q, price=p) for n, q, p in zip(names, quantities, prices)]
    return [header, "-" * len(header)] + rows


def sentence(template: str, values: dict[str, str]) -> str:
    """Fill a user's str.format template with named values; a missing name is a KeyError.

    Args:
        template: e.g. "Hello {name}, you are {age}".
        values: Name -> value.
    """
    return template.format(**values)


def percent_style(name: str, score: float, rank: int) -> str:
    """A report line with % formatting: %s, %r, %.1f, %5.1f%%, %03d, %x, %e and %(key)s.

    Args:
        name: Student name.
        score: Score out of 100.
        rank: Class rank.
    """
    first = "%s (%r) scored %.1f, %5.1f%% of the top, rank %03d [%x]" % (name, name, score, score, rank, rank)
    second = "%(name)s: %(score).3e" % {"name": name, "score": score}
    return first + "\n" + second


def float_text(values: list[float]) -> list[str]:
    """How Python prints floats in text: str(), repr-based f-strings, and str() after arithmetic.

    Args:
        values: Floats (ints are accepted and become floats).
    """
    out = []
    for v in values:
        out.append(f"{v} | {v * 3} | {v / 7} | " + str(v + 0.1) + " | " + str(float(int(v)) if abs(v) < 1e18 else v))
    return out


def float_literals() -> dict:
    """Floats whose text is tricky: 2.0, 0.1 + 0.2, 1e16, 1e-05, -0.0, 1/3, 2**0.5, 100.0, 1e22."""
    values = [2.0, 0.1 + 0.2, 1e16, 1e-05, -0.0, 1 / 3, 2**0.5, 100.0, 1e22, 123456789.0, 0.000123, 5e-324]
    return {
        "values": values,
        "text": [str(v) for v in values],
        "joined": ", ".join(map(str, values)),
        "ints": [str(2.0 * 3), str(10 / 2), str(7 // 2), str(7 / 2), str(True), str(None), str(3 + 0j)],
    }


def pad_columns(rows: list[list[str]], align: Optional[str] = None) -> str:
    """Align columns of text; widths come from the longest cell of each column.

    Args:
        rows: Cells, row by row (rows may have different lengths).
        align: "<", ">" or "^" (default "<").
    """
    align = align or "<"
    if align not in "<>^" or len(align) != 1:
        raise ValueError(f"bad alignment {align!r}")
    widths: dict[int, int] = {}
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths.get(i, 0), len(cell))
    return "\n".join(" | ".join(f"{cell:{align}{widths[i]}}" for i, cell in enumerate(row)) for row in rows)


def progress(done: int, total: int, width: int = 20) -> str:
    """A text progress bar like "[#####-----]  50.0% (5/10)".

    Args:
        done: Steps done.
        total: Steps in all (more than 0).
        width: Bar width in characters (1 to 200).
    """
    if total <= 0:
        raise ValueError("total must be positive")
    width = max(1, min(width, 200))
    fraction = min(max(done / total, 0.0), 1.0)
    filled = int(fraction * width)
    return "[{}{}] {:6.1%} ({}/{})".format("#" * filled, "-" * (width - filled), fraction, done, total)
