"""Every intent a workspace folder offers, from all sources, cached until a source file changes.

Staleness is checked by stat-ing each source's few watched files on access, which costs
microseconds and needs no file-watch registration from the client.

A plain name is looked up in tiers, the first tier that has it answering (several intents in
that tier: ambiguous, a person picks with `SOURCE:NAME`):

1. `intents.toml` — the project's own say, so it can settle a name other files share;
2. task files people write — tasks.json, package.json, Makefile, justfile;
3. tool commands inferred from a project file — cargo, go, python tools;
4. conventional names (`test`, `build`, …) standing for the best detected task
   (`intentls.planning.conventional`).
"""

from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path

import attrs

from intentls.model import IntentInfo
from intentls.planning import conventional
from intentls.planning.intents import IntentDef, IntentSource

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]

TOOL_SOURCES = frozenset({"cargo", "go", "python"})
"""Sources whose intents are a tool's commands rather than tasks someone wrote down."""


def tier(source: str) -> int:
    return 0 if source == "intents.toml" else 2 if source in TOOL_SOURCES else 1


@attrs.frozen
class FolderIntents:
    folder: Path
    intents: list[IntentDef]
    problems: list[str]
    conventional: dict[str, IntentDef] = attrs.field(
        default=attrs.Factory(lambda self: conventional.resolve(self.intents), takes_self=True)
    )
    """Conventional names no intent is named, and the intent each stands for."""

    def names(self) -> list[str]:
        return sorted(
            {i.name for i in self.intents}
            | {i.qualified_name for i in self.intents}
            | set(self.conventional)
        )

    def lookup(self, name: str) -> list[IntentDef]:
        """`name` or `SOURCE:NAME`; several results mean several sources of the same tier
        define the name (see the module's docstring)."""
        exact = [i for i in self.intents if i.qualified_name == name]
        if exact:
            return exact
        plain = [i for i in self.intents if i.name == name]
        if plain:
            first = min(tier(i.source) for i in plain)
            return [i for i in plain if tier(i.source) == first]
        standing_for = self.conventional.get(name)
        return [standing_for] if standing_for is not None else []

    def closest(self, name: str, limit: int = 3) -> list[str]:
        plain = sorted({i.name for i in self.intents} | set(self.conventional))
        return difflib.get_close_matches(name, plain, n=limit, cutoff=0.5)

    def infos(self, folder_uri: str) -> list[IntentInfo]:
        """What `intentls.list` shows: every intent, then each conventional name with the
        intent it stands for in `resolvesTo` and its title."""
        listed = [
            IntentInfo(
                name=i.name,
                title=i.title or i.name,
                source=i.source,
                folder=folder_uri,
                description=i.description,
                params=i.params or None,
            )
            for i in self.intents
        ]
        for name, target in self.conventional.items():
            qualified = target.qualified_name
            listed.append(
                IntentInfo(
                    name=name,
                    title=f"{name} → {qualified}",
                    source=target.source,
                    folder=folder_uri,
                    description=f"Runs {qualified}"
                    + (f": {target.description}" if target.description else ""),
                    params=target.params or None,
                    resolves_to=qualified,
                )
            )
        return listed


class Catalog:
    def __init__(self, sources: list[IntentSource]) -> None:
        self._sources = sources
        self._cache: dict[tuple[Path, bool], tuple[Signature, FolderIntents]] = {}
        """Per (folder, trusted): the watched files' stat signature and what they defined."""

    def for_folder(self, folder: Path, trusted: bool) -> FolderIntents:
        key = (folder, trusted)
        signature = self._signature(folder)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        found = self._detect(folder, trusted)
        self._cache[key] = (signature, found)
        return found

    def _signature(self, folder: Path) -> Signature:
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
