"""An app that requires a bearer token: one of two, given to Conduit (the supervisor passes them on)."""

from conduit import Conduit

app = Conduit("auth", auth_tokens=["s3cret-token", "second-token"])


@app.tool()
def whoami(name: str = "caller") -> str:
    """Answer only callers with a token."""
    return f"hello {name}"


@app.get("/status")
def status(req) -> dict:
    return {"ok": True}
