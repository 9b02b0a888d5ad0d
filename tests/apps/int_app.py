"""Integer operators at the int64 corners, one tool each: -2**63 with -1 traps or wraps on the CPU."""

from conduit import Conduit

app = Conduit("int-corners")


@app.tool()
def floordiv(a: int, b: int) -> int:
    """a // b"""
    return a // b


@app.tool()
def mod(a: int, b: int) -> int:
    """a % b"""
    return a % b


@app.tool("divmod")
def divmod_(a: int, b: int) -> list[int]:
    """divmod(a, b) as a list"""
    q, r = divmod(a, b)
    return [q, r]


@app.tool()
def neg(a: int) -> int:
    """-a"""
    return -a


@app.tool("abs")
def abs_(a: int) -> int:
    """abs(a)"""
    return abs(a)


@app.tool()
def rshift(a: int, b: int) -> int:
    """a >> b"""
    return a >> b


@app.tool()
def lshift(a: int, b: int) -> int:
    """a << b"""
    return a << b


@app.tool()
def truncate(x: float) -> int:
    """int(x)"""
    return int(x)
