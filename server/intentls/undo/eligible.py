"""Which paths of a folder snapshots cover: what git would not ignore, minus `undo.exclude`.

`.gitignore` files at every level (git's precedence: a deeper file wins, the last matching line
wins within a file, `!` re-includes) and `.git/info/exclude`, read with `pathspec`'s gitignore
semantics, also outside a git repository. A directory that is ignored is not entered (git cannot
re-include a file below it either). `.git` is never entered. Sockets, FIFOs and devices are not
content and are skipped."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import attrs
from pathspec import GitIgnoreSpec

GIT = ".git"
GITIGNORE = ".gitignore"


@attrs.frozen
class Level:
    """The ignore rules of one directory, matched against paths relative to it."""

    base: str
    """The directory relative to the folder, "" or ending in "/"."""
    spec: GitIgnoreSpec


def _read_spec(path: str) -> GitIgnoreSpec | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:  # noqa: PTH123
            lines = fh.read().splitlines()
    except OSError:
        return None
    lines = [line for line in lines if line.strip() and not line.startswith("#")]
    return GitIgnoreSpec.from_lines(lines) if lines else None


class Eligibility:
    """The rules for one folder; `walk` yields every eligible path with its `lstat`."""

    def __init__(self, root: Path, exclude: list[str]) -> None:
        self.root = root
        self.exclude = GitIgnoreSpec.from_lines(exclude) if exclude else None
        base: list[Level] = []
        info = _read_spec(os.path.join(root, GIT, "info", "exclude"))  # noqa: PTH118
        if info is not None:
            base.append(Level("", info))
        self._top = base

    def ignored(self, rel: str, is_dir: bool, levels: list[Level]) -> bool:
        probe = rel + "/" if is_dir else rel
        if self.exclude is not None and self.exclude.match_file(probe):
            return True
        for level in reversed(levels):
            result = level.spec.check_file(probe[len(level.base) :])
            if result.include is not None:
                return bool(result.include)
        return False

    def walk(self) -> Iterator[tuple[str, os.stat_result]]:
        """(path relative to the folder with "/" separators, lstat), directories included."""
        stack: list[tuple[str, list[Level]]] = [("", self._top)]
        root = os.fspath(self.root)
        while stack:
            prefix, parent_levels = stack.pop()
            directory = os.path.join(root, prefix) if prefix else root  # noqa: PTH118
            try:
                with os.scandir(directory) as it:
                    entries = list(it)
            except OSError:
                continue
            levels = parent_levels
            if any(e.name == GITIGNORE for e in entries):
                spec = _read_spec(os.path.join(directory, GITIGNORE))  # noqa: PTH118
                if spec is not None:
                    levels = [*parent_levels, Level(prefix, spec)]
            for entry in entries:
                name = entry.name
                if name == GIT:
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                is_dir = stat.S_ISDIR(st.st_mode)
                if not (is_dir or stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
                    continue
                rel = prefix + name
                if (levels or self.exclude is not None) and self.ignored(rel, is_dir, levels):
                    continue
                yield rel, st
                if is_dir:
                    stack.append((rel + "/", levels))
