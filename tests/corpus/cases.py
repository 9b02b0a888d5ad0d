"""What to call each corpus tool with: explicit argument sets, and hypothesis strategies.

`CASES[tool]` is a list of `arguments` objects, edge cases included (empty strings, non-ASCII
text, zero, negatives, int64 extremes, big floats, omitted optional arguments, inputs that make
the tool raise). `STRATEGIES[tool]` generates more of them. Every argument set is valid for the
tool's signature (decode_arguments accepts it); whether the tool then answers or raises is the
tool's business, and must be the same natively and in CPython.

Paths: file and SQLite tools take paths written as "$TMP/...". `with_tmp(arguments, directory)`
replaces "$TMP" with a directory. Give every case (and every generated example) a directory that
is empty when the call starts, and the same directory string for the native and the CPython call
(run one, empty the directory, run the other): answers may contain the path, e.g. in a
FileNotFoundError message.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

TMP = "$TMP"
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def with_tmp(arguments: Any, directory: str) -> Any:
    """A copy of `arguments` with "$TMP" replaced by `directory` in every string value."""
    if isinstance(arguments, str):
        return arguments.replace(TMP, directory)
    if isinstance(arguments, list):
        return [with_tmp(item, directory) for item in arguments]
    if isinstance(arguments, dict):
        return {key: with_tmp(value, directory) for key, value in arguments.items()}
    return arguments


# -- building blocks for strategies --------------------------------------------------------------

# Any text a JSON string can carry (no lone surrogates), short.
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
# Mostly-ASCII text with some accents, emoji and punctuation, and words separated by spaces.
prose = st.lists(
    st.sampled_from(
        [
            "hello",
            "World",
            "héllo",
            "naïve",
            "café",
            "ß",
            "İstanbul",
            "😀",
            "a",
            "the",
            "and",
            "42",
            "x-y",
            "don't",
            "end.",
            "Hello,",
            "#tag",
            "ünïcödé",
            "日本語",
            "",
            "  ",
            "\t",
            "\n",
            "CAPS",
        ]
    ),
    max_size=12,
).map(" ".join)
words = st.lists(st.text(alphabet="abcdeéxyz", min_size=0, max_size=6), max_size=10)
int64 = st.integers(INT64_MIN, INT64_MAX)
small_int = st.integers(-1000, 1000)
finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(-1e6, 1e6, allow_nan=False)
names = st.text(alphabet="abcdefghij", min_size=1, max_size=5)
iso_date = st.dates().map(lambda d: d.isoformat())
near_date = st.dates(
    min_value=__import__("datetime").date(1990, 1, 1), max_value=__import__("datetime").date(2030, 12, 31)
).map(lambda d: d.isoformat())
file_name = st.text(alphabet="abcdefgh_-.", min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))


def args(required: dict[str, SearchStrategy], optional: dict[str, SearchStrategy] | None = None) -> SearchStrategy:
    return st.fixed_dictionaries(required, optional=optional or {})


CASES: dict[str, list[dict[str, Any]]] = {}
STRATEGIES: dict[str, SearchStrategy[dict[str, Any]]] = {}

# -- text -------------------------------------------------------------------------------------------

CASES.update(
    {
        "word_count": [
            {"text": "Hello, world!"},
            {"text": ""},
            {"text": "  ...  --- "},
            {"text": "héllo wörld 😀 ok"},
            {"text": "one\ntwo\tthree"},
        ],
        "longest_word": [
            {"text": "a bb ccc dd"},
            {"text": ""},
            {"text": "!!! ???"},
            {"text": "tie tie abc"},
            {"text": "naïve café"},
        ],
        "slugify": [
            {"title": "Hello, World!"},
            {"title": ""},
            {"title": "  Ça va? Très bien  "},
            {"title": "Python 3.12 -- what's new", "separator": "_"},
            {"title": "a---b", "separator": "-"},
            {"title": "😀 emoji 😀", "separator": "."},
        ],
        "greet": [{}, {"name": "Ada"}, {"name": "   "}, {"name": "Zoë", "greeting": "Bonjour"}, {"greeting": ""}],
        "clean_fields": [{"fields": ["  a ", "", "   ", "b"]}, {"fields": []}, {"fields": ["é", "\t\n"]}],
        "initials": [
            {"full_name": "Ada King Lovelace"},
            {"full_name": ""},
            {"full_name": "émile zola"},
            {"full_name": "  single  "},
        ],
        "caesar": [
            {"text": "Hello, World!"},
            {"text": "abc", "shift": -1},
            {"text": "xyz", "shift": 29},
            {"text": "héllo", "shift": 13},
            {"text": "", "shift": 0},
            {"text": "Zz", "shift": INT64_MIN},
            {"text": "Aa", "shift": INT64_MAX},
        ],
        "is_palindrome": [
            {"text": "A man, a plan, a canal: Panama"},
            {"text": ""},
            {"text": "abc"},
            {"text": "Ésope reste ici et se repose"},
            {"text": "été"},
        ],
        "vowel_report": [{"word": "education"}, {"word": "rhythm"}, {"word": ""}, {"word": "AeIoU"}, {"word": "héllo"}],
        "first_vowel": [{"word": "rhythm"}, {"word": "strength"}, {"word": ""}, {"word": "Échelle"}],
        "truncate": [
            {"text": "The quick brown fox jumps over the lazy dog"},
            {"text": "short"},
            {"text": "exactly twenty chars", "width": 20},
            {"text": "abcdef", "width": 2},
            {"text": "héllo wörld ünïcödé text", "width": 10, "placeholder": "…"},
            {"text": "", "width": 0, "placeholder": ""},
        ],
        "split_camel": [
            {"identifier": "parseHTTPResponseCode"},
            {"identifier": "XMLHttpRequest2"},
            {"identifier": ""},
            {"identifier": "snake_case_name"},
            {"identifier": "getX"},
        ],
        "text_stats": [{"text": "Hello World\nsecond line"}, {"text": ""}, {"text": "ÉTÉ été"}, {"text": "aaa bbb ab"}],
    }
)
STRATEGIES.update(
    {
        "word_count": args({"text": any_text}),
        "slugify": args({"title": prose}, {"separator": st.sampled_from(["-", "_", ".", "--"])}),
        "greet": args({}, {"name": prose, "greeting": prose}),
        "caesar": args({"text": any_text}, {"shift": int64}),
        "is_palindrome": args({"text": any_text}),
        "truncate": args(
            {"text": prose}, {"width": st.integers(-5, 60), "placeholder": st.sampled_from(["...", "…", ""])}
        ),
        "split_camel": args({"identifier": st.text(alphabet="aBcDXyz09_", max_size=20)}),
        "text_stats": args({"text": prose}),
        "clean_fields": args({"fields": st.lists(st.sampled_from(["", " ", " a ", "b", "é "]), max_size=6)}),
    }
)

# -- patterns --------------------------------------------------------------------------------------

CASES.update(
    {
        "extract_emails": [
            {"text": "Write to Ada@Example.com or bob.smith+tag@mail.co.uk; ada@example.com again."},
            {"text": ""},
            {"text": "no addresses @ here"},
            {"text": "josé@exämple.org"},
        ],
        "parse_log_line": [
            {"line": "2024-03-01 12:00:05 [ERROR] disk full"},
            {"line": "2024-03-01 12:00:05 [INFO] started: ok ✓"},
            {"line": "garbage"},
            {"line": ""},
        ],
        "us_to_iso_dates": [
            {"text": "Due 12/31/1999 or 1/2/2000."},
            {"text": "none here"},
            {"text": ""},
            {"text": "13/45/2020 is not checked"},
        ],
        "normalize_phone": [
            {"number": "555.123.4567"},
            {"number": "+1 (555) 123-4567"},
            {"number": "12345"},
            {"number": "44 20 7946 0958", "country_code": "44"},
            {"number": ""},
        ],
        "hashtags": [{"post": "#Python is #fun, #python!"}, {"post": ""}, {"post": "#café #Café #日本"}],
        "find_dates": [{"text": "From 2024-01-31 to 2024-03-01."}, {"text": ""}, {"text": "2024-1-1 no"}],
        "tokenize": [
            {"expression": "3.5*(x + 42)"},
            {"expression": ""},
            {"expression": "a**2 - b_1/7."},
            {"expression": "  12  "},
        ],
        "first_match": [
            {"pattern": r"(\d+)-(\d+)", "text": "call 555-1234 now"},
            {"pattern": "hello", "text": "HeLLo world", "ignore_case": True},
            {"pattern": "x", "text": "abc"},
            {"pattern": "(unclosed", "text": "abc"},
            {"pattern": r"(a)|(b)", "text": "b"},
            {"pattern": "é+", "text": "caféé!"},
        ],
        "redact": [
            {"text": "The password is Secret and secret.", "words": ["secret"]},
            {"text": "nothing", "words": []},
            {"text": "a.b a+b", "words": ["a.b", "a+b"]},
            {"text": "Ünïcode ünïcode", "words": ["ünïcode"]},
        ],
    }
)
STRATEGIES.update(
    {
        "extract_emails": args(
            {
                "text": st.lists(st.sampled_from(["a@b.co", "X@Y.org", "no", "@", "é@x.fr", " "]), max_size=8).map(
                    " ".join
                )
            }
        ),
        "hashtags": args(
            {"post": st.lists(st.sampled_from(["#a", "#A", "#b1", "x", "#", "#é", "##c"]), max_size=8).map(" ".join)}
        ),
        "tokenize": args({"expression": st.text(alphabet="0123456789.+-*/() xy_", max_size=25)}),
        "redact": args(
            {"text": prose, "words": st.lists(st.sampled_from(["hello", "the", "a.b", "é", "World"]), max_size=3)}
        ),
        "first_match": args(
            {
                "pattern": st.sampled_from([r"\d+", r"(\w+)@(\w+)", "[aeiou]{2}", "(x)?y", "^$", "(", r"\bthe\b"]),
                "text": prose,
            },
            {"ignore_case": st.booleans()},
        ),
        "us_to_iso_dates": args(
            {
                "text": st.lists(st.sampled_from(["1/2/2000", "12/31/1999", "x", "99/99/9999", "/"]), max_size=5).map(
                    " ".join
                )
            }
        ),
    }
)

# -- maths -----------------------------------------------------------------------------------------

CASES.update(
    {
        "hypotenuse": [
            {"a": 3, "b": 4},
            {"a": 0, "b": 0},
            {"a": 1.5, "b": 2.5},
            {"a": -5, "b": 12},
            {"a": 1e200, "b": 1e200},
            {"a": 1e-200, "b": 1e-200},
        ],
        "circle": [{"radius": 1}, {"radius": 0}, {"radius": 2.5}, {"radius": -1}, {"radius": 1e154}],
        "compound": [
            {"principal": 1000, "rate": 0.05, "years": 10},
            {"principal": 1, "rate": 1e10, "years": 40},
            {"principal": 1, "rate": -1, "years": -1},
            {"principal": 1, "rate": -3, "years": 0.5},
            {"principal": 2, "rate": -3, "years": 3},
            {"principal": 5, "rate": 0, "years": 0},
        ],
        "quadratic_roots": [
            {"a": 1, "b": -3, "c": 2},
            {"a": 1, "b": 2, "c": 1},
            {"a": 1, "b": 0, "c": 1},
            {"a": 0, "b": 1, "c": 1},
            {"a": -2.5, "b": 0.5, "c": 3},
        ],
        "gcd_lcm": [
            {"a": 12, "b": 18},
            {"a": 0, "b": 0},
            {"a": -4, "b": 6},
            {"a": INT64_MAX, "b": INT64_MAX - 1},
            {"a": INT64_MIN, "b": 3},
        ],
        "is_prime": [{"n": 2}, {"n": 1}, {"n": 0}, {"n": -7}, {"n": 97}, {"n": 999983}, {"n": 10**12 + 39}],
        "primes_below": [{"limit": 30}, {"limit": 0}, {"limit": 2}, {"limit": 3}, {"limit": -5}, {"limit": 100001}],
        "convert_angle": [
            {"value": 180},
            {"value": 3.141592653589793, "to": "degrees"},
            {"value": 0},
            {"value": -90.5, "to": "radians"},
        ],
        "compound_interest": [
            {"principal": 1000, "rate": 0.05, "years": 10},
            {"principal": 0, "rate": 0.05, "years": 1},
            {"principal": 1500.5, "rate": 0.0425, "years": 6, "per_year": 4},
            {"principal": 100, "rate": 0.1, "years": 1, "per_year": 0},
        ],
        "float_facts": [
            {"x": 2.5},
            {"x": -2.5},
            {"x": 0},
            {"x": 1.618033988749895},
            {"x": 1e300},
            {"x": -0.0},
            {"x": 5e-324},
            {"x": 123456789.123456789},
        ],
        "rounding": [
            {"x": 2.5},
            {"x": 3.5},
            {"x": -0.5},
            {"x": 2.675, "digits": 2},
            {"x": 1234.5678, "digits": -2},
            {"x": 0.125, "digits": 2},
            {"x": 1e20, "digits": 3},
            {"x": 0.1 + 0.2, "digits": 15},
        ],
        "sum_and_average": [
            {"values": [0.1, 0.2, 0.3]},
            {"values": []},
            {"values": [1, 2, 3]},
            {"values": [1e308, 1e308]},
            {"values": [-1.5, 2.25]},
            {"values": [1e16, 1, -1e16]},
        ],
        "distance": [
            {"points": [[0, 0], [3, 4], [6, 8]]},
            {"points": []},
            {"points": [[1.5, -2]]},
            {"points": [[0, 0, 0], [1, 1, 1]]},
            {"points": [[0, 0], [1]]},
        ],
    }
)
STRATEGIES.update(
    {
        "hypotenuse": args({"a": finite, "b": finite}),
        "circle": args({"radius": finite}),
        "compound": args(
            {"principal": moderate, "rate": st.floats(-3, 1e6, allow_nan=False), "years": st.floats(-400, 400)}
        ),
        "quadratic_roots": args({"a": moderate, "b": moderate, "c": moderate}),
        "gcd_lcm": args({"a": int64, "b": int64}),
        "is_prime": args({"n": st.integers(-10, 10**6)}),
        "primes_below": args({"limit": st.integers(-10, 3000)}),
        "convert_angle": args({"value": finite}, {"to": st.sampled_from(["degrees", "radians"])}),
        "compound_interest": args(
            {"principal": moderate, "rate": st.floats(-0.5, 0.5), "years": st.integers(0, 50)},
            {"per_year": st.integers(0, 365)},
        ),
        "float_facts": args({"x": finite}),
        "rounding": args({"x": finite}, {"digits": st.integers(-10, 20)}),
        "sum_and_average": args({"values": st.lists(finite, max_size=10)}),
        "distance": args({"points": st.lists(st.lists(moderate, min_size=2, max_size=2), max_size=6)}),
    }
)

# -- stats -----------------------------------------------------------------------------------------

CASES.update(
    {
        "summary": [
            {"values": [1, 2, 3, 4]},
            {"values": [2.5]},
            {"values": []},
            {"values": [0.1, 0.2, 0.3]},
            {"values": [1e300, -1e300, 5]},
        ],
        "int_summary": [
            {"values": [1, 2, 3]},
            {"values": [1, 2]},
            {"values": [1, 2, 3, 4]},
            {"values": [5, 5, 1, 1]},
            {"values": []},
            {"values": [INT64_MAX, INT64_MAX]},
            {"values": [-7]},
        ],
        "spread": [
            {"values": [2, 4, 4, 4, 5, 5, 7, 9]},
            {"values": [1.5, 2.5]},
            {"values": [1]},
            {"values": [0.1, 0.1, 0.1]},
        ],
        "zscores": [{"values": [1, 2, 3, 4, 5]}, {"values": [10, 10]}, {"values": [1]}, {"values": [-1e3, 0, 1e3]}],
        "moving_average": [
            {"values": [1, 2, 3, 4, 5]},
            {"values": [1, 2], "window": 3},
            {"values": [], "window": 1},
            {"values": [0.5, 1.5], "window": 0},
            {"values": [1.1, 2.2, 3.3], "window": 1},
        ],
        "grade_stats": [
            {"scores": {"ann": 90, "bob": 72, "cy": 90, "dee": 65}},
            {"scores": {"solo": 50}},
            {"scores": {}},
            {"scores": {"é": 1, "z": 2, "a": 3}},
        ],
    }
)
STRATEGIES.update(
    {
        "summary": args({"values": st.lists(moderate, max_size=12)}),
        "int_summary": args({"values": st.lists(small_int, max_size=12)}),
        "spread": args({"values": st.lists(moderate, max_size=12)}),
        "moving_average": args({"values": st.lists(moderate, max_size=12)}, {"window": st.integers(-1, 6)}),
        "grade_stats": args({"scores": st.dictionaries(names, st.integers(0, 100), max_size=8)}),
    }
)

# -- dates -----------------------------------------------------------------------------------------

CASES.update(
    {
        "days_between": [
            {"start": "2024-01-31", "end": "2024-03-01"},
            {"start": "2024-03-01", "end": "2024-01-31"},
            {"start": "0001-01-01", "end": "9999-12-31"},
            {"start": "2023-02-29", "end": "2023-03-01"},
            {"start": "", "end": "2024-01-01"},
        ],
        "weekday_name": [{"day": "2000-01-01"}, {"day": "2024-02-29"}, {"day": "1970-01-01"}, {"day": "not a date"}],
        "add_days": [
            {"day": "2024-12-20", "days": 5},
            {"day": "2024-03-01", "days": -1},
            {"day": "2023-01-01", "days": 0},
            {"day": "9999-12-31", "days": 1},
            {"day": "2024-01-01", "days": 185},
        ],
        "age_on": [
            {"birthday": "1990-06-15", "on": "2024-06-14"},
            {"birthday": "1990-06-15", "on": "2024-06-15"},
            {"birthday": "2000-02-29", "on": "2023-02-28"},
            {"birthday": "2030-01-01", "on": "2024-01-01"},
        ],
        "business_days": [
            {"start": "2024-01-01", "end": "2024-01-31"},
            {"start": "2024-01-06", "end": "2024-01-07"},
            {"start": "2024-02-01", "end": "2024-01-01"},
            {"start": "2024-05-05", "end": "2024-05-05"},
        ],
        "parse_timestamp": [
            {"stamp": "2024-03-01 13:45:30"},
            {"stamp": "2024-03-01 00:00:00"},
            {"stamp": "01/03/24 9:05", "fmt": "%d/%m/%y %H:%M"},
            {"stamp": "bad"},
            {"stamp": "2024-12-30 23:59:59"},
        ],
        "duration_text": [
            {"seconds": 0},
            {"seconds": 3661},
            {"seconds": 86400 * 2 + 3 * 3600 + 245},
            {"seconds": -1},
            {"seconds": 86399},
            {"seconds": 10**15},
        ],
        "month_calendar": [
            {"year": 2024, "month": 2},
            {"year": 1900, "month": 2},
            {"year": 2000, "month": 12},
            {"year": 2024, "month": 13},
            {"year": 1, "month": 1},
        ],
        "next_weekday": [
            {"day": "2024-03-01"},
            {"day": "2024-03-01", "weekday": "friday"},
            {"day": "2024-03-01", "weekday": "Funday"},
            {"day": "2024-12-31", "weekday": "Wednesday"},
        ],
        "timeline": [
            {"events": {"launch": "2024-03-01", "kickoff": "2024-01-15", "review": "2024-02-01"}},
            {"events": {}},
            {"events": {"same": "2024-01-01", "day": "2024-01-01"}},
        ],
    }
)
STRATEGIES.update(
    {
        "days_between": args({"start": iso_date, "end": iso_date}),
        "weekday_name": args({"day": iso_date}),
        "add_days": args({"day": iso_date, "days": st.integers(-(10**6), 10**6)}),
        "age_on": args({"birthday": iso_date, "on": iso_date}),
        "business_days": args({"start": near_date, "end": near_date}),
        "duration_text": args({"seconds": st.integers(-(10**12), 10**12)}),
        "month_calendar": args({"year": st.integers(0, 10000), "month": st.integers(0, 13)}),
        "next_weekday": args({"day": iso_date}, {"weekday": st.sampled_from(["Monday", "sunday", "FRIDAY", "x"])}),
        "timeline": args({"events": st.dictionaries(names, near_date, max_size=5)}),
    }
)

# -- collections -----------------------------------------------------------------------------------

CASES.update(
    {
        "word_frequencies": [
            {"text": "the cat and the hat and the bat"},
            {"text": ""},
            {"text": "b a b a c", "top": 2},
            {"text": "É é e", "top": 0},
            {"text": "x y z", "top": -1},
        ],
        "group_by_length": [{"words": ["a", "bb", "cc", "ddd", "e"]}, {"words": []}, {"words": ["héllo", "😀", ""]}],
        "most_frequent_letter": [{"text": "Mississippi"}, {"text": "123 !!"}, {"text": "abab"}, {"text": "Ééé"}],
        "length_histogram": [{"words": ["aa", "b", "cc", "ddd"]}, {"words": []}, {"words": ["ü", "xyz", "日本"]}],
        "invert": [
            {"mapping": {"a": "x", "b": "y", "c": "x"}},
            {"mapping": {}},
            {"mapping": {"z": "1", "é": "1", "a": "1"}},
        ],
        "dedupe": [
            {"items": ["b", "a", "b", "c", "a"]},
            {"items": []},
            {"items": ["A", "a", "ß", "SS", "ss"], "ignore_case": True},
        ],
        "chunk": [
            {"items": [1, 2, 3, 4, 5], "size": 2},
            {"items": [], "size": 3},
            {"items": [1], "size": 0},
            {"items": [1, 2, 3], "size": INT64_MAX},
        ],
        "rank_players": [{"scores": {"ann": 10, "bob": 30, "cy": 30, "dee": 5}}, {"scores": {}}],
        "merge_counts": [
            {"a": {"x": 1, "y": 2}, "b": {"y": 3, "z": 4}},
            {"a": {}, "b": {}},
            {"a": {"x": -1}, "b": {"x": 1}},
            {"a": {"big": INT64_MAX}, "b": {"big": INT64_MAX}},
        ],
        "rotate": [
            {"items": ["a", "b", "c", "d"]},
            {"items": ["a", "b", "c"], "steps": -1},
            {"items": [], "steps": 5},
            {"items": ["x", "y"], "steps": INT64_MAX},
        ],
        "recent_unique": [
            {"events": ["a", "b", "a", "c", "d"]},
            {"events": []},
            {"events": ["x", "y"], "keep": 0},
            {"events": ["a", "a", "a"], "keep": 5},
        ],
        "inventory_value": [
            {"stock": {"apple": 3, "pear": 2, "fig": 1}, "prices": {"apple": 0.5, "pear": 0.75}},
            {"stock": {}, "prices": {}},
            {"stock": {"x": 3}, "prices": {"x": 0.1}},
        ],
    }
)
STRATEGIES.update(
    {
        "word_frequencies": args({"text": prose}, {"top": st.integers(-2, 6)}),
        "group_by_length": args({"words": words}),
        "most_frequent_letter": args({"text": prose}),
        "length_histogram": args({"words": words}),
        "invert": args({"mapping": st.dictionaries(names, st.sampled_from(["x", "y", "é"]), max_size=6)}),
        "dedupe": args({"items": words}, {"ignore_case": st.booleans()}),
        "chunk": args({"items": st.lists(small_int, max_size=10), "size": st.integers(-1, 12)}),
        "rank_players": args({"scores": st.dictionaries(names, st.integers(0, 5), max_size=6)}),
        "merge_counts": args(
            {"a": st.dictionaries(names, small_int, max_size=4), "b": st.dictionaries(names, small_int, max_size=4)}
        ),
        "rotate": args({"items": words}, {"steps": int64}),
        "recent_unique": args(
            {"events": st.lists(st.sampled_from("abcde"), max_size=10)}, {"keep": st.integers(-1, 5)}
        ),
    }
)

# -- classes ---------------------------------------------------------------------------------------

CASES.update(
    {
        "checkout": [
            {"names": ["apple", "bread", "apple"], "prices": [0.5, 2.25, 0.5]},
            {"names": [], "prices": []},
            {"names": ["x"], "prices": [10], "discount": 0.15},
            {"names": ["a"], "prices": []},
            {"names": ["crème"], "prices": [0.1], "discount": 1},
        ],
        "sort_versions": [
            {"versions": ["1.10.0", "1.9", "v1.2.3", "0.9.9"]},
            {"versions": []},
            {"versions": ["1.2", "1.2.0"], "bump": "minor"},
            {"versions": ["2"], "bump": "major"},
            {"versions": ["1.x"]},
            {"versions": ["1.2.3.4"]},
            {"versions": ["3.1"], "bump": ""},
        ],
        "describe_shapes": [
            {"kinds": ["square", "circle", "rectangle"], "sizes": [2, 1, 3, 0.5]},
            {"kinds": [], "sizes": []},
            {"kinds": ["hexagon"], "sizes": [1]},
            {"kinds": ["rectangle"], "sizes": [1]},
        ],
        "vector_sum": [
            {"xs": [1, 2, 3], "ys": [4, 5, 6]},
            {"xs": [], "ys": []},
            {"xs": [1.5], "ys": [-1.5], "scale": 0},
            {"xs": [0.1, 0.2], "ys": [0.3, 0.4], "scale": 2.5},
        ],
        "run_account": [
            {"owner": "Ada", "operations": [100, -30.5, 1000000]},
            {"owner": "Bob", "operations": [-10], "opening": 5},
            {"owner": "", "operations": []},
            {"owner": "Zoë", "operations": [0, 5]},
        ],
        "matrix_power": [
            {"rows": [[1, 1], [1, 0]], "exponent": 90},
            {"rows": [[2]], "exponent": 0},
            {"rows": [[1, 2], [3, 4]], "exponent": 5},
            {"rows": [[1, 2]], "exponent": 2},
            {"rows": [], "exponent": 1},
            {"rows": [[INT64_MAX, 1], [1, INT64_MAX]], "exponent": 3},
            {"rows": [[1]], "exponent": 101},
        ],
    }
)
STRATEGIES.update(
    {
        "sort_versions": args(
            {
                "versions": st.lists(
                    st.lists(st.integers(0, 20), min_size=1, max_size=3).map(lambda parts: ".".join(map(str, parts))),
                    max_size=6,
                )
            },
            {"bump": st.sampled_from(["major", "minor", "patch"])},
        ),
        "vector_sum": args(
            {"xs": st.lists(moderate, max_size=5), "ys": st.lists(moderate, max_size=5)}, {"scale": moderate}
        ),
        "run_account": args(
            {"owner": names, "operations": st.lists(st.floats(-500, 500), max_size=8)}, {"opening": st.floats(0, 1000)}
        ),
        "matrix_power": args(
            {
                "rows": st.integers(1, 3).flatmap(
                    lambda n: st.lists(st.lists(st.integers(-9, 9), min_size=n, max_size=n), min_size=n, max_size=n)
                ),
                "exponent": st.integers(0, 40),
            }
        ),
    }
)

# -- helpers ---------------------------------------------------------------------------------------

CASES.update(
    {
        "format_name": [
            {"first": "ada", "last": "LOVELACE"},
            {"first": "  grace ", "last": "hopper", "middle": "brewster"},
            {"first": "", "last": "", "middle": ""},
            {"first": "émile", "last": "zola", "middle": "édouard"},
        ],
        "compare_names": [
            {"a": "ada  lovelace", "b": "Ada Lovelace"},
            {"a": "", "b": " "},
            {"a": "ÉMILE", "b": "émile"},
        ],
        "fibonacci": [{"n": 0}, {"n": 1}, {"n": 10}, {"n": 92}, {"n": 93}, {"n": 300}, {"n": -1}],
        "ackermann": [{"m": 0, "n": 0}, {"m": 2, "n": 3}, {"m": 3, "n": 3}, {"m": 3, "n": 5}, {"m": 4, "n": 1}],
        "flatten": [
            {"rows": [[1, 2], [3], []]},
            {"rows": [], "extra": [9]},
            {"rows": [[INT64_MIN]], "extra": [INT64_MAX]},
        ],
        "hanoi": [{"disks": 0}, {"disks": 1}, {"disks": 3}, {"disks": 11}],
        "anagrams": [{"word": "abc"}, {"word": ""}, {"word": "aab"}, {"word": "été"}, {"word": "abcdefgh"}],
        "count_by": [
            {"step": 3, "times": 4},
            {"step": -2, "times": 3},
            {"step": 5, "times": 0},
            {"step": INT64_MAX, "times": 3},
        ],
        "longest_collatz": [{"limit": 10}, {"limit": 2}, {"limit": 1000}, {"limit": 1}],
        "compose_ops": [
            {"value": 3, "ops": ["double", "inc", "square"]},
            {"value": 0, "ops": []},
            {"value": INT64_MAX, "ops": ["square", "square"]},
            {"value": 1, "ops": ["triple"]},
            {"value": -5, "ops": ["neg", "neg", "neg"]},
        ],
    }
)
STRATEGIES.update(
    {
        "format_name": args({"first": prose, "last": prose}, {"middle": st.none() | prose}),
        "compare_names": args({"a": prose, "b": prose}),
        "fibonacci": args({"n": st.integers(-5, 305)}),
        "ackermann": args({"m": st.integers(0, 2), "n": st.integers(0, 30)}),
        "flatten": args(
            {"rows": st.lists(st.lists(int64, max_size=4), max_size=4)}, {"extra": st.lists(int64, max_size=3)}
        ),
        "hanoi": args({"disks": st.integers(-1, 6)}),
        "anagrams": args({"word": st.text(alphabet="abcé", max_size=5)}),
        "count_by": args({"step": int64, "times": st.integers(-5, 20)}),
        "compose_ops": args(
            {"value": int64, "ops": st.lists(st.sampled_from(["double", "inc", "square", "neg"]), max_size=8)}
        ),
    }
)

# -- constants -------------------------------------------------------------------------------------

CASES.update(
    {
        "convert_units": [
            {"value": 5, "source": "km", "target": "mi"},
            {"value": 1, "source": "lb", "target": "g"},
            {"value": 2, "source": "h", "target": "s"},
            {"value": 1, "source": "m", "target": "kg"},
            {"value": 1, "source": "parsec", "target": "m"},
            {"value": 0, "source": "in", "target": "cm"},
            {"value": 90, "source": "min", "target": "h"},
        ],
        "to_roman": [{"number": 1994}, {"number": 3999}, {"number": 4}, {"number": 0}, {"number": 4000}],
        "from_roman": [{"numeral": "MCMXCIV"}, {"numeral": "iv"}, {"numeral": ""}, {"numeral": "ABC"}],
        "morse": [
            {"text": "SOS help"},
            {"text": "... --- ... / .... . .-.. .--.", "decode": True},
            {"text": ""},
            {"text": "héllo 42"},
            {"text": "...---", "decode": True},
        ],
        "http_reason": [{"code": 404}, {"code": 418}, {"code": 299}, {"code": 600}, {"code": -1}, {"code": 150}],
        "keywords": [{"text": "The state of the art in AI"}, {"text": ""}, {"text": "and or the"}],
        "planets": [{}, {"min_moons": 20, "sort_by": "mass"}, {"min_moons": 1000}, {"sort_by": "moons"}],
        "scrabble_score": [{"word": "quiz"}, {"word": ""}, {"word": "Hello!"}, {"word": "café"}],
        "income_tax": [{"income": 5000}, {"income": 0}, {"income": 55000.5}, {"income": 1e6}, {"income": -10}],
        "config_with": [
            {"overrides": {}},
            {"overrides": {"retries": "5", "verbose": "yes", "tags": "x,y,z"}},
            {"overrides": {"timeout": "0.25", "unknown_key": "1", "name": "édition"}},
            {"overrides": {"retries": "many"}},
            {"overrides": {"fallback": "none", "limits": "none"}},
        ],
    }
)
STRATEGIES.update(
    {
        "convert_units": args(
            {
                "value": finite,
                "source": st.sampled_from(["m", "km", "mi", "kg", "lb", "s", "h", "x"]),
                "target": st.sampled_from(["m", "ft", "in", "g", "oz", "min", "day", "y"]),
            }
        ),
        "to_roman": args({"number": st.integers(-5, 4005)}),
        "from_roman": args({"numeral": st.text(alphabet="IVXLCDMivx", max_size=8)}),
        "morse": args({"text": prose}),
        "http_reason": args({"code": st.integers(-100, 1000)}),
        "keywords": args({"text": prose}),
        "planets": args(
            {}, {"min_moons": st.integers(-5, 200), "sort_by": st.sampled_from(["distance", "mass", "moons"])}
        ),
        "scrabble_score": args({"word": any_text}),
        "income_tax": args({"income": st.floats(-1e3, 1e9)}),
    }
)

# -- nested ----------------------------------------------------------------------------------------

CASES.update(
    {
        "partition_ints": [
            {"values": ["1", "x", " 2 ", "-3", "4.5", "1_000", "٣"]},
            {"values": []},
            {"values": ["99999999999999999999999"]},
        ],
        "profile": [
            {"name": "Ada", "age": 36, "tags": ["math", "poetry"], "email": "ada@example.com"},
            {"name": "", "age": 0},
            {"name": "Zoë", "age": -1, "tags": ["é"]},
            {"name": "Max", "age": INT64_MAX, "email": ""},
        ],
        "scores_by_team": [
            {"players": ["red:ann", "blue:bob", "red:cy"], "scores": [3, 5, 7]},
            {"players": [], "scores": []},
            {"players": ["solo"], "scores": [1, 2]},
        ],
        "table_rows": [
            {"header": ["name", "qty", "price"], "rows": [["apple", "3", "0.5"], ["pear", "x"], []]},
            {"header": [], "rows": [["a"]]},
            {"header": ["n"], "rows": [["1_000"], ["1e3"], ["-0"]]},
        ],
        "divide_with_remainder": [{"a": 17, "b": 5}, {"a": -17, "b": 5}, {"a": 1, "b": 0}],
        "min_max": [{"values": [3, 1, 2]}, {"values": [INT64_MIN, INT64_MAX]}, {"values": []}],
        "describe_value": [
            {"text": "42"},
            {"text": "3.50"},
            {"text": "True"},
            {"text": ""},
            {"text": "[1, 2.5, x, true]"},
            {"text": "héllo"},
            {"text": "1e400"},
        ],
        "build_tree": [
            {"paths": ["a/b/c", "a/b/d", "a/e", "a/b/c"]},
            {"paths": []},
            {"paths": ["x", "x/y", "/", ""]},
            {"paths": ["é/ü", "z/a", "a/z"]},
        ],
        "matrix_summary": [
            {"rows": [[1, 2], [3, 4]]},
            {"rows": []},
            {"rows": [[1.5, 2.5, 3.5]]},
            {"rows": [[1], [2, 3]]},
        ],
        "evens_and_odds": [{"limit": 10}, {"limit": 0}, {"limit": -5}, {"limit": INT64_MAX}],
        "nothing": [{}, {"note": "anything"}],
        "maybe_index": [
            {"items": ["a", "b", "c"], "wanted": "b"},
            {"items": [], "wanted": "a"},
            {"items": ["é", "e"], "wanted": "e"},
        ],
        "echo_types": [
            {"flag": True, "count": 3, "ratio": 2, "label": "x", "items": [1, 2], "options": {"a": False}},
            {"flag": False, "count": INT64_MIN, "ratio": 0.1, "label": "", "items": [], "options": {}},
        ],
    }
)
STRATEGIES.update(
    {
        "partition_ints": args({"values": st.lists(st.text(alphabet="0123456789-+ _.x", max_size=6), max_size=8)}),
        "profile": args(
            {"name": prose, "age": int64},
            {"tags": words, "email": st.none() | st.sampled_from(["a@b.c", "x", "", "é@ü.de"])},
        ),
        "scores_by_team": args(
            {
                "players": st.lists(st.sampled_from(["red:a", "blue:b", "red:c", "x", ":y"]), max_size=6),
                "scores": st.lists(small_int, max_size=6),
            }
        ),
        "table_rows": args(
            {
                "header": st.lists(names, max_size=4, unique=True),
                "rows": st.lists(st.lists(st.text(alphabet="0123456789.-abc_", max_size=4), max_size=5), max_size=4),
            }
        ),
        "divide_with_remainder": args({"a": int64, "b": int64}),
        "min_max": args({"values": st.lists(int64, max_size=6)}),
        "describe_value": args({"text": st.text(alphabet="0123456789.-e[], truefalsnoe", max_size=12)}),
        "build_tree": args({"paths": st.lists(st.text(alphabet="ab/", max_size=6), max_size=8)}),
        "matrix_summary": args({"rows": st.lists(st.lists(moderate, max_size=3), max_size=3)}),
        "evens_and_odds": args({"limit": int64}),
        "maybe_index": args({"items": words, "wanted": st.text(alphabet="abcdeéxyz", max_size=2)}),
        "echo_types": args(
            {
                "flag": st.booleans(),
                "count": int64,
                "ratio": finite,
                "label": any_text,
                "items": st.lists(int64, max_size=4),
                "options": st.dictionaries(names, st.booleans(), max_size=3),
            }
        ),
    }
)

# -- errors ----------------------------------------------------------------------------------------

CASES.update(
    {
        "reserve": [
            {"item": "apple", "quantity": 2},
            {"item": "apple"},
            {"item": "milk"},
            {"item": "pizza"},
            {"item": "bread", "quantity": 0},
            {"item": "bread", "quantity": 3},
        ],
        "try_reserve": [
            {"item": "apple", "quantity": 5},
            {"item": "bread", "quantity": 3},
            {"item": "pizza"},
            {"item": "milk", "quantity": 1},
        ],
        "price_of": [{"item": "apple"}, {"item": "pizza"}, {"item": ""}, {"item": "é"}],
        "safe_price": [{"item": "bread"}, {"item": "pizza"}],
        "parse_number": [
            {"text": "42"},
            {"text": " -7 "},
            {"text": "3.25"},
            {"text": "1e3"},
            {"text": "abc"},
            {"text": ""},
            {"text": "١٢٣"},
            {"text": "inf"},
            {"text": "0x10"},
        ],
        "divide": [
            {"a": 7, "b": 2},
            {"a": -7, "b": 2},
            {"a": 7, "b": -2},
            {"a": 1, "b": 0},
            {"a": INT64_MIN, "b": -1},
            {"a": 0, "b": INT64_MIN},
        ],
        "safe_divide": [{"a": 1, "b": 3}, {"a": 1, "b": 0}, {"a": 0, "b": 0}, {"a": -1e308, "b": 1e-308}],
        "lookup_chain": [
            {"data": {"a": 1, "b": 2}, "keys": ["a", "z", "#1", "#5", "#x", "b"]},
            {"data": {}, "keys": []},
            {"data": {"é": 3}, "keys": ["é", "e"]},
        ],
        "validate_user": [
            {"name": "Ada", "age": 36, "email": "ada@example.com"},
            {"name": " ", "age": 200, "email": "x"},
            {"name": "Bob", "age": -1},
            {"name": "Zoë", "age": 0},
        ],
        "raise_kind": [
            {"kind": "value", "message": "bad value"},
            {"kind": "value"},
            {"kind": "type", "message": "t"},
            {"kind": "key", "message": "missing"},
            {"kind": "key"},
            {"kind": "index"},
            {"kind": "runtime", "message": "boom"},
            {"kind": "custom"},
            {"kind": "custom", "message": "pears"},
            {"kind": "assert"},
            {"kind": "assert", "message": "kept"},
            {"kind": "zero"},
            {"kind": "silent"},
            {"kind": "none"},
        ],
        "retry": [
            {"attempts": 3, "fail_times": 1},
            {"attempts": 3, "fail_times": 3},
            {"attempts": 0, "fail_times": 0},
            {"attempts": -1, "fail_times": 5},
        ],
        "wrapped_error": [{"value": "12"}, {"value": "x"}, {"value": "0"}, {"value": " 7 "}],
        "first_error": [
            {"values": ["1", "2.5", "x", "y"]},
            {"values": []},
            {"values": ["1e5", "nan", "-inf"]},
            {"values": [""]},
        ],
    }
)
STRATEGIES.update(
    {
        "reserve": args(
            {"item": st.sampled_from(["apple", "bread", "milk", "pizza", ""])}, {"quantity": st.integers(-2, 8)}
        ),
        "try_reserve": args(
            {"item": st.sampled_from(["apple", "bread", "milk", "pizza"])}, {"quantity": st.integers(-2, 8)}
        ),
        "parse_number": args({"text": st.text(alphabet="0123456789.-+e _xa", max_size=8)}),
        "divide": args({"a": int64, "b": int64}),
        "safe_divide": args({"a": finite, "b": finite}),
        "lookup_chain": args(
            {
                "data": st.dictionaries(names, small_int, max_size=4),
                "keys": st.lists(st.sampled_from(["a", "b", "#0", "#3", "#-1", "#z"]), max_size=5),
            }
        ),
        "validate_user": args(
            {"name": prose, "age": st.integers(-5, 200)}, {"email": st.sampled_from(["", "a@b", "x"])}
        ),
        "raise_kind": args(
            {
                "kind": st.sampled_from(
                    ["value", "type", "key", "index", "runtime", "custom", "assert", "zero", "silent", "other"]
                )
            },
            {"message": prose},
        ),
        "retry": args({"attempts": st.integers(-2, 10), "fail_times": st.integers(-2, 10)}),
        "wrapped_error": args({"value": st.text(alphabet="0123456789-x ", max_size=5)}),
        "first_error": args({"values": st.lists(st.text(alphabet="0123456789.ex-", max_size=4), max_size=5)}),
    }
)

# -- formatting ------------------------------------------------------------------------------------

CASES.update(
    {
        "money": [
            {"amount": 1234567.891},
            {"amount": 0},
            {"amount": -0.005},
            {"amount": 2.675, "currency": "€"},
            {"amount": 1e15},
            {"amount": -1234.5, "currency": ""},
        ],
        "format_specs": [
            {"x": 3.14159, "n": 1234567},
            {"x": 0, "n": 0},
            {"x": -0.5, "n": -42},
            {"x": 1e20, "n": INT64_MAX},
            {"x": 2.5e-7, "n": INT64_MIN},
            {"x": 0.125, "n": 7},
        ],
        "receipt": [
            {"items": ["apple", "bread"], "quantities": [3, 1], "prices": [0.5, 2.25]},
            {"items": [], "quantities": [], "prices": []},
            {"items": ["crème brûlée", "a-very-long-item-name"], "quantities": [1, 100], "prices": [4.5, 0.015]},
        ],
        "table": [
            {"names": ["apple", "pear"], "quantities": [3, 12], "prices": [0.5, 1234.567]},
            {"names": [], "quantities": [], "prices": []},
            {"names": ["ünïcödé-long-name"], "quantities": [-1], "prices": [-0.004]},
        ],
        "sentence": [
            {"template": "Hello {name}, you are {age}", "values": {"name": "Ada", "age": "36"}},
            {"template": "{missing}", "values": {}},
            {"template": "{{literal}} {x!r} {x:>5}", "values": {"x": "é"}},
            {"template": "", "values": {}},
            {"template": "{0}", "values": {}},
        ],
        "percent_style": [
            {"name": "Ada", "score": 97.25, "rank": 1},
            {"name": "", "score": 0, "rank": 0},
            {"name": "Zoë\n", "score": -3.14159, "rank": 255},
        ],
        "float_text": [
            {"values": [2.0, 0.1, 1e16, 1.5e-7]},
            {"values": []},
            {"values": [3, -0.0, 1e300]},
            {"values": [123456789012345678]},
        ],
        "float_literals": [{}],
        "pad_columns": [
            {"rows": [["name", "qty"], ["apple", "3"], ["fig"]]},
            {"rows": []},
            {"rows": [["é", "ü"], ["😀😀", "x"]], "align": ">"},
            {"rows": [["a"]], "align": "^"},
            {"rows": [["a"]], "align": "<>"},
            {"rows": [["a"]], "align": ""},
        ],
        "progress": [
            {"done": 5, "total": 10},
            {"done": 0, "total": 3, "width": 10},
            {"done": 12, "total": 10},
            {"done": 1, "total": 0},
            {"done": 1, "total": 3, "width": 0},
            {"done": -1, "total": 3},
        ],
    }
)
STRATEGIES.update(
    {
        "money": args({"amount": finite}, {"currency": st.sampled_from(["$", "€", "", "CHF "])}),
        "format_specs": args({"x": finite, "n": int64}),
        "receipt": st.integers(0, 4).flatmap(
            lambda n: args(
                {
                    "items": st.lists(prose, min_size=n, max_size=n),
                    "quantities": st.lists(small_int, min_size=n, max_size=n),
                    "prices": st.lists(moderate, min_size=n, max_size=n),
                }
            )
        ),
        "table": st.integers(0, 4).flatmap(
            lambda n: args(
                {
                    "names": st.lists(names, min_size=n, max_size=n),
                    "quantities": st.lists(int64, min_size=n, max_size=n),
                    "prices": st.lists(finite, min_size=n, max_size=n),
                }
            )
        ),
        "percent_style": args({"name": any_text, "score": finite, "rank": int64}),
        "float_text": args({"values": st.lists(finite, max_size=6)}),
        "pad_columns": args(
            {"rows": st.lists(st.lists(prose, max_size=3), max_size=4)},
            {"align": st.none() | st.sampled_from(["<", ">", "^"])},
        ),
        "progress": args({"done": st.integers(-5, 50), "total": st.integers(-1, 50)}, {"width": st.integers(-5, 60)}),
    }
)

# -- unicode ---------------------------------------------------------------------------------------

CASES.update(
    {
        "char_info": [
            {"text": "héllo"},
            {"text": ""},
            {"text": "😀👍🏽"},
            {"text": "ß"},
            {"text": "İstanbul"},
            {"text": "e\u0301"},
            {"text": "日本語テキスト"},
            {"text": "a"},
        ],
        "checklist": [{"items": ["milk", "eggs", "crème"], "done": [True, False, True]}, {"items": [], "done": []}],
        "escapes": [{}],
        "truncate_chars": [
            {"text": "héllo wörld"},
            {"text": "😀😀😀😀😀😀", "limit": 3},
            {"text": ""},
            {"text": "abc", "limit": 0},
            {"text": "abcdef", "limit": -2},
        ],
        "normalize": [
            {"text": "e\u0301"},
            {"text": "é", "form": "NFD"},
            {"text": "ﬁ ①", "form": "NFKC"},
            {"text": "x", "form": "bogus"},
            {"text": ""},
        ],
        "strip_accents": [{"text": "Crème brûlée"}, {"text": ""}, {"text": "Ångström, São Paulo, Łódź"}],
        "char_table": [
            {"start": 233},
            {"start": 0x1F600, "count": 3},
            {"start": 0xD7FE, "count": 4},
            {"start": 0x10FFFE, "count": 5},
            {"start": 0, "count": 3},
            {"start": -1},
        ],
        "word_lengths": [{"text": "héllo wörld 😀 ok héllo"}, {"text": ""}, {"text": "b a b"}],
        "tidy_lines": [
            {"text": "  ünï cödé \n\u00a0\u3000\nok\u2028next\r\nlast\u2029"},
            {"text": "\u2003"},
            {"text": ""},
            {"text": "a\x1cb\x85c\u200bd"},
            {"text": "日本 語\u3000テキスト\x0bend\x0c"},
        ],
        "find_substring": [
            {"text": "héllo héllo", "sub": "é"},
            {"text": "abc", "sub": "z"},
            {"text": "", "sub": "a"},
            {"text": "😀a😀", "sub": "a"},
            {"text": "x", "sub": ""},
        ],
    }
)
STRATEGIES.update(
    {
        "char_info": args({"text": any_text}),
        "truncate_chars": args({"text": any_text}, {"limit": st.integers(-3, 12)}),
        "normalize": args({"text": any_text}, {"form": st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"])}),
        "strip_accents": args({"text": any_text}),
        "char_table": args({"start": st.integers(-2, 0x110002)}, {"count": st.integers(-1, 70)}),
        "word_lengths": args({"text": prose}),
        "tidy_lines": args(
            {"text": st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u2028\u3000\u200bab é日", max_size=24)}
        ),
        "find_substring": args({"text": prose, "sub": st.sampled_from(["é", "l", " ", "héllo", "😀"])}),
        "checklist": st.integers(0, 4).flatmap(
            lambda n: args(
                {
                    "items": st.lists(prose, min_size=n, max_size=n),
                    "done": st.lists(st.booleans(), min_size=n, max_size=n),
                }
            )
        ),
    }
)

# -- bigints ---------------------------------------------------------------------------------------

CASES.update(
    {
        "power": [
            {"base": 2, "exponent": 70},
            {"base": 2, "exponent": 63},
            {"base": -3, "exponent": 41},
            {"base": 0, "exponent": 0},
            {"base": 65536, "exponent": 800},
            {"base": 2, "exponent": -1},
            {"base": 10, "exponent": 801},
        ],
        "factorial": [{"n": 25}, {"n": 0}, {"n": 20}, {"n": 21}, {"n": 200}, {"n": 1000}, {"n": -1}],
        "multiply": [
            {"a": 3037000500, "b": 3037000500},
            {"a": INT64_MAX, "b": INT64_MAX},
            {"a": INT64_MIN, "b": -1},
            {"a": INT64_MIN, "b": INT64_MIN},
            {"a": 0, "b": INT64_MIN},
            {"a": -7, "b": 6},
        ],
        "big_sum": [
            {"values": [INT64_MAX, INT64_MAX, INT64_MAX]},
            {"values": []},
            {"values": [INT64_MIN, -1]},
            {"values": [2**62] * 10},
        ],
        "int_edges": [
            {"a": -7, "b": 2},
            {"a": 7, "b": -2},
            {"a": -7, "b": -2},
            {"a": INT64_MIN, "b": -1},
            {"a": INT64_MAX, "b": 1},
            {"a": 5, "b": 0},
            {"a": 0, "b": 3},
            {"a": -1, "b": INT64_MIN},
        ],
        "int64_corners": [{}],
        "to_base": [
            {"n": 255},
            {"n": 255, "base": 16},
            {"n": -255, "base": 36},
            {"n": 0, "base": 7},
            {"n": INT64_MIN, "base": 2},
            {"n": INT64_MAX, "base": 36},
            {"n": 5, "base": 1},
        ],
        "parse_int": [
            {"text": "  -1_000_000 "},
            {"text": "123456789012345678901234567890"},
            {"text": "ff", "base": 16},
            {"text": "0b1010", "base": 0},
            {"text": "12a"},
            {"text": ""},
            {"text": "٣٤"},
            {"text": "z", "base": 37},
        ],
        "digit_sum_of_power": [
            {"base": 2, "exponent": 1000},
            {"base": 7, "exponent": 0},
            {"base": 10, "exponent": 4299},
            {"base": 10, "exponent": 4300},
            {"base": 999, "exponent": 20000},
            {"base": 1, "exponent": 5},
        ],
        "collatz_peak": [{"start": 27}, {"start": 1}, {"start": 0}, {"start": INT64_MAX}, {"start": 2**62 + 1}],
    }
)
STRATEGIES.update(
    {
        "power": args({"base": st.integers(-70000, 70000), "exponent": st.integers(-2, 300)}),
        "factorial": args({"n": st.integers(-2, 300)}),
        "multiply": args({"a": int64, "b": int64}),
        "big_sum": args({"values": st.lists(int64, max_size=12)}),
        "int_edges": args({"a": int64, "b": int64}),
        "to_base": args({"n": int64}, {"base": st.integers(0, 40)}),
        "parse_int": args(
            {"text": st.text(alphabet="0123456789_ -+abxf", max_size=30)}, {"base": st.sampled_from([0, 2, 10, 16, 36])}
        ),
        "digit_sum_of_power": args({"base": st.integers(1, 1001), "exponent": st.integers(0, 3000)}),
        "collatz_peak": args({"start": st.integers(-2, INT64_MAX)}),
    }
)

# -- dict order ------------------------------------------------------------------------------------

CASES.update(
    {
        "insertion_order": [
            {"keys": ["zebra", "apple", "mango", "apple"]},
            {"keys": []},
            {"keys": ["é", "e", "😀", "10", "9"]},
        ],
        "key_list": [{"mapping": {"z": 1, "a": 2, "m": 3}}, {"mapping": {}}, {"mapping": {"2": 0, "10": 0, "1": 0}}],
        "reinsert": [
            {"mapping": {"a": 1, "b": 2, "c": 3}, "key": "a"},
            {"mapping": {"a": 1}, "key": "new"},
            {"mapping": {}, "key": ""},
        ],
        "pop_last": [
            {"mapping": {"a": 1, "b": 2, "c": 3}},
            {"mapping": {"a": 1, "b": 2, "c": 3}, "times": 2},
            {"mapping": {}, "times": 3},
            {"mapping": {"x": 1}, "times": -1},
        ],
        "merge": [
            {"base": {"b": 1, "a": 2}, "override": {"c": 3, "b": 10}},
            {"base": {"b": 1, "a": 2}, "override": {"c": 3, "b": 10}, "update_in_place": True},
            {"base": {}, "override": {}},
        ],
        "sort_dict": [
            {"mapping": {"b": 2, "a": 3, "c": 1}},
            {"mapping": {"b": 2, "a": 3, "c": 1}, "by_value": True},
            {"mapping": {"x": 1, "y": 1, "w": 1}, "by_value": True, "reverse": True},
            {"mapping": {}},
            {"mapping": {"é": 0.5, "e": 0.25, "E": 1e300}, "reverse": True},
        ],
        "first_and_last": [{"mapping": {"q": "1", "a": "2", "z": "3"}}, {"mapping": {}}, {"mapping": {"solo": "x"}}],
        "counts_in_order": [{"words": ["b", "a", "b", "c", "a", "b"]}, {"words": []}, {"words": ["x", "y"]}],
        "setdefault_order": [{"pairs": ["b=1", "a=2", "b=3", "novalue", "=empty"]}, {"pairs": []}],
        "rename_key": [
            {"mapping": {"a": 1, "b": 2, "c": 3}, "old": "b", "new": "z"},
            {"mapping": {"a": 1}, "old": "x", "new": "y"},
            {"mapping": {"a": 1, "b": 2}, "old": "a", "new": "b"},
        ],
    }
)
ordered_map = st.dictionaries(st.text(alphabet="abcxyzé", min_size=1, max_size=3), small_int, max_size=8)
STRATEGIES.update(
    {
        "insertion_order": args({"keys": st.lists(st.text(alphabet="abcz9é", max_size=3), max_size=10)}),
        "key_list": args({"mapping": ordered_map}),
        "reinsert": args({"mapping": ordered_map, "key": st.text(alphabet="abc", max_size=2)}),
        "pop_last": args({"mapping": ordered_map}, {"times": st.integers(-1, 10)}),
        "merge": args({"base": ordered_map, "override": ordered_map}, {"update_in_place": st.booleans()}),
        "sort_dict": args(
            {"mapping": st.dictionaries(names, moderate, max_size=6)},
            {"by_value": st.booleans(), "reverse": st.booleans()},
        ),
        "first_and_last": args({"mapping": st.dictionaries(names, names, max_size=5)}),
        "counts_in_order": args({"words": st.lists(st.sampled_from(["a", "b", "c", "é"]), max_size=10)}),
        "setdefault_order": args({"pairs": st.lists(st.text(alphabet="ab=1", max_size=4), max_size=8)}),
        "rename_key": args(
            {"mapping": ordered_map, "old": st.sampled_from(["a", "b", "x"]), "new": st.sampled_from(["a", "z", "é"])}
        ),
    }
)

# -- seeded random ---------------------------------------------------------------------------------

CASES.update(
    {
        "dice": [
            {"seed": 42},
            {"seed": 0, "rolls": 10, "sides": 20},
            {"seed": -1, "rolls": 0},
            {"seed": INT64_MAX},
            {"seed": 7, "sides": 0},
        ],
        "shuffle_names": [{"seed": 1}, {"seed": 2, "names": ["x", "y", "z"]}, {"seed": 3, "names": []}],
        "draws": [{"seed": 123}, {"seed": 0, "count": 1}, {"seed": INT64_MIN, "count": 5}],
        "password": [{"seed": 2024}, {"seed": 2024, "length": 20, "symbols": True}, {"seed": 1, "length": 0}],
        "monte_carlo_pi": [{"seed": 1}, {"seed": 5, "samples": 10000}, {"seed": 9, "samples": 0}],
        "string_seed": [{"seed": "hello"}, {"seed": "", "count": 5}, {"seed": "héllo 😀", "count": 2}],
    }
)
STRATEGIES.update(
    {
        "dice": args({"seed": int64}, {"rolls": st.integers(0, 30), "sides": st.integers(0, 100)}),
        "shuffle_names": args({"seed": int64}, {"names": words}),
        "draws": args({"seed": int64}, {"count": st.integers(0, 8)}),
        "password": args({"seed": int64}, {"length": st.integers(0, 40), "symbols": st.booleans()}),
        "monte_carlo_pi": args({"seed": int64}, {"samples": st.integers(0, 500)}),
        "string_seed": args({"seed": any_text}, {"count": st.integers(0, 10)}),
    }
)

# -- files -----------------------------------------------------------------------------------------

CASES.update(
    {
        "save_and_read": [
            {"path": f"{TMP}/note.txt", "text": "hello\nworld\n"},
            {"path": f"{TMP}/empty.txt", "text": ""},
            {"path": f"{TMP}/ü.txt", "text": "héllo 😀\r\nline two"},
            {"path": f"{TMP}/latin.txt", "text": "café", "encoding": "latin-1"},
            {"path": f"{TMP}/bad.txt", "text": "😀", "encoding": "ascii"},
            {"path": f"{TMP}/missing/dir/x.txt", "text": "x"},
        ],
        "append_lines": [
            {"path": f"{TMP}/notes.txt", "lines": ["first entry", "second entry here"]},
            {"path": f"{TMP}/notes.txt", "lines": []},
            {"path": f"{TMP}/n.txt", "lines": ["ü", ""]},
        ],
        "read_file": [{"path": f"{TMP}/does-not-exist.txt"}, {"path": TMP}],
        "write_directory": [
            {"directory": f"{TMP}/site", "files": {"index.html": "<h1>hi</h1>", "b.css": "", "README": "é"}},
            {"directory": f"{TMP}/empty", "files": {}},
            {"directory": f"{TMP}/deep/er", "files": {"z.tar.gz": "zz", ".hidden": "h"}},
        ],
        "path_parts": [
            {"path": "/var/log/app/server.log.gz"},
            {"path": ""},
            {"path": "relative/dir/"},
            {"path": "a//b/../c/./d.txt"},
            {"path": "/"},
            {"path": "~/.bashrc"},
            {"path": "ünï/cödé.py"},
        ],
        "copy_upper": [
            {"source": f"{TMP}/a.txt", "target": f"{TMP}/b.txt", "text": "one\ntwo\nstraße\n"},
            {"source": f"{TMP}/a.txt", "target": f"{TMP}/b.txt", "text": ""},
        ],
        "csv_totals": [
            {"path": f"{TMP}/t.csv", "rows": [["name", "amount"], ["a", "1.5"], ["b, c", "2"], ["d", "x"], ["e"]]},
            {"path": f"{TMP}/t.csv", "rows": []},
            {"path": f"{TMP}/t.csv", "rows": [["h1", "h2"], ['q"uote', "3"]]},
        ],
    }
)
STRATEGIES.update(
    {
        "save_and_read": args({"path": file_name.map(lambda n: f"{TMP}/{n}"), "text": any_text}),
        "append_lines": args(
            {
                "path": file_name.map(lambda n: f"{TMP}/{n}"),
                "lines": st.lists(st.text(alphabet="ab é😀", max_size=6), max_size=5),
            }
        ),
        "write_directory": args(
            {
                "directory": st.sampled_from([f"{TMP}/d", f"{TMP}/d/e"]),
                "files": st.dictionaries(file_name, st.text(alphabet="xé😀\n", max_size=5), max_size=4),
            }
        ),
        "path_parts": args({"path": st.text(alphabet="ab/.~é", max_size=12)}),
    }
)

# -- SQLite ----------------------------------------------------------------------------------------

CASES.update(
    {
        "store_products": [
            {"db": f"{TMP}/shop.db", "names": ["apple", "bread", "cheese"], "prices": [0.5, 2.25, 7]},
            {"db": f"{TMP}/shop.db", "names": [], "prices": []},
            {"db": f"{TMP}/shop.db", "names": ["crème", "tea"], "prices": [1.5, 1.5], "category": "food"},
            {"db": f"{TMP}/shop.db", "names": ["dup", "dup"], "prices": [1, 2]},
        ],
        "price_report": [
            {"db": f"{TMP}/p.db", "prices": {"pear": 1.25, "apple": 0.5, "caviar": 99.0}},
            {"db": f"{TMP}/p.db", "prices": {}},
            {"db": f"{TMP}/p.db", "prices": {"x": 10}, "max_price": 10},
        ],
        "category_counts": [
            {"db": f"{TMP}/c.db", "items": ["fruit/apple", "fruit/pear", "dairy/milk", "loose"]},
            {"db": f"{TMP}/c.db", "items": []},
            {"db": f"{TMP}/c.db", "items": ["a/x", "b/x"]},
        ],
        "transfer_stock": [
            {"db": f"{TMP}/s.db", "source": "bolts", "target": "nuts", "amount": 4},
            {"db": f"{TMP}/s.db", "source": "bolts", "target": "nuts", "amount": 11},
            {"db": f"{TMP}/s.db", "source": "same", "target": "same", "amount": 1},
        ],
        "run_query": [
            {"db": f"{TMP}/q.db", "sql": "SELECT name, price FROM products WHERE price > 1 ORDER BY name"},
            {"db": f"{TMP}/q.db", "sql": "SELECT category, COUNT(*) FROM products GROUP BY category ORDER BY 1"},
            {"db": f"{TMP}/q.db", "sql": "SELECT 1 / 2, 1.0 / 2, 'é' || 'x', NULL, 2 * 4611686018427387904"},
            {"db": f"{TMP}/q.db", "sql": "SELEKT nonsense"},
            {"db": f"{TMP}/q.db", "sql": "SELECT * FROM missing"},
        ],
    }
)
STRATEGIES.update(
    {
        "price_report": args(
            {"db": st.just(f"{TMP}/p.db"), "prices": st.dictionaries(names, st.floats(0, 100), max_size=5)},
            {"max_price": st.floats(0, 100)},
        ),
        "category_counts": args(
            {
                "db": st.just(f"{TMP}/c.db"),
                "items": st.lists(st.sampled_from(["a/x", "a/y", "b/z", "solo", "/", "c/"]), max_size=6),
            }
        ),
    }
)

# -- iteration -------------------------------------------------------------------------------------

CASES.update(
    {
        "grade": [{"scores": [95, 90, 89, 60, 59, 0, 100]}, {"scores": []}, {"scores": [-5, 1000]}],
        "insert_sorted": [
            {"values": [5, 1, 3], "new": [4, 0, 3, 9]},
            {"values": [], "new": []},
            {"values": [INT64_MIN], "new": [INT64_MAX]},
        ],
        "top_k": [
            {"values": [5, 1, 9, 3, 7]},
            {"values": [], "k": 2},
            {"values": [1.5, -2, 1.5], "k": 10},
            {"values": [3, 1], "k": 0},
        ],
        "schedule": [{"tasks": {"write": 2, "plan": 1, "test": 2, "ship": 3}}, {"tasks": {}}],
        "merge_sorted": [{"a": [1, 4, 7], "b": [2, 5], "c": [0, 9]}, {"a": [], "b": []}, {"a": [3, 1], "b": [2]}],
        "runs": [{"text": "aaabccdddd"}, {"text": ""}, {"text": "ééé😀😀a"}],
        "pairs_summing_to": [
            {"values": [1, 2, 3, 4, 5], "target": 6},
            {"values": [], "target": 0},
            {"values": [INT64_MAX, 1], "target": INT64_MIN},
        ],
        "running_totals": [{"values": [1, 2, 3, 4]}, {"values": []}, {"values": [INT64_MAX, INT64_MAX, -5]}],
        "combos": [
            {"items": ["a", "b", "c"]},
            {"items": []},
            {"items": ["x", "yy", "zzz", "wwww"], "size": 3},
            {"items": ["a", "b"], "size": 0},
        ],
        "string_constants": [
            {"text": "Hello, World! 123"},
            {"text": ""},
            {"text": "deadBEEF"},
            {"text": "  multiple   spaces\tand ünïcode "},
        ],
        "format_epoch": [
            {"seconds": 0},
            {"seconds": 1700000000},
            {"seconds": 951782400, "fmt": "%A %d %B %Y (%j)"},
            {"seconds": 10**10},
            {"seconds": -1},
            {"seconds": 86399, "fmt": "%I:%M:%S %p %%"},
        ],
        "product_of": [{"values": [1, 2, 3, 4, 5]}, {"values": []}, {"values": [INT64_MAX, INT64_MAX, INT64_MIN]}],
    }
)
STRATEGIES.update(
    {
        "grade": args({"scores": st.lists(st.integers(-10, 110), max_size=10)}),
        "insert_sorted": args({"values": st.lists(small_int, max_size=8), "new": st.lists(small_int, max_size=5)}),
        "top_k": args({"values": st.lists(moderate, max_size=10)}, {"k": st.integers(-1, 12)}),
        "schedule": args({"tasks": st.dictionaries(names, st.integers(0, 3), max_size=6)}),
        "merge_sorted": args(
            {"a": st.lists(int64, max_size=5), "b": st.lists(int64, max_size=5)}, {"c": st.lists(int64, max_size=5)}
        ),
        "runs": args({"text": st.text(alphabet="aabé😀", max_size=12)}),
        "pairs_summing_to": args({"values": st.lists(st.integers(-5, 5), max_size=12), "target": st.integers(-5, 5)}),
        "running_totals": args({"values": st.lists(int64, max_size=10)}),
        "combos": args(
            {"items": st.lists(st.text(alphabet="abcé", min_size=1, max_size=2), max_size=7)},
            {"size": st.integers(-1, 4)},
        ),
        "string_constants": args({"text": any_text}),
        "format_epoch": args(
            {"seconds": st.integers(-5, 10**10)},
            {"fmt": st.sampled_from(["%Y-%m-%d", "%H:%M:%S", "%a %b %d %Y", "%j %U %w", "%y%m%d%%"])},
        ),
        "product_of": args({"values": st.lists(st.integers(-1000, 1000), max_size=20)}),
    }
)

# -- python only -----------------------------------------------------------------------------------

CASES.update(
    {
        "pretty_json": [
            {"document": '{"b": 1, "a": [1, 2.50, "é"], "n": null}'},
            {"document": "[]", "indent": 0},
            {"document": '{"b": 1, "a": 2}', "sort_keys": True},
            {"document": "{bad json"},
            {"document": ""},
            {"document": "12345678901234567890123"},
        ],
        "json_roundtrip": [
            {"document": '{"x": [1, 2.0, true, null]}'},
            {"document": '"\\u00e9"'},
            {"document": "1e400"},
            {"document": "[1,"},
            {"document": "3"},
        ],
        "wrap": [
            {"text": "The quick brown fox jumps over the lazy dog and keeps on running far away."},
            {"text": ""},
            {"text": "    indented\n    block", "width": 10, "indent": "  "},
            {"text": "supercalifragilisticexpialidocious word", "width": 12},
        ],
        "money_total": [
            {"amounts": ["19.99", "0.01", "5.005"]},
            {"amounts": []},
            {"amounts": ["0.1", "0.2"], "tax_rate": "0"},
            {"amounts": ["abc"]},
            {"amounts": ["1e3", "-2.50"], "tax_rate": "0.075"},
        ],
        "add_fractions": [
            {"fractions": ["1/3", "1/6"]},
            {"fractions": []},
            {"fractions": ["-2/7", "0.25", "3"]},
            {"fractions": ["1/0"]},
            {"fractions": ["x"]},
        ],
        "name_uuid": [{"name": "example.com"}, {"name": ""}, {"name": "héllo 😀"}],
        "digest": [
            {"text": "hello"},
            {"text": ""},
            {"text": "héllo", "algorithm": "md5"},
            {"text": "x", "algorithm": "blake2b"},
            {"text": "x", "algorithm": "nope"},
        ],
        "b64": [
            {"text": "héllo wörld"},
            {"text": ""},
            {"text": "aMOpbGxv", "decode": True},
            {"text": "not base64!", "decode": True},
            {"text": "??>>", "urlsafe": True},
            {"text": "Pz8-Pg==", "decode": True, "urlsafe": True},
            {"text": "/w==", "decode": True},
        ],
        "parse_url": [
            {"url": "https://example.com:8080/a/b?x=1&x=2&y=%C3%A9#top"},
            {"url": ""},
            {"url": "mailto:ada@example.com"},
            {"url": "http://[::1]/path with space"},
            {"url": "http://host:99999/"},
        ],
        "build_query": [
            {"params": {"q": "café & crème", "page": "2"}},
            {"params": {}},
            {"params": {"a b": "c/d?e"}, "base": "http://x"},
        ],
        "escape_html": [
            {"text": "<a href=\"x\">Tom & 'Jerry'</a>"},
            {"text": "&lt;b&gt; &amp;amp; &eacute;"},
            {"text": '"q"', "quote_marks": False},
            {"text": ""},
        ],
        "diff_lines": [
            {"before": "a\nb\nc", "after": "a\nB\nc\nd"},
            {"before": "", "after": ""},
            {"before": "same", "after": "same"},
        ],
        "checksum": [{"text": "hello"}, {"text": ""}, {"text": "héllo 😀"}],
    }
)
STRATEGIES.update(
    {
        "pretty_json": args(
            {
                "document": st.recursive(
                    st.none()
                    | st.booleans()
                    | st.integers(-(10**20), 10**20)
                    | st.floats(allow_nan=False, allow_infinity=False)
                    | any_text,
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(names, children, max_size=3),
                    max_leaves=8,
                ).map(__import__("json").dumps)
            },
            {"indent": st.integers(-1, 9), "sort_keys": st.booleans()},
        ),
        "wrap": args({"text": prose}, {"width": st.integers(0, 60), "indent": st.sampled_from(["", "  ", "> "])}),
        "money_total": args(
            {
                "amounts": st.lists(
                    st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False).map(str), max_size=5
                )
            },
            {"tax_rate": st.sampled_from(["0", "0.2", "0.075", "1"])},
        ),
        "add_fractions": args(
            {
                "fractions": st.lists(
                    st.tuples(st.integers(-50, 50), st.integers(1, 50)).map(lambda t: f"{t[0]}/{t[1]}"), max_size=6
                )
            }
        ),
        "name_uuid": args({"name": any_text}),
        "digest": args({"text": any_text}, {"algorithm": st.sampled_from(["sha256", "sha1", "md5", "sha512"])}),
        "b64": args({"text": any_text}, {"urlsafe": st.booleans()}),
        "build_query": args({"params": st.dictionaries(names, any_text, max_size=3)}),
        "escape_html": args({"text": any_text}, {"quote_marks": st.booleans()}),
        "diff_lines": args(
            {
                "before": st.lists(st.sampled_from("abc"), max_size=5).map("\n".join),
                "after": st.lists(st.sampled_from("abc"), max_size=5).map("\n".join),
            }
        ),
        "checksum": args({"text": any_text}),
    }
)
