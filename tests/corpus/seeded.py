"""random.Random(seed): seeded generators are deterministic, so their answers must be CPython's
Mersenne Twister draws exactly (random, randint, choice, shuffle, sample, uniform, gauss)."""

import random
import string

NAMES = ["ada", "alan", "grace", "linus", "guido", "barbara", "ken", "dennis"]


def dice(seed: int, rolls: int = 5, sides: int = 6) -> dict:
    """Roll dice with a seeded generator.

    Args:
        seed: The seed.
        rolls: How many rolls (at most 1000).
        sides: Sides per die.
    """
    rng = random.Random(seed)
    values = [rng.randint(1, sides) for _ in range(min(rolls, 1000))]
    return {"rolls": values, "total": sum(values)}


def shuffle_names(seed: int, names: list[str] = []) -> list[str]:
    """Shuffle names (the module's list when none are given) with a seeded generator.

    Args:
        seed: The seed.
        names: Names to shuffle.
    """
    rng = random.Random(seed)
    deck = list(names or NAMES)
    rng.shuffle(deck)
    return deck


def draws(seed: int, count: int = 3) -> dict:
    """A few of every kind of draw from one seeded generator, in a fixed order.

    Args:
        seed: The seed.
        count: Draws of each kind (at most 50).
    """
    rng = random.Random(seed)
    count = min(count, 50)
    return {
        "random": [rng.random() for _ in range(count)],
        "uniform": [rng.uniform(-1.0, 1.0) for _ in range(count)],
        "randrange": [rng.randrange(0, 100, 5) for _ in range(count)],
        "choice": [rng.choice(NAMES) for _ in range(count)],
        "sample": rng.sample(range(100), min(count, 100)),
        "getrandbits": rng.getrandbits(70),
        "gauss": round(rng.gauss(0.0, 1.0), 12),
        "choices": rng.choices("abc", weights=[5, 1, 1], k=count),
    }


def password(seed: int, length: int = 12, symbols: bool = False) -> str:
    """A reproducible password from letters and digits (and punctuation).

    Args:
        seed: The seed.
        length: Characters (at most 256).
        symbols: Include punctuation.
    """
    alphabet = string.ascii_letters + string.digits + (string.punctuation if symbols else "")
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(min(length, 256)))


def monte_carlo_pi(seed: int, samples: int = 1000) -> float:
    """Estimate pi from seeded random points (at most 100000 samples).

    Args:
        seed: The seed.
        samples: Points to draw.
    """
    rng = random.Random(seed)
    samples = max(1, min(samples, 100_000))
    inside = sum(1 for _ in range(samples) if rng.random() ** 2 + rng.random() ** 2 <= 1.0)
    return 4 * inside / samples


def string_seed(seed: str, count: int = 3) -> list[int]:
    """Random ints from a generator seeded with a string (CPython hashes it with SHA-512).

    Args:
        seed: The seed text.
        count: How many (at most 100).
    """
    rng = random.Random(seed)
    return [rng.randint(0, 1000) for _ in range(min(count, 100))]
