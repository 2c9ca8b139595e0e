"""Every intent a workspace folder offers, from all sources, cached until a source file changes.

Staleness is checked by stat-ing each source's few watched files on access, which costs
microseconds and needs no file-watch registration from the client.

A plain name is looked up in tiers, the first tier that has it answering (several intents in
that tier: ambiguous, a person picks with `SOURCE:NAME`):

1. `intents.toml` — the project's own say, so it can settle a name other files share;
2. task files people write — tasks.json, package.json, Makefile, justfile;
3. tool commands inferred from a project file — cargo, go, python tools;
4. conventional names (`test`, `build`, …) standing for the best detected task
   (`intentls.planning.conventional`) — before tool commands of the same name when the folder's
   build is written in a task file (git's `build` is its Makefile's, not its Cargo crate's).
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


def _signature(paths: list[str]) -> Signature:
    entries = []
    for path in paths:
        try:
            st = os.stat(path)  # noqa: PTH116 -- str paths: this runs on every access
        except OSError:
            continue
        entries.append((path, st.st_mtime_ns, st.st_size))
    return tuple(entries)


def tier(source: str) -> int:
    return 0 if source == "intents.toml" else 2 if source in conventional.TOOL_SOURCES else 1


@attrs.frozen
class FolderIntents:
    folder: Path
    intents: list[IntentDef]
    problems: list[str]
    conventional: dict[str, IntentDef] = attrs.field(
        default=attrs.Factory(lambda self: conventional.resolve(self.intents), takes_self=True)
    )
    """Conventional names no intent is named, and the intent each stands for."""
    _infos: dict[str, list[IntentInfo]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    """`infos` per folder URI, made once: a cached catalog is listed again and again."""

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
        standing_for = self.conventional.get(name)
        if standing_for is not None:  # no source counted names it (a tool's `build` beside a
            return [standing_for]  # Makefile is not the folder's build)
        plain = [i for i in self.intents if i.name == name]
        if not plain:
            return []
        first = min(tier(i.source) for i in plain)
        return [i for i in plain if tier(i.source) == first]

    def listed(self) -> list[IntentDef]:
        """The intents a person is shown (a Makefile's file targets are not; they still run)."""
        return [i for i in self.intents if i.listed]

    def closest(self, name: str, limit: int = 3) -> list[str]:
        plain = sorted({i.name for i in self.listed()} | set(self.conventional))
        return difflib.get_close_matches(name, plain, n=limit, cutoff=0.5)

    def infos(self, folder_uri: str) -> list[IntentInfo]:
        """What `intentls.list` shows: every intent, then each conventional name with the
        intent it stands for in `resolvesTo` and its title."""
        made = self._infos.get(folder_uri)
        if made is not None:
            return made
        listed = [
            IntentInfo(
                name=i.name,
                title=i.title or i.name,
                source=i.source,
                folder=folder_uri,
                description=i.description,
                params=i.params or None,
            )
            for i in self.listed()
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
        self._infos[folder_uri] = listed
        return listed


class Catalog:
    def __init__(self, sources: list[IntentSource]) -> None:
        self._sources = sources
        self._cache: dict[tuple[Path, bool], tuple[Signature | None, FolderIntents]] = {}
        """Per (folder, trusted): the watched files' stat signature and what they defined."""
        self._watched: dict[Path, list[str]] = {}
        """Per folder: the files every source watches, as the last detection left them."""

    def for_folder(self, folder: Path, trusted: bool) -> FolderIntents:
        key = (folder, trusted)
        paths = self._watched.get(folder)
        if paths is None:
            paths = self._watched[folder] = self._paths(folder)
        signature = _signature(paths)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        found = self._detect(folder, trusted)
        after = self._watched[folder] = self._paths(folder)
        # Files the detection newly found to depend on (an include, a workspace package) were
        # read before anything stat-ed them: the next access detects once more, with them in the
        # signature, rather than risk missing an edit made meanwhile.
        self._cache[key] = (signature if after == paths else None, found)
        return found

    def signature(self, folder: Path) -> Signature:
        """The stat of every file the sources read: a change means the intents may differ."""
        paths = self._watched.get(folder)
        return _signature(paths if paths is not None else self._paths(folder))

    def _paths(self, folder: Path) -> list[str]:
        return [os.fspath(p) for source in self._sources for p in source.watched_files(folder)]

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
