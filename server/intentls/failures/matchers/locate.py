"""Where a problem's file is, by the matcher's `fileLocation`; only files inside the folder that
exist are kept (a traceback's frame in the standard library is not the workspace's problem)."""

from __future__ import annotations

import os
from pathlib import Path

from intentls.failures.matchers.schema import FileLocation

SEARCH_LIMIT = 20_000
"""Directory entries a `search` file location looks at, at most."""
_SKIP = {".git", "node_modules", ".venv", "__pycache__", "target", ".mypy_cache"}


def locate(name: str, where: FileLocation, folder: Path, cwd: Path) -> Path | None:
    base = _base(where.base, folder, cwd)
    path = Path(name)
    if where.kind == "search" and not path.is_absolute():
        found = _search(name, [_base(d, folder, cwd) for d in where.include] or [folder], where)
    elif path.is_absolute() or where.kind == "absolute":
        found = path if path.is_absolute() else base / path
    elif where.kind == "autodetect" and where.base is None:
        found = next((p for p in (cwd / path, folder / path) if p.is_file()), cwd / path)
    else:
        found = base / path
    return _inside(found, folder)


def _base(base: str | None, folder: Path, cwd: Path) -> Path:
    if base is None:
        return folder
    text = base.replace("${workspaceFolder}", str(folder)).replace("${workspaceRoot}", str(folder))
    text = text.replace("${cwd}", str(cwd))
    path = Path(text)
    return path if path.is_absolute() else folder / path


def _search(name: str, roots: list[Path], where: FileLocation) -> Path | None:
    excluded = {Path(e) if Path(e).is_absolute() else roots[0] / e for e in where.exclude}
    seen = 0
    suffix = Path(name).parts
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = [d for d in dirnames if d not in _SKIP and here / d not in excluded]
            seen += len(dirnames) + len(filenames)
            if suffix[-1] in filenames and (here / suffix[-1]).parts[-len(suffix) :] == suffix:
                return here / suffix[-1]
            if seen > SEARCH_LIMIT:
                return None
    return None


def _inside(path: Path | None, folder: Path) -> Path | None:
    if path is None:
        return None
    real = Path(os.path.normpath(path))
    if not real.is_file() or not real.is_relative_to(folder):
        return None
    return real
