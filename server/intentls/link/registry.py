"""Where running servers say which folders they serve, and how a terminal reaches one.

Beside the history file (`history.db` → `history.db.servers/`, mode 0700, owned by the user)
each server keeps a Unix socket `NAME.sock` and an entry `NAME.json` naming its folders, its
version and its pid. Servers and terminals sharing a history find each other there; a server
with another history records elsewhere, so a terminal never uses it.

Only `os`, `json` and `socket`: the terminal reads this before it knows whether it needs the
engine (every import here is paid by each `intentls run`)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROTOCOL = 1
"""The link's message format (docs/protocol.md, "Terminal link"); a server refuses another."""

_SUN_PATH_MAX = 100
"""Linux allows 107 bytes in a socket address; a longer path is reached through its directory's
descriptor (/proc/self/fd/N/NAME), which the kernel resolves like any path."""


def servers_dir(history: Path) -> Path:
    return history.with_name(history.name + ".servers")


def private_dir(path: Path, create: bool) -> bool:
    """Whether `path` is a directory only this user can enter (made so when `create`): no other
    user can reach a socket in it, or plant an entry there."""
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
    try:
        st = path.lstat()
    except OSError:
        return False
    return (
        st.st_uid == os.getuid()
        and (st.st_mode & 0o170000) == 0o040000
        and (st.st_mode & 0o077) == 0
    )


@contextlib.contextmanager
def address(directory: Path, name: str) -> Iterator[str]:
    """The address of socket `name` in `directory`, usable for the time of a bind or connect."""
    path = os.fspath(directory / name)
    if len(os.fsencode(path)) <= _SUN_PATH_MAX:
        yield path
        return
    fd = os.open(directory, os.O_PATH | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{name}"
    finally:
        os.close(fd)


def write_entry(directory: Path, name: str, entry: dict[str, Any]) -> None:
    """Atomically: a terminal reads the whole entry or the previous one."""
    tmp = directory / f".{name}.json.tmp"
    tmp.write_text(json.dumps(entry), encoding="utf-8")
    tmp.replace(directory / f"{name}.json")


def remove(directory: Path, name: str) -> None:
    for each in (f"{name}.json", f"{name}.sock"):
        (directory / each).unlink(missing_ok=True)


def entries(directory: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each server's (name, entry); unreadable ones are skipped."""
    try:
        files = [p for p in directory.iterdir() if p.suffix == ".json"]
    except OSError:
        return
    for each in files:
        try:
            entry = json.loads(each.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict):
            yield each.stem, entry


def serving(directory: Path, here: str, version: str) -> list[str]:
    """Names of the servers of this version whose folders hold `here`, deepest folder first."""
    found: list[tuple[int, str]] = []
    for name, entry in entries(directory):
        if entry.get("protocol") != PROTOCOL or entry.get("version") != version:
            continue
        folders = entry.get("folders")
        depth = (
            max(
                (len(f) for f in folders if isinstance(f, str) and inside(here, f)),
                default=-1,
            )
            if isinstance(folders, list)
            else -1
        )
        if depth >= 0:
            found.append((depth, name))
    return [name for _, name in sorted(found, reverse=True)]


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def connect(directory: Path, name: str, timeout: float) -> socket.socket | None:
    """A connection to server `name`, or None; an entry whose socket nobody listens on any
    more (the server died) is removed."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        with address(directory, f"{name}.sock") as where:
            sock.connect(where)
    except (ConnectionRefusedError, FileNotFoundError):
        sock.close()
        remove(directory, name)
        return None
    except OSError:
        sock.close()
        return None
    return sock


def peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end (SO_PEERCRED: pid, uid, gid)."""
    import struct

    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])
