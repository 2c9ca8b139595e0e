"""Shell-like globs over a workspace: `*`, `?`, `[…]` within one path component, `**` for any
number of directories. Like a shell, a wildcard does not match a leading dot; `.git` is never
entered; symbolic links are matched by name and never followed."""

from __future__ import annotations

import os
import re
from pathlib import Path

MAGIC = re.compile(r"[*?[]")
SKIP_DIRS = {".git"}


def has_magic(pattern: str) -> bool:
    return MAGIC.search(pattern) is not None


def split(pattern: str) -> tuple[str, list[str]]:
    """The literal leading directories and the wildcard components after them."""
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    absolute = pattern.startswith("/")
    for i, part in enumerate(parts):
        if has_magic(part):
            base = "/".join(parts[:i])
            return ("/" + base if absolute else base) or ".", parts[i:]
    return pattern, []


def _component(part: str) -> str:
    out, i = [], 0
    while i < len(part):
        ch = part[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            close = part.find("]", i + 2 if part[i + 1 : i + 2] in ("!", "]") else i + 1)
            if close < 0:
                out.append(re.escape(ch))
            else:
                body = part[i + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = close
        else:
            out.append(re.escape(ch))
        i += 1
    prefix = "" if part.startswith(".") else r"(?!\.)"
    return prefix + "".join(out)


def compile_parts(parts: list[str]) -> re.Pattern[str]:
    regex = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            regex += r"(?:(?!\.)[^/]+/)*" if not last else r"(?:(?!\.)[^/]+/)*(?!\.)[^/]+"
        else:
            regex += _component(part) + ("" if last else "/")
    return re.compile(regex + r"\Z")


def expand(base: Path, parts: list[str]) -> list[Path]:
    """Entries under the real directory `base` matching `parts`, sorted, without an entry whose
    ancestor also matched (deleting `build/**` deletes `build/x` once)."""
    if not base.is_dir() or base.is_symlink():
        return []
    regex = compile_parts(parts)
    max_depth = None if "**" in parts else len(parts)
    found: list[str] = []
    root = os.fspath(base)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        depth = 0 if rel_dir == "." else rel_dir.count(os.sep) + 1
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in [*dirnames, *filenames]:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
            if regex.match(rel):
                found.append(rel)
        if max_depth is not None and depth + 1 >= max_depth:
            dirnames[:] = []
    found.sort()
    kept: list[str] = []
    for rel in found:
        if not any(rel.startswith(k + "/") for k in kept):
            kept.append(rel)
    return [base / rel for rel in kept]
