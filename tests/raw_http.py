"""Raw HTTP/1.1 over a socket, for tests that send what no HTTP client would.

- `exchange(host, port, data)`: send the bytes (in pieces, if asked), half-close, and read until
  the server closes the connection (`Hung` if it neither answers nor closes in time).
- `check_answers(data)`: everything the server sent, as consecutive well-formed HTTP/1.x
  responses (status line, header lines, a body framed by Content-Length or chunked or the close,
  JSON where it says JSON); raises `Malformed` otherwise.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass


class Malformed(AssertionError):
    """The server's bytes are not well-formed HTTP/1.x responses."""


class Hung(AssertionError):
    """The server neither answered nor closed the connection in time."""


def exchange(
    host: str, port: int, data: bytes, pieces: Sequence[int] = (), timeout: float = 10.0, settle: float = 0.0
) -> bytes:
    """Send the bytes (cut at `pieces`), shut our sending side, read until the server closes.

    `settle` > 0 first reads until the server has been quiet that long, and only then shuts our
    side: uvicorn drops the answers of a connection whose client half-closed (the native server
    answers everything it has received first).
    """
    chunks: list[bytes] = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        deadline = time.monotonic() + timeout
        try:
            last = 0
            for cut in pieces:
                sock.sendall(data[last:cut])
                last = cut
                time.sleep(0.002)
            sock.sendall(data[last:])
            if settle > 0 and not _read(sock, chunks, deadline, settle):
                return b"".join(chunks)
            sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking everything: read what it sent
        if not _read(sock, chunks, deadline, None):
            return b"".join(chunks)
        raise Hung(f"no close within {timeout} s after {len(b''.join(chunks))} bytes")


def _read(sock: socket.socket, chunks: list[bytes], deadline: float, quiet: float | None) -> bool:
    """Read into `chunks` until the server closes (False) or, with `quiet`, is quiet that long (True)."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        sock.settimeout(min(left, quiet) if quiet else left)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return False  # closed with unread input (the rest of a rejected request): a close
        except socket.timeout:
            if quiet:
                return True
            continue
        if not chunk:
            return False
        chunks.append(chunk)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


_STATUS = re.compile(rb"HTTP/1\.[01] ([1-5][0-9][0-9])(?: [\t -~\x80-\xff]*)?\r\n")
_HEADER = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([\t -~\x80-\xff]*?)[ \t]*\r\n")


def check_answers(data: bytes) -> list[Response]:
    """Parse everything the server sent as consecutive responses; raise Malformed if it is not."""
    responses = []
    pos = 0
    while pos < len(data):
        m = _STATUS.match(data, pos)
        if not m:
            raise Malformed(f"no status line at byte {pos}: {data[pos : pos + 80]!r}")
        status = int(m.group(1))
        pos = m.end()
        headers = []
        while not data.startswith(b"\r\n", pos):
            h = _HEADER.match(data, pos)
            if not h:
                raise Malformed(f"bad header line at byte {pos}: {data[pos : pos + 80]!r}")
            headers.append((h.group(1).decode(), h.group(2).decode("latin-1")))
            pos = h.end()
        pos += 2
        response = Response(status, headers, b"")
        lengths = [v for k, v in headers if k.lower() == "content-length"]
        chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers)
        if 100 <= status < 200:
            if status != 100 or headers:
                raise Malformed(f"unexpected interim response {status} {headers}")
            responses.append(response)
            continue
        if chunked and lengths:
            raise Malformed("both Content-Length and chunked")
        if len(lengths) > 1 or (lengths and not lengths[0].isdigit()):
            raise Malformed(f"bad Content-Length {lengths}")
        if chunked:
            body, pos = _dechunk(data, pos)
        elif lengths:
            size = int(lengths[0])
            if status in (204, 304) and size:
                raise Malformed(f"{status} with a body")
            if pos + size > len(data):
                raise Malformed(f"body cut short: {len(data) - pos} of {size} bytes")
            body, pos = data[pos : pos + size], pos + size
        elif status in (204, 304):
            body = b""
        else:
            body, pos = data[pos:], len(data)  # delimited by the close
        response.body = body
        kind = (response.header("content-type") or "").lower()
        if kind.startswith("application/json") and body:
            try:
                parsed = json.loads(body)
            except ValueError as exc:
                raise Malformed(f"a {status} says JSON but its body is not: {body[:200]!r}") from exc
            if isinstance(parsed, dict) and "jsonrpc" in parsed and parsed.get("jsonrpc") != "2.0":
                raise Malformed(f"not JSON-RPC 2.0: {body[:200]!r}")
        responses.append(response)
    return responses


def _dechunk(data: bytes, pos: int) -> tuple[bytes, int]:
    out = []
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            raise Malformed("chunked body cut short in a chunk size")
        size_text = data[pos:end].split(b";")[0].strip()
        if not re.fullmatch(rb"[0-9A-Fa-f]+", size_text):
            raise Malformed(f"bad chunk size {size_text!r}")
        size = int(size_text, 16)
        pos = end + 2
        if size == 0:
            while True:  # trailers, then the blank line
                end = data.find(b"\r\n", pos)
                if end < 0:
                    raise Malformed("chunked body cut short in the trailers")
                line, pos = data[pos:end], end + 2
                if not line:
                    return b"".join(out), pos
        if pos + size + 2 > len(data) or data[pos + size : pos + size + 2] != b"\r\n":
            raise Malformed("chunk cut short or not followed by CRLF")
        out.append(data[pos : pos + size])
        pos += size + 2
