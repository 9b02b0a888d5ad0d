"""Who serves a socket, read from Linux's /proc: the supervisor's readiness checks during a swap.

While an old and a new server share one listening socket, a probe may be answered by either;
these tell which process accepted a connection (it holds the socket's inode) and whether a
process is in its accept loop (the listening socket is in one of its epoll sets).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

__all__ = ["accepted_inode", "holds_socket", "watches"]

_TCP_ESTABLISHED = "01"


def accepted_inode(server_port: int, client_port: int) -> int:
    """Inode of the server side of our probe connection; 0 while it waits to be accepted.

    Under load the same port pair can also appear as an earlier connection in TIME_WAIT
    (inode 0): only an established entry is ours.
    """
    server_hex = f":{server_port:04X}"
    client_hex = f":{client_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                next(handle, None)
                for row in handle:
                    fields = row.split()
                    if (
                        len(fields) >= 10
                        and fields[3] == _TCP_ESTABLISHED
                        and fields[1].endswith(server_hex)
                        and fields[2].endswith(client_hex)
                    ):
                        return int(fields[9])
        except OSError:
            continue
    return 0


def _fd_links(pid: int) -> Iterator[tuple[str, str]]:
    """(fd, what it points at) for each of `pid`'s open descriptors; nothing if it is gone."""
    fd_dir = f"/proc/{pid}/fd"
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return
    for name in names:
        with contextlib.suppress(OSError):
            yield name, os.readlink(f"{fd_dir}/{name}")


def watches(pid: int, inode: int) -> bool:
    """Whether `pid` has the socket `inode` in one of its epoll sets: it is in its accept loop."""
    needle = f" ino:{inode:x} "
    for name, link in _fd_links(pid):
        if link != "anon_inode:[eventpoll]":
            continue
        with contextlib.suppress(OSError), open(f"/proc/{pid}/fdinfo/{name}") as info:
            if any(line.startswith("tfd:") and needle in line + " " for line in info):
                return True
    return False


def holds_socket(pid: int, inode: int) -> bool:
    target = f"socket:[{inode}]"
    return any(link == target for _, link in _fd_links(pid))
