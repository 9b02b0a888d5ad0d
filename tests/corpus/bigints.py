"""Integers as Python has them: beyond 64 bits, floor division and modulo of negatives, the
overflow corners of int64, pow with a modulus, and int/str conversions."""

import math

INT64_MIN = -9223372036854775808
INT64_MAX = 9223372036854775807
TWO_TO_70 = 2**70


def power(base: int, exponent: int) -> int:
    """base ** exponent, exact (exponent from 0 to 800, |base| up to 2**16).

    Args:
        base: The base.
        exponent: The exponent.
    """
    if not 0 <= exponent <= 800 or abs(base) > 2**16:
        raise ValueError("out of range")
    return base**exponent


def factorial(n: int) -> dict:
    """n! with its digit count and trailing zeros (n from 0 to 1000); factorial(25) needs 84 bits.

    Args:
        n: The number.
    """
    if not 0 <= n <= 1000:
        raise ValueError("n must be between 0 and 1000")
    value = math.factorial(n)
    text = str(value)
    return {
        "digits": len(text),
        "trailing_zeros": len(text) - len(text.rstrip("0")),
        "value": value if n <= 200 else None,
        "bits": value.bit_length(),
        "fits_int64": value <= INT64_MAX,
    }


def multiply(a: int, b: int) -> dict:
    """a * b, a + b and a - b of two 64-bit ints, which may leave the 64-bit range.

    Args:
        a: First factor.
        b: Second factor.
    """
    product = a * b
    return {
        "product": product,
        "sum": a + b,
        "difference": a - b,
        "overflows": not INT64_MIN <= product <= INT64_MAX,
        "product_text": str(product),
        "negated_a": -a,
        "abs_a": abs(a),
    }


def big_sum(values: list[int]) -> dict:
    """Sum and product of 64-bit ints, exact however large they get (at most 200 values).

    Args:
        values: The integers.
    """
    if len(values) > 200:
        raise ValueError("at most 200 values")
    return {
        "sum": sum(values),
        "product": math.prod(values),
        "mean_floor": sum(values) // len(values) if values else 0,
        "squares": sum(v * v for v in values),
        "max_times_two": max(values, default=0) * 2,
    }


def int_edges(a: int, b: int) -> dict:
    """Floor division, modulo, divmod and shifts with the signs of Python (b not zero).

    Args:
        a: Dividend, e.g. -7 or -9223372036854775808.
        b: Divisor, e.g. 2 or -1.
    """
    return {
        "floordiv": a // b,
        "mod": a % b,
        "divmod": list(divmod(a, b)),
        "truediv": a / b,
        "int_of_truediv": int(a / b),
        "trunc_toward_zero": -(-a // b) if (a < 0) != (b < 0) else a // b,
        "fmod": math.fmod(a, b),
        "shift_left_8": a << 8,
        "shift_right_1": a >> 1,
        "invert": ~a,
        "and_ff": a & 0xFF,
        "xor_b": a ^ b,
        "bit_length": a.bit_length(),
        "abs": abs(a),
        "neg": -a,
    }


def int64_corners() -> dict:
    """The values where 64-bit arithmetic wraps and Python's does not."""
    return {
        "min_floordiv_minus_one": INT64_MIN // -1,
        "min_times_minus_one": INT64_MIN * -1,
        "max_plus_one": INT64_MAX + 1,
        "abs_min": abs(INT64_MIN),
        "two_to_70": TWO_TO_70,
        "two_to_64_minus_one": 2**64 - 1,
        "max_squared": INT64_MAX**2,
        "neg_mod": -7 % 3,
        "mod_neg": 7 % -3,
        "neg_floordiv": -7 // 2,
        "floordiv_neg": 7 // -2,
        "pow_mod": pow(3, 10**18, 10**9 + 7),
        "inverse": pow(38, -1, 97),
        "float_of_big": float(TWO_TO_70),
        "int_of_float": int(1e20),
        "hex": hex(TWO_TO_70),
        "from_hex": int("ffffffffffffffffff", 16),
        "isqrt": math.isqrt(10**40),
    }


def to_base(n: int, base: int = 2) -> str:
    """Write an int in a base from 2 to 36 (negative numbers get a minus sign).

    Args:
        n: The number.
        base: The base.
    """
    if not 2 <= base <= 36:
        raise ValueError("base must be between 2 and 36")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    sign, n = ("-", -n) if n < 0 else ("", n)
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(digits[r])
    return sign + "".join(reversed(out))


def parse_int(text: str, base: int = 10) -> int:
    """int(text, base): underscores, signs and whitespace allowed; the result may exceed 64 bits.

    Args:
        text: Digits, e.g. "  -1_000_000 " or "123456789012345678901234567890".
        base: 0 (guess from prefix) or 2 to 36.
    """
    if len(text) > 1000:
        raise ValueError("text too long")
    return int(text, base)


def digit_sum_of_power(base: int, exponent: int) -> dict:
    """Digits of base**exponent; more than 4300 digits is CPython's int-to-str limit error.

    Args:
        base: 2 to 1000.
        exponent: 0 to 20000.
    """
    if not 2 <= base <= 1000 or not 0 <= exponent <= 20_000:
        raise ValueError("out of range")
    text = str(base**exponent)
    return {"digits": len(text), "digit_sum": sum(int(c) for c in text), "leading": text[:10]}


def collatz_peak(start: int) -> dict:
    """The highest value and the length of the Collatz sequence from `start` (values may pass 2**64).

    Args:
        start: A positive int.
    """
    if start < 1:
        raise ValueError("start must be positive")
    n, peak, steps = start, start, 0
    while n != 1 and steps < 10_000:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        peak = max(peak, n)
        steps += 1
    return {"peak": peak, "steps": steps, "peak_over_int64": peak > INT64_MAX}
