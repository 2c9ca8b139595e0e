"""What environment a run had, kept so that "why did it fail now?" (failures/explain.py) can
say which variables were added, removed or changed — without ever storing a value.

Each value is kept only as a keyed hash (HMAC-SHA256, truncated): two runs' hashes are equal
exactly when the value is. A plain hash would not do: most values are short or guessable
(`1`, `production`, a path), and a plain hash of them is reversed by trying candidates. The key
is random, made once per history file and kept beside it readable by its owner only, so a
history file copied or shared without its key says nothing about any value.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

NOISE = frozenset({"_", "OLDPWD", "PWD", "SHLVL", "COLUMNS", "LINES"})
"""Variables every shell changes on its own: no run fails because of them."""


def key_for(history_path: Path | None) -> bytes:
    """The history file's hashing key (`<history>.envkey`, mode 0600), made on first use; a
    history kept in memory gets a key for this process only."""
    import secrets  # this module's hashing loads OpenSSL: not at a terminal command's start

    if history_path is None:
        return secrets.token_bytes(32)
    path = history_path.with_name(history_path.name + ".envkey")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:  # another user's history, read-only here
        log.warning("cannot read the environment key %s; using one for this process", path)
        return secrets.token_bytes(32)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_bytes()
    except OSError:
        log.warning("cannot keep an environment key beside %s; using one for this process", path)
        return key
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


def fingerprint(env: Mapping[str, str], key: bytes) -> dict[str, str]:
    """Each variable's name with a keyed hash of its value (never the value). Every run
    start asks, on the event loop, mostly for the environment it asked for last: that answer
    is kept (one HMAC per variable is ~5 µs; comparing the environments, a fraction of it)."""
    last = _last.get(key)
    if last is not None and last[0] == env:
        return dict(last[1])
    found = {name: _digest(key, value) for name, value in sorted(env.items()) if name not in NOISE}
    _last.clear()
    _last[key] = (dict(env), found)
    return dict(found)


_last: dict[bytes, tuple[dict[str, str], dict[str, str]]] = {}
"""The last environment fingerprinted, by key, and its fingerprint."""


def _digest(key: bytes, value: str) -> str:
    import hashlib
    import hmac

    return hmac.new(key, value.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:16]


def set_id(entries: Mapping[str, str]) -> str:
    """The id of a fingerprint, shared by every run with the same environment."""
    import hashlib

    text = json.dumps(entries, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]
