"""The inverse operations built-in tools record before they act, as JSON objects in the history
(`inverses` table). The undo of a step applies its operations in reverse order of `seq`; the
undo of a run applies its steps in reverse order. Paths are absolute real paths.

- `{"op": "remove", "path", "sha256"?}`: remove what the step created (a file, a link, or a
  copied tree); `sha256` is the content the step wrote, to tell a later edit.
- `{"op": "restore", "path", "mode", "content" | "blob", "sha256"?}`: put prior content back
  (`content` base64 inline, or `blob` a file in the trash directory); `sha256` as above.
- `{"op": "truncate", "path", "size", "sha256"?}`: cut an appended file back to `size` bytes.
- `{"op": "move", "from", "to"}`: move `from` back to `to`.
- `{"op": "untrash", "path", "trash"}`: move the removed entry at `trash` back to `path`.
- `{"op": "rmdir", "path"}`: remove a directory the step created, if it is empty.
- `{"op": "git", "cwd", "run": [{"argv", "stdin"?}], "note", "index"?, "worktree"?}`: git
  commands, in order; `index` true when they rewrite index entries, `worktree` true when they
  change work-tree files (undo/gitsteps.py checks and orders by these).
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from intentls.tools.base import INLINE_BYTES, RunContext


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def restore(
    ctx: RunContext, real: Path, data: bytes, st: os.stat_result, after: bytes | None
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "op": "restore",
        "path": os.fspath(real),
        "mode": stat.S_IMODE(st.st_mode),
    }
    if len(data) <= INLINE_BYTES:
        op["content"] = base64.b64encode(data).decode("ascii")
    else:
        blob = ctx.next_trash(real.name)
        blob.write_bytes(data)
        op["blob"] = os.fspath(blob)
    if after is not None:
        op["sha256"] = sha256(after)
    return op


def remove(real: Path, after: bytes | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"op": "remove", "path": os.fspath(real)}
    if after is not None:
        op["sha256"] = sha256(after)
    return op


def rmdir(real: Path) -> dict[str, Any]:
    return {"op": "rmdir", "path": os.fspath(real)}


def move(moved_to: Path, came_from: Path) -> dict[str, Any]:
    return {"op": "move", "from": os.fspath(moved_to), "to": os.fspath(came_from)}


def untrash(real: Path, trash: Path) -> dict[str, Any]:
    return {"op": "untrash", "path": os.fspath(real), "trash": os.fspath(trash)}
