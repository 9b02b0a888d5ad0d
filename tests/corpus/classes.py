"""Classes used by tools: @dataclass (with order, defaults, field), methods, properties,
classmethods, inheritance, dunder methods, and string forward references."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional


@dataclass
class Item:
    name: str
    price: float
    quantity: int = 1

    @property
    def total(self) -> float:
        return self.price * self.quantity


@dataclass
class Cart:
    items: list[Item] = field(default_factory=list)
    discount: float = 0.0

    def add(self, name: str, price: float, quantity: int = 1) -> None:
        for item in self.items:
            if item.name == name:
                item.quantity += quantity
                return
        self.items.append(Item(name, price, quantity))

    def subtotal(self) -> float:
        return sum(item.total for item in self.items)

    def total(self) -> float:
        return round(self.subtotal() * (1 - self.discount), 2)


def checkout(names: list[str], prices: list[float], discount: float = 0.0) -> dict:
    """Put items in a cart (repeated names add up) and total it.

    Args:
        names: Item names, one per unit added.
        prices: Unit price of each name, in the same order.
        discount: Fraction taken off the subtotal.
    """
    if len(names) != len(prices):
        raise ValueError("names and prices must have the same length")
    cart = Cart(discount=discount)
    for name, price in zip(names, prices):
        cart.add(name, price)
    return {"items": [asdict(item) for item in cart.items], "subtotal": cart.subtotal(), "total": cart.total()}


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> Version:
        parts = [int(p) for p in text.strip().lstrip("v").split(".")]
        if not 1 <= len(parts) <= 3:
            raise ValueError(f"not a version: {text!r}")
        return cls(*parts)

    def bump(self, part: str) -> Version:
        if part == "major":
            return Version(self.major + 1)
        if part == "minor":
            return Version(self.major, self.minor + 1)
        return Version(self.major, self.minor, self.patch + 1)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def sort_versions(versions: list[str], bump: Optional[str] = None) -> list[str]:
    """Sort version strings ("1.10.0" after "1.9"), optionally bumping each one first.

    Args:
        versions: e.g. ["1.2", "v1.10.0", "0.9.9"].
        bump: "major", "minor" or "patch" to bump before sorting.
    """
    parsed = [Version.parse(v) for v in versions]
    if bump:
        parsed = [v.bump(bump) for v in parsed]
    return [str(v) for v in sorted(parsed)]


class Shape:
    name = "shape"

    def area(self) -> float:
        raise NotImplementedError

    def describe(self) -> str:
        return f"{self.name} with area {self.area():.2f}"


class Rectangle(Shape):
    name = "rectangle"

    def __init__(self, width: float, height: float):
        self.width = width
        self.height = height

    def area(self) -> float:
        return self.width * self.height


class Square(Rectangle):
    name = "square"

    def __init__(self, side: float):
        super().__init__(side, side)


class Circle(Shape):
    name = "circle"

    def __init__(self, radius: float):
        self.radius = radius

    def area(self) -> float:
        return 3.141592653589793 * self.radius**2


def describe_shapes(kinds: list[str], sizes: list[float]) -> list[str]:
    """Describe shapes built from kinds ("square", "circle", "rectangle") and sizes.

    A rectangle takes two sizes (width, height); the others take one.

    Args:
        kinds: Shape kinds in order.
        sizes: Their sizes, consumed in order.
    """
    shapes: list[Shape] = []
    pos = 0
    for kind in kinds:
        if kind == "rectangle":
            shapes.append(Rectangle(sizes[pos], sizes[pos + 1]))
            pos += 2
        elif kind == "square":
            shapes.append(Square(sizes[pos]))
            pos += 1
        elif kind == "circle":
            shapes.append(Circle(sizes[pos]))
            pos += 1
        else:
            raise ValueError(f"unknown shape: {kind}")
    return [s.describe() for s in sorted(shapes, key=lambda s: s.area())]


class Vector:
    def __init__(self, x: float, y: float):
        self.x, self.y = x, y

    def __add__(self, other: Vector) -> Vector:
        return Vector(self.x + other.x, self.y + other.y)

    def __mul__(self, k: float) -> Vector:
        return Vector(self.x * k, self.y * k)

    def __abs__(self) -> float:
        return (self.x**2 + self.y**2) ** 0.5

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vector) and (self.x, self.y) == (other.x, other.y)

    def __repr__(self) -> str:
        return f"Vector({self.x!r}, {self.y!r})"


def vector_sum(xs: list[float], ys: list[float], scale: float = 1.0) -> dict:
    """Add up vectors (x[i], y[i]), scale the sum, and report it with its length.

    Args:
        xs: X components.
        ys: Y components.
        scale: Factor applied to the sum.
    """
    total = Vector(0.0, 0.0)
    for x, y in zip(xs, ys):
        total = total + Vector(x, y)
    total = total * scale
    return {"repr": repr(total), "length": abs(total), "is_zero": total == Vector(0.0, 0.0)}


class BankAccount:
    """An account that refuses overdrafts and keeps a history."""

    interest_rate = 0.02
    accounts_opened = 0

    def __init__(self, owner: str, balance: float = 0.0):
        self.owner = owner
        self.balance = balance
        self.history: list[str] = []
        BankAccount.accounts_opened += 1

    def deposit(self, amount: float) -> None:
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.history.append(f"+{amount:.2f}")

    def withdraw(self, amount: float) -> None:
        if amount > self.balance:
            raise ValueError(f"insufficient funds: balance {self.balance:.2f}, asked {amount:.2f}")
        self.balance -= amount
        self.history.append(f"-{amount:.2f}")

    def __str__(self) -> str:
        return f"{self.owner}: {self.balance:,.2f}"


def run_account(owner: str, operations: list[float], opening: float = 0.0) -> dict:
    """Apply deposits (positive) and withdrawals (negative) in order; stop at the first refusal.

    Args:
        owner: The account holder.
        operations: Amounts; positive deposits, negative withdrawals.
        opening: The opening balance.
    """
    account = BankAccount(owner, opening)
    error = None
    for amount in operations:
        try:
            if amount >= 0:
                account.deposit(amount)
            else:
                account.withdraw(-amount)
        except ValueError as exc:
            error = str(exc)
            break
    return {"statement": str(account), "history": account.history, "error": error, "balance": account.balance}


class Matrix:
    def __init__(self, rows: list[list[int]]):
        if any(len(r) != len(rows[0]) for r in rows):
            raise ValueError("rows must have equal length")
        self.rows = rows

    @staticmethod
    def identity(n: int) -> Matrix:
        return Matrix([[int(i == j) for j in range(n)] for i in range(n)])

    def __matmul__(self, other: Matrix) -> Matrix:
        cols = list(zip(*other.rows))
        return Matrix([[sum(a * b for a, b in zip(row, col)) for col in cols] for row in self.rows])

    def __pow__(self, k: int) -> Matrix:
        result = Matrix.identity(len(self.rows))
        base = self
        while k:
            if k & 1:
                result = result @ base
            base = base @ base
            k >>= 1
        return result


def matrix_power(rows: list[list[int]], exponent: int) -> list[list[int]]:
    """Raise a square integer matrix (at most 4x4) to a power (exact big integers, exponent up to 100).

    Args:
        rows: The matrix, row by row.
        exponent: A non-negative power.
    """
    if not 0 <= exponent <= 100:
        raise ValueError("exponent must be between 0 and 100")
    if not rows or len(rows) != len(rows[0]) or len(rows) > 4:
        raise ValueError("matrix must be square, not empty and at most 4x4")
    return (Matrix(rows) ** exponent).rows
