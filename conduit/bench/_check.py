"""One request before the load: a benchmark of error replies would measure the wrong thing."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from ..errors import ConduitError


def mcp_call(url: str, body: bytes, headers: Mapping[str, str], timeout: float = 10.0) -> dict[str, Any]:
    """Send one JSON-RPC request and return its result; raise if the server answers with an error."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type", "")
            text = response.read().decode()
    except urllib.error.HTTPError as exc:
        raise ConduitError(f"{url} answered {exc.code} {exc.reason}: {exc.read().decode(errors='replace')[:200]}")
    except OSError as exc:
        raise ConduitError(f"cannot reach {url}: {exc}") from None
    if content_type.startswith("text/event-stream"):  # the reply is the first SSE event's data
        text = next((line[5:] for line in text.splitlines() if line.startswith("data:")), "")
    message = json.loads(text)
    if "error" in message:
        raise ConduitError(f"{url} answered with an error: {message['error'].get('message', message['error'])}")
    result = message.get("result", {})
    if result.get("isError"):
        raise ConduitError(f"the tool failed: {json.dumps(result.get('content'))[:200]}")
    return result
