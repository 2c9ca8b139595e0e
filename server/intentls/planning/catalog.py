"""Every intent a workspace folder offers, from all sources, cached until a source file changes.

Staleness is checked by stat-ing each source's few watched files on access, which costs
microseconds and needs no file-watch registration from the client.
"""

from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path

import attrs

from intentls.planning.intents import IntentDef, IntentSource

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]


@attrs.frozen
class FolderIntents:
    folder: Path
    intents: list[IntentDef]
    problems: list[str]

    def names(self) -> list[str]:
        return sorted({i.name for i in self.intents} | {i.qualified_name for i in self.intents})

    def lookup(self, name: str) -> list[IntentDef]:
        """`name` or `SOURCE:NAME`; several results mean several sources define the name."""
        exact = [i for i in self.intents if i.qualified_name == name]
        return exact or [i for i in self.intents if i.name == name]

    def closest(self, name: str, limit: int = 3) -> list[str]:
        plain = sorted({i.name for i in self.intents})
        return difflib.get_close_matches(name, plain, n=limit, cutoff=0.5)


class Catalog:
    def __init__(self, sources: list[IntentSource]) -> None:
        self._sources = sources
        self._cache: dict[tuple[Path, bool], tuple[Signature, FolderIntents]] = {}
        """Per (folder, trusted): the watched files' stat signature and what they defined."""

    def for_folder(self, folder: Path, trusted: bool) -> FolderIntents:
        key = (folder, trusted)
        signature = self.signature(folder)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        found = self._detect(folder, trusted)
        self._cache[key] = (signature, found)
        return found

    def signature(self, folder: Path) -> Signature:
        """The stat of every file the sources read: a change means the intents may differ."""
        entries = []
        for source in self._sources:
            for path in source.watched_files(folder):
                try:
                    st = path.stat()
                except OSError:
                    continue
                entries.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(entries)

    def _detect(self, folder: Path, trusted: bool) -> FolderIntents:
        intents: list[IntentDef] = []
        problems: list[str] = []
        for source in self._sources:
            try:
                result = source.detect(folder, trusted)
            except Exception as exc:  # one broken source must not hide the others
                log.exception("intent source %s failed in %s", source.name, folder)
                problems.append(f"{source.name}: {exc}")
                continue
            intents.extend(result.intents)
            problems.extend(result.problems)
        for problem in problems:
            log.warning("%s: %s", os.fspath(folder), problem)
        return FolderIntents(folder, intents, problems)
