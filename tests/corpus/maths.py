"""Math: `import math`, `from math import sqrt, pi`, float results, rounding and float text."""

import math
from math import pi, sqrt
from typing import Literal

GOLDEN_RATIO = (1 + sqrt(5)) / 2


def hypotenuse(a: float, b: float) -> float:
    """The hypotenuse of a right triangle with legs a and b.

    Args:
        a: One leg.
        b: The other leg.
    """
    return sqrt(a * a + b * b)


def circle(radius: float) -> dict[str, float]:
    """Area and circumference of a circle.

    Args:
        radius: The radius; must not be negative.
    """
    if radius < 0:
        raise ValueError("radius must not be negative")
    return {"area": pi * radius**2, "circumference": 2 * pi * radius, "diameter": 2 * radius}


def quadratic_roots(a: float, b: float, c: float) -> list[float]:
    """Real roots of a*x**2 + b*x + c = 0, smallest first (empty when there are none).

    Args:
        a: Coefficient of x**2 (not zero).
        b: Coefficient of x.
        c: Constant term.
    """
    if a == 0:
        raise ValueError("a must not be zero")
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    if disc == 0:
        return [-b / (2 * a)]
    root = math.sqrt(disc)
    return sorted([(-b - root) / (2 * a), (-b + root) / (2 * a)])


def gcd_lcm(a: int, b: int) -> dict[str, int]:
    """Greatest common divisor and least common multiple of two integers.

    Args:
        a: First integer.
        b: Second integer.
    """
    return {"gcd": math.gcd(a, b), "lcm": math.lcm(a, b)}


def is_prime(n: int) -> bool:
    """Whether n is a prime number (trial division; n up to 10**12).

    Args:
        n: The number to test.
    """
    if n > 10**12:
        raise ValueError("n is too large for trial division")
    if n < 2:
        return False
    for d in range(2, math.isqrt(n) + 1):
        if n % d == 0:
            return False
    return True


def primes_below(limit: int) -> list[int]:
    """Primes below `limit` by the sieve of Eratosthenes (limit at most 100000).

    Args:
        limit: Exclusive upper bound.
    """
    if limit > 100_000:
        raise ValueError("limit must be at most 100000")
    if limit < 3:
        return []
    sieve = [True] * limit
    sieve[0] = sieve[1] = False
    for i in range(2, math.isqrt(limit - 1) + 1):
        if sieve[i]:
            sieve[i * i :: i] = [False] * len(range(i * i, limit, i))
    return [i for i, is_p in enumerate(sieve) if is_p]


def convert_angle(value: float, to: Literal["degrees", "radians"] = "radians") -> float:
    """Convert an angle between degrees and radians.

    Args:
        value: The angle.
        to: The unit to convert to.
    """
    return math.radians(value) if to == "radians" else math.degrees(value)


def compound_interest(principal: float, rate: float, years: int, per_year: int = 12) -> dict:
    """Balance after compounding, rounded to cents, and the interest earned.

    Args:
        principal: Starting amount.
        rate: Yearly rate as a fraction, e.g. 0.05.
        years: Number of years.
        per_year: Compounding periods per year.
    """
    balance = principal * (1 + rate / per_year) ** (per_year * years)
    return {"balance": round(balance, 2), "interest": round(balance - principal, 2), "years": years}


def float_facts(x: float) -> dict:
    """What Python says about a float: its text, repr, integer parts and classification.

    Args:
        x: Any finite float.
    """
    return {
        "str": str(x),
        "repr": repr(x),
        "is_integer": x.is_integer(),
        "floor": math.floor(x),
        "ceil": math.ceil(x),
        "trunc": math.trunc(x),
        "int": int(x),
        "frac": math.modf(x)[0],
        "half": x / 2,
        "sqrt_abs": math.sqrt(abs(x)),
        "log10": math.log10(abs(x)) if x else None,
        "isclose_to_golden": math.isclose(x, GOLDEN_RATIO, rel_tol=1e-9),
    }


def rounding(x: float, digits: int = 0) -> dict:
    """round() the way Python rounds: half to even, on the binary value.

    Args:
        x: The number.
        digits: Decimal places (may be negative).
    """
    return {
        "round": round(x),
        "round_digits": round(x, digits),
        "text": str(round(x, digits)),
        "formatted": f"{x:.{max(digits, 0)}f}",
    }


def sum_and_average(values: list[float]) -> dict:
    """Sum, mean, min and max of numbers (floats, so 0.1 + 0.2 is 0.30000000000000004).

    Args:
        values: The numbers.
    """
    if not values:
        return {"count": 0, "sum": 0.0, "mean": None, "min": None, "max": None}
    total = sum(values)
    return {
        "count": len(values),
        "sum": total,
        "mean": total / len(values),
        "min": min(values),
        "max": max(values),
        "fsum": math.fsum(values),
        "product": math.prod(values),
    }


def distance(points: list[list[float]]) -> float:
    """Length of a path through 2-D points [[x, y], ...].

    Args:
        points: The path's points in order.
    """
    return sum(math.dist(p, q) for p, q in zip(points, points[1:]))


def compound(principal: float, rate: float, years: float) -> float:
    """Compound growth: principal * (1 + rate) ** years.

    Args:
        principal: The starting amount.
        rate: The growth per year (0.05 for 5%).
        years: How long, in years (fractions allowed).
    """
    return principal * (1 + rate) ** years
