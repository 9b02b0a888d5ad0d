"""Errors: raised ValueError, custom exception hierarchies, except Exception catching subclasses,
except (A, B), KeyError messages, finally/else, re-raise, exceptions without a message."""

from typing import Optional

PRICES = {"apple": 0.5, "bread": 2.25, "milk": 1.1}


class InventoryError(Exception):
    """Base class of this module's errors."""


class OutOfStock(InventoryError):
    def __init__(self, item: str, wanted: int, available: int):
        super().__init__(f"only {available} {item} left, {wanted} wanted")
        self.item = item


class UnknownItem(InventoryError, KeyError):
    pass


class Silent(Exception):
    pass


STOCK = {"apple": 5, "bread": 2, "milk": 0}


def _reserve(item: str, quantity: int) -> int:
    if item not in STOCK:
        raise UnknownItem(item)
    if quantity > STOCK[item]:
        raise OutOfStock(item, quantity, STOCK[item])
    return STOCK[item] - quantity


def reserve(item: str, quantity: int = 1) -> dict:
    """Reserve stock; the custom errors propagate to the caller as the tool's error.

    Args:
        item: What to reserve.
        quantity: How many.
    """
    if quantity <= 0:
        raise ValueError(f"quantity must be positive, got {quantity}")
    return {"item": item, "left": _reserve(item, quantity)}


def try_reserve(item: str, quantity: int = 1) -> dict:
    """Reserve stock, turning any failure into an error field (except Exception catches subclasses).

    Args:
        item: What to reserve.
        quantity: How many.
    """
    try:
        left = _reserve(item, quantity)
    except OutOfStock as e:
        return {"ok": False, "error": str(e), "kind": "out_of_stock", "item": e.item}
    except Exception as e:
        return {"ok": False, "error": str(e), "kind": type(e).__name__}
    else:
        return {"ok": True, "left": left}


def price_of(item: str) -> float:
    """The price of an item; a missing item is a KeyError whose message is the quoted key.

    Args:
        item: Item name.
    """
    return PRICES[item]


def safe_price(item: str) -> dict:
    """The price of an item, or an error object for an unknown one.

    Args:
        item: Item name.
    """
    try:
        return {"item": item, "price": PRICES[item]}
    except KeyError as e:
        return {"error": f"unknown item {e}", "known": sorted(PRICES)}


def parse_number(text: str) -> dict:
    """Parse an int, else a float, else report CPython's own error message.

    Args:
        text: The text to parse.
    """
    try:
        return {"type": "int", "value": int(text)}
    except ValueError:
        pass
    try:
        return {"type": "float", "value": float(text)}
    except ValueError as e:
        return {"type": "error", "error": str(e)}


def divide(a: int, b: int) -> dict:
    """Integer and true division; dividing by zero is CPython's ZeroDivisionError.

    Args:
        a: Dividend.
        b: Divisor.
    """
    return {"floor": a // b, "mod": a % b, "true": a / b}


def safe_divide(a: float, b: float) -> dict:
    """True division that reports division by zero instead of raising.

    Args:
        a: Dividend.
        b: Divisor.
    """
    try:
        return {"result": a / b}
    except ZeroDivisionError as e:
        return {"error": str(e), "result": None}


def lookup_chain(data: dict[str, int], keys: list[str]) -> dict:
    """Look up keys in order; (KeyError, IndexError) are caught together and the lookups counted.

    Args:
        data: Name -> value.
        keys: Keys to look up; "#n" means the n-th value in insertion order.
    """
    found, missing = [], []
    attempts = 0
    for key in keys:
        try:
            attempts += 1
            if key.startswith("#"):
                found.append(list(data.values())[int(key[1:])])
            else:
                found.append(data[key])
        except (KeyError, IndexError) as e:
            missing.append(f"{type(e).__name__}: {e}")
        except ValueError:
            missing.append(f"bad index {key!r}")
        finally:
            pass
    return {"found": found, "missing": missing, "attempts": attempts}


def validate_user(name: str, age: int, email: str = "") -> dict:
    """Validate a user record; all problems are collected, and raised together as one ValueError.

    Args:
        name: Must not be blank.
        age: From 0 to 150.
        email: Optional; must contain "@" when given.
    """
    problems = []
    if not name.strip():
        problems.append("name is blank")
    if not 0 <= age <= 150:
        problems.append(f"age {age} out of range")
    if email and "@" not in email:
        problems.append(f"email {email!r} has no @")
    if problems:
        raise ValueError("; ".join(problems))
    return {"name": name.strip(), "age": age, "email": email or None}


def raise_kind(kind: str, message: str = "") -> str:
    """Raise the named exception with the message (an empty message shows the class name).

    Args:
        kind: One of "value", "type", "key", "index", "runtime", "custom", "assert", "zero", "silent".
        message: The exception's message.
    """
    if kind == "value":
        raise ValueError(message)
    if kind == "type":
        raise TypeError(message)
    if kind == "key":
        raise KeyError(message)
    if kind == "index":
        return ["only"][len(message) + 1]
    if kind == "runtime":
        raise RuntimeError(message)
    if kind == "custom":
        raise OutOfStock(message or "thing", 2, 1)
    if kind == "assert":
        assert message, "message must not be empty"
        assert not message, message
    if kind == "zero":
        return str(len(message) // 0)
    if kind == "silent":
        raise Silent()
    return f"no error for {kind!r}"


def retry(attempts: int, fail_times: int) -> dict:
    """Retry an operation that fails `fail_times` times; finally counts every try.

    Args:
        attempts: How many tries are allowed.
        fail_times: How many first tries fail.
    """
    log = []
    tries = 0
    for attempt in range(1, min(attempts, 100) + 1):
        try:
            if attempt <= fail_times:
                raise ConnectionError(f"attempt {attempt} failed")
            log.append(f"attempt {attempt} ok")
            break
        except ConnectionError as e:
            log.append(str(e))
        finally:
            tries += 1
    else:
        return {"ok": False, "tries": tries, "log": log}
    return {"ok": True, "tries": tries, "log": log}


def wrapped_error(value: str) -> int:
    """Parse a positive int; a bad value is re-raised as a ValueError with context ("from").

    Args:
        value: The text.
    """
    try:
        number = int(value)
    except ValueError as e:
        raise ValueError(f"not a number: {value!r}") from e
    if number <= 0:
        raise ValueError(f"not positive: {number}")
    return number


def first_error(values: list[str]) -> Optional[str]:
    """The message of the first value that does not parse as a float, or null.

    Args:
        values: Texts to check.
    """
    for value in values:
        try:
            float(value)
        except ValueError as e:
            return str(e)
    return None
