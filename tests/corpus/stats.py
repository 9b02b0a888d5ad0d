"""`statistics`: mean, median, mode, stdev, variance, quantiles; results mix ints and floats."""

import statistics
from statistics import mean, median


def summary(values: list[float]) -> dict:
    """Mean, median, standard deviation and range of a sample.

    Args:
        values: At least one number.
    """
    if not values:
        raise ValueError("no values")
    result = {"n": len(values), "mean": mean(values), "median": median(values)}
    result["stdev"] = statistics.stdev(values) if len(values) > 1 else 0.0
    result["range"] = max(values) - min(values)
    return result


def int_summary(values: list[int]) -> dict:
    """Statistics of integers: Python keeps ints where the answer is exact (mean([1, 2, 3]) is 2).

    Args:
        values: The integers.
    """
    return {
        "mean": statistics.mean(values),
        "median": statistics.median(values),
        "median_low": statistics.median_low(values),
        "median_high": statistics.median_high(values),
        "mode": statistics.mode(values),
        "multimode": statistics.multimode(values),
    }


def spread(values: list[float]) -> dict[str, float]:
    """Sample and population variance and standard deviation.

    Args:
        values: At least two numbers.
    """
    return {
        "variance": statistics.variance(values),
        "pvariance": statistics.pvariance(values),
        "stdev": statistics.stdev(values),
        "pstdev": statistics.pstdev(values),
    }


def zscores(values: list[float]) -> list[float]:
    """Each value's z-score, rounded to 3 places.

    Args:
        values: At least two numbers that are not all equal.
    """
    mu = mean(values)
    sigma = statistics.stdev(values)
    return [round((v - mu) / sigma, 3) for v in values]


def moving_average(values: list[float], window: int = 3) -> list[float]:
    """Averages of each run of `window` consecutive values.

    Args:
        values: The series.
        window: The run length (at least 1).
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    return [sum(values[i : i + window]) / window for i in range(len(values) - window + 1)]


def grade_stats(scores: dict[str, int]) -> dict:
    """Class statistics from name -> score: mean, median, the best student, quartiles.

    Args:
        scores: Each student's score.
    """
    values = list(scores.values())
    best = max(scores, key=scores.get)
    result = {"mean": round(mean(values), 2), "median": median(values), "best": best, "top": scores[best]}
    if len(values) >= 2:
        result["quartiles"] = statistics.quantiles(values, n=4)
    return result
