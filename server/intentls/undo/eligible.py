"""Which paths of a folder snapshots cover: what git would not ignore, minus `undo.exclude`.

`.gitignore` files at every level (git's precedence: a deeper file wins, the last matching line
wins within a file, `!` re-includes) and `.git/info/exclude`, read with `pathspec`'s gitignore
semantics, also outside a git repository. A directory that is ignored is not entered (git cannot
re-include a file below it either). `.git` is never entered. Sockets, FIFOs and devices are not
content and are skipped, and so is anything on a pseudo filesystem (`/proc`, `/sys`, ...
mounted inside the folder: `bounds.py`).

The rules in effect in each directory walked are kept, so that one path a watcher reports can be
judged without walking again from the top."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator, Set
from pathlib import Path

import attrs
from pathspec import GitIgnoreSpec

from intentls.undo.bounds import pseudo_devices

GIT = ".git"
GITIGNORE = ".gitignore"
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_FORMAT = 0o170000
_DIR = stat.S_IFDIR
_CONTENT = frozenset({stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK})


@attrs.frozen
class Level:
    """The ignore rules of one directory, matched against paths relative to it."""

    base: str
    """The directory relative to the folder, "" or ending in "/"."""
    spec: GitIgnoreSpec
    any_of: re.Pattern[str] | None = attrs.field(init=False)
    """Without `!` lines, one regular expression for all of them: a path is ignored when it
    matches any (what `spec.check_file` says, an order of magnitude faster per path)."""

    @any_of.default
    def _any_of(self) -> re.Pattern[str] | None:
        parts = []
        for pattern in self.spec.patterns:
            if pattern.include is None:
                continue
            regex = getattr(pattern, "regex", None)
            if not pattern.include or not isinstance(regex, re.Pattern):
                return None
            parts.append(_GROUP.sub("(?:", str(regex.pattern)))
        return re.compile("|".join(f"(?:{part})" for part in parts)) if parts else None

    def ignores(self, probe: str) -> bool | None:
        """True: ignored, False: re-included, None: no rule of this level says."""
        if self.any_of is not None:
            return True if self.any_of.match(probe) else None
        result = self.spec.check_file(probe)
        return None if result.include is None else bool(result.include)


_GROUP = re.compile(r"\(\?P<\w+>")
"""A named group: pathspec names one in every pattern, which an alternation cannot repeat."""


_NO_NAMES: frozenset[str] = frozenset()


def _listed_dirs(entries: list[os.DirEntry[str]]) -> set[str]:
    """The names the directory listing says are directories (no `stat` where the file
    system gives the type)."""
    dirs = set()
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                dirs.add(entry.name)
        except OSError:
            continue
    return dirs


def _read_spec(path: str) -> GitIgnoreSpec | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:  # noqa: PTH123
            lines = fh.read().splitlines()
    except OSError:
        return None
    lines = [line for line in lines if line.strip() and not line.startswith("#")]
    return GitIgnoreSpec.from_lines(lines) if lines else None


def info_exclude(root: Path) -> str:
    return os.path.join(root, GIT, "info", "exclude")  # noqa: PTH118


def parent_of(rel: str) -> str:
    """The directory prefix of a folder-relative path: "" or ending in "/"."""
    cut = rel.rfind("/")
    return rel[: cut + 1]


def content_kind(st: os.stat_result) -> bool:
    """Directories, regular files and symlinks; not sockets, FIFOs or devices."""
    return stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)


class Eligibility:
    """The rules for one folder; `walk` yields every eligible path with its `lstat`."""

    def __init__(self, root: Path, exclude: list[str]) -> None:
        self.root = root
        self.exclude = GitIgnoreSpec.from_lines(exclude) if exclude else None
        top: list[Level] = []
        info = _read_spec(info_exclude(root))
        if info is not None:
            top.append(Level("", info))
        self._top = top
        self.pseudo = pseudo_devices()
        """Devices of pseudo filesystems: never entered or read."""
        self._levels: dict[str, list[Level]] = {}
        """Directory prefix ("" or ending in "/") → the rules in effect for its entries."""

    def ignored(self, rel: str, is_dir: bool, levels: list[Level]) -> bool:
        probe = rel + "/" if is_dir else rel
        if self.exclude is not None and self.exclude.match_file(probe):
            return True
        for level in reversed(levels):
            said = level.ignores(probe[len(level.base) :])
            if said is not None:
                return said
        return False

    def eligible(self, rel: str, st: os.stat_result) -> bool | None:
        """Whether one path is covered; None when its directory's rules are not known (that
        directory was not walked: walk it instead)."""
        if not content_kind(st) or st.st_dev in self.pseudo or rel.rsplit("/", 1)[-1] == GIT:
            return False
        levels = self._levels.get(parent_of(rel))
        if levels is None:
            return None
        return not self.ignored(rel, stat.S_ISDIR(st.st_mode), levels)

    def walk(
        self, start: str = "", on_dir: Callable[[str], None] | None = None
    ) -> Iterator[tuple[str, os.stat_result]]:
        """(path relative to the folder with "/" separators, lstat) of every eligible path below
        `start` (a directory already judged eligible; "" is the folder), directories included.
        `on_dir` is called with each directory's prefix before it is listed (a watcher must
        watch a directory before listing it, or a file made in between is missed).

        Each directory is opened relative to the folder's descriptor and its entries are
        `lstat`ed relative to its own (`fstatat`): the kernel resolves one name per file, not
        the whole path (half the cost of a walk by paths). Ignored directories are never
        entered, ignored files never `lstat`ed (the listing says what is a directory)."""
        prefix = start + "/" if start else ""
        inherited = self._top if not start else self._levels.get(parent_of(start))
        if inherited is None:
            raise KeyError(start)
        try:
            top = os.open(self.root, _DIRECTORY)
        except OSError:
            return
        stack: list[tuple[str, list[Level]]] = [(prefix, inherited)]
        pseudo = self.pseudo
        try:
            while stack:
                prefix, parent_levels = stack.pop()
                if on_dir is not None:
                    on_dir(prefix)
                try:
                    fd = os.open(prefix or ".", _DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
                except OSError:
                    continue
                try:
                    try:
                        with os.scandir(fd) as it:
                            entries = list(it)
                    except OSError:
                        continue
                    levels = parent_levels
                    if any(e.name == GITIGNORE for e in entries):
                        spec = _read_spec(os.path.join(self.root, prefix, GITIGNORE))  # noqa: PTH118
                        if spec is not None:
                            levels = [*parent_levels, Level(prefix, spec)]
                    self._levels[prefix] = levels
                    judge = bool(levels) or self.exclude is not None
                    listed = _listed_dirs(entries) if judge else _NO_NAMES
                    skip = self._ignored_names(prefix, entries, listed, levels) if judge else None
                    for entry in entries:
                        name = entry.name
                        if name == GIT:
                            continue
                        rel = prefix + name
                        listed_dir = name in listed
                        if skip is not None:
                            if name in skip:
                                continue
                        elif judge and self.ignored(rel, listed_dir, levels):
                            continue
                        try:
                            st = entry.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        kind = st.st_mode & _FORMAT
                        if kind not in _CONTENT or st.st_dev in pseudo:
                            continue
                        is_dir = kind == _DIR
                        if judge and is_dir != listed_dir and self.ignored(rel, is_dir, levels):
                            continue  # replaced since it was listed
                        yield rel, st
                        if is_dir:
                            stack.append((rel + "/", levels))
                finally:
                    os.close(fd)
        finally:
            os.close(top)

    def _ignored_names(
        self, prefix: str, entries: list[os.DirEntry[str]], dirs: Set[str], levels: list[Level]
    ) -> set[str] | None:
        """The names in directory `prefix` that its rules ignore, judged a level at a time
        over all of them (a C loop of one regular expression, not a chain of calls per
        name); None when that cannot be (`!` lines, `undo.exclude`): judge each path."""
        expressions = [(level.base, level.any_of) for level in levels]
        if self.exclude is not None or any(rx is None for _, rx in expressions):
            return None
        names = [e.name for e in entries]
        tails = [n + "/" if n in dirs else n for n in names]
        skip: set[str] = set()
        for base, rx in expressions:
            head = prefix[len(base) :]
            probes = [head + tail for tail in tails] if head else tails
            hits = map(rx.match, probes) if rx is not None else ()
            skip.update(n for n, hit in zip(names, hits, strict=True) if hit)
        return skip

    def read_rules_above(self, rel_dir: str) -> None:
        """Read the rules in effect for `rel_dir` from its ancestors' `.gitignore` files, so
        that `walk(rel_dir)` can judge what is below it without walking the folder."""
        levels = self._top
        prefix = ""
        for name in ["", *rel_dir.split("/")[:-1]]:
            prefix += f"{name}/" if name else ""
            spec = _read_spec(os.path.join(self.root, prefix, GITIGNORE))  # noqa: PTH118
            levels = [*levels, Level(prefix, spec)] if spec is not None else levels
            self._levels[prefix] = levels

    def forget(self, start: str) -> None:
        """Drop the rules kept for `start` and below (it was removed or is walked again)."""
        if not start:
            self._levels.clear()
            return
        prefix = start + "/"
        for key in [k for k in self._levels if k.startswith(prefix)]:
            del self._levels[key]


def all_ignored_below(root: Path, rel_dir: str, below: Iterator[str]) -> list[str] | None:
    """`below` (the paths under directory `rel_dir`), deepest first, when git ignores every
    one of them — a cache folder that ignores itself with a `*` .gitignore (`.ruff_cache/`,
    `.pytest_cache/`); None when anything below is covered by snapshots."""
    rules = Eligibility(root, [])
    rules.read_rules_above(rel_dir)
    if next(rules.walk(rel_dir), None) is not None:
        return None
    return sorted(below, key=lambda rel: -rel.count("/"))
