"""Module-level constants of every shape: nested unit tables, lookup tuples, sets, int-keyed
dicts, strings, and values computed from other constants at import time."""

from typing import Literal

# unit -> (dimension, factor to the base unit)
UNITS = {
    "length": {"m": 1.0, "km": 1000.0, "cm": 0.01, "mm": 0.001, "mi": 1609.344, "ft": 0.3048, "in": 0.0254},
    "mass": {"kg": 1.0, "g": 0.001, "lb": 0.45359237, "oz": 0.028349523125},
    "time": {"s": 1, "min": 60, "h": 3600, "day": 86400},
}
UNIT_DIMENSION = {unit: dim for dim, table in UNITS.items() for unit in table}
ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)
MORSE = {
    "A": ".-",
    "B": "-...",
    "C": "-.-.",
    "D": "-..",
    "E": ".",
    "F": "..-.",
    "G": "--.",
    "H": "....",
    "I": "..",
    "J": ".---",
    "K": "-.-",
    "L": ".-..",
    "M": "--",
    "N": "-.",
    "O": "---",
    "P": ".--.",
    "Q": "--.-",
    "R": ".-.",
    "S": "...",
    "T": "-",
    "U": "..-",
    "V": "...-",
    "W": ".--",
    "X": "-..-",
    "Y": "-.--",
    "Z": "--..",
    "0": "-----",
    "1": ".----",
    "2": "..---",
    "3": "...--",
    "4": "....-",
    "5": ".....",
    "6": "-....",
    "7": "--...",
    "8": "---..",
    "9": "----.",
}
MORSE_REVERSE = {code: letter for letter, code in MORSE.items()}
HTTP_STATUS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    301: "Moved Permanently",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    418: "I'm a teapot",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
STOPWORDS = frozenset({"a", "an", "the", "and", "or", "of", "to", "in", "is", "it", "on", "for"})
PLANETS = [
    ("Mercury", 0.387, 0.055, 0),
    ("Venus", 0.723, 0.815, 0),
    ("Earth", 1.0, 1.0, 1),
    ("Mars", 1.524, 0.107, 2),
    ("Jupiter", 5.203, 317.8, 95),
    ("Saturn", 9.537, 95.2, 146),
    ("Uranus", 19.19, 14.5, 28),
    ("Neptune", 30.07, 17.1, 16),
]
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
SCRABBLE = {
    letter: score
    for score, letters in {1: "aeilnorstu", 2: "dg", 3: "bcmp", 4: "fhvwy", 5: "k", 8: "jx", 10: "qz"}.items()
    for letter in letters
}
TAX_BRACKETS = [(10_000, 0.0), (40_000, 0.2), (100_000, 0.4), (None, 0.45)]
DEFAULT_CONFIG = {
    "retries": 3,
    "timeout": 2.5,
    "verbose": False,
    "name": "service",
    "tags": ["a", "b"],
    "limits": {"cpu": 2, "memory": "512M"},
    "fallback": None,
}


def convert_units(value: float, source: str, target: str) -> dict:
    """Convert between units of the same dimension (length, mass or time).

    Args:
        value: The amount in the source unit.
        source: e.g. "km".
        target: e.g. "mi".
    """
    if source not in UNIT_DIMENSION or target not in UNIT_DIMENSION:
        raise KeyError(source if source not in UNIT_DIMENSION else target)
    dimension = UNIT_DIMENSION[source]
    if UNIT_DIMENSION[target] != dimension:
        raise ValueError(f"cannot convert {dimension} to {UNIT_DIMENSION[target]}")
    table = UNITS[dimension]
    return {"value": value * table[source] / table[target], "unit": target, "dimension": dimension}


def to_roman(number: int) -> str:
    """Write 1 to 3999 in Roman numerals.

    Args:
        number: The number.
    """
    if not 0 < number < 4000:
        raise ValueError("number must be between 1 and 3999")
    out = []
    for value, numeral in ROMAN:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)


def from_roman(numeral: str) -> int:
    """Read a Roman numeral.

    Args:
        numeral: e.g. "MCMXCIV".
    """
    values = dict((sym, val) for val, sym in ROMAN if len(sym) == 1)
    total = 0
    numeral = numeral.upper()
    for i, sym in enumerate(numeral):
        value = values[sym]
        if i + 1 < len(numeral) and values[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def morse(text: str, decode: bool = False) -> str:
    """Encode text as Morse code (letters separated by spaces, words by " / "), or decode it.

    Args:
        text: Plain text, or Morse code when decoding.
        decode: Decode instead of encode.
    """
    if decode:
        return " ".join("".join(MORSE_REVERSE.get(c, "?") for c in word.split()) for word in text.split(" / "))
    return " / ".join(" ".join(MORSE[c] for c in word.upper() if c in MORSE) for word in text.split())


def http_reason(code: int) -> str:
    """The reason phrase of an HTTP status code, or its class ("Client Error") when unknown.

    Args:
        code: The status code.
    """
    if code in HTTP_STATUS:
        return HTTP_STATUS[code]
    classes = {1: "Informational", 2: "Success", 3: "Redirection", 4: "Client Error", 5: "Server Error"}
    return classes.get(code // 100, "Unknown")


def keywords(text: str) -> list[str]:
    """Words of a text that are not stopwords, in order.

    Args:
        text: Any text.
    """
    return [w for w in text.lower().split() if w not in STOPWORDS]


def planets(min_moons: int = 0, sort_by: Literal["distance", "mass", "moons"] = "distance") -> list:
    """Planets with at least `min_moons` moons, as [name, value] sorted by the chosen field.

    Args:
        min_moons: Minimum number of moons.
        sort_by: Field to sort and report.
    """
    column = {"distance": 1, "mass": 2, "moons": 3}[sort_by]
    chosen = [p for p in PLANETS if p[3] >= min_moons]
    return [[p[0], p[column]] for p in sorted(chosen, key=lambda p: p[column])]


def scrabble_score(word: str) -> dict:
    """Scrabble score of a word, letter by letter.

    Args:
        word: ASCII letters only.
    """
    letters = [c for c in word.lower() if c in ALPHABET]
    return {"score": sum(SCRABBLE[c] for c in letters), "letters": {c: SCRABBLE[c] for c in letters}}


def income_tax(income: float) -> dict:
    """Tax owed under a progressive bracket table, with the tax of each bracket.

    Args:
        income: Yearly income.
    """
    owed = []
    lower = 0
    for upper, rate in TAX_BRACKETS:
        if income <= lower:
            break
        top = income if upper is None else min(income, upper)
        owed.append({"from": lower, "to": upper, "rate": rate, "tax": round((top - lower) * rate, 2)})
        lower = upper
    total = sum(b["tax"] for b in owed)
    return {"total": round(total, 2), "brackets": owed, "effective": f"{total / income:.1%}" if income > 0 else "n/a"}


def config_with(overrides: dict[str, str]) -> dict:
    """The default configuration with string overrides applied; unknown keys are listed.

    Args:
        overrides: Key -> new value (as text).
    """
    config = {**DEFAULT_CONFIG, "limits": dict(DEFAULT_CONFIG["limits"])}
    unknown = []
    for key, value in overrides.items():
        if key not in config:
            unknown.append(key)
            continue
        current = config[key]
        if isinstance(current, bool):
            config[key] = value.lower() in ("1", "true", "yes")
        elif isinstance(current, int):
            config[key] = int(value)
        elif isinstance(current, float):
            config[key] = float(value)
        elif isinstance(current, list):
            config[key] = value.split(",")
        else:
            config[key] = value
    config["unknown"] = unknown
    return config
