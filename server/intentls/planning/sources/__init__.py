"""Intent sources: each finds the intents one kind of project file defines. Their order is
the order of `intentls.list` and of conventional-name resolution."""

from __future__ import annotations

from pathlib import Path

from intentls.planning.intents import IntentSource
from intentls.planning.sources.cargo import CargoSource
from intentls.planning.sources.go import GoSource
from intentls.planning.sources.intents_toml import IntentsTomlSource
from intentls.planning.sources.just import JustSource
from intentls.planning.sources.make import MakeSource
from intentls.planning.sources.npm import NpmSource
from intentls.planning.sources.python import PythonSource
from intentls.planning.sources.vscode_tasks import VscodeTasksSource


def default_sources() -> list[IntentSource]:
    return [
        IntentsTomlSource(),
        VscodeTasksSource(),
        NpmSource(),
        MakeSource(),
        JustSource(),
        CargoSource(),
        GoSource(),
        PythonSource(),
    ]


def has_task_files(folder: Path, sources: list[IntentSource] | None = None) -> bool:
    """Whether some source has a file of its own in `folder` (a package.json, a Makefile, …)."""
    return any(p.is_file() for s in sources or default_sources() for p in s.watched_files(folder))


def project_folder(here: Path) -> tuple[Path, Path | None]:
    """The folder a person standing in `here` means: the nearest with task files, looking up to
    the repository's top (the nearest `.git`); without any, that top, else `here`. Also the
    repository's top (None outside a repository): a sub-project of a monorepo has its own
    intents (`compile` in `packages/web`), not the root's."""
    chain = [here, *here.parents]
    top = next((c for c in chain if (c / ".git").exists()), None)
    if top is not None:
        chain = chain[: chain.index(top) + 1]
    sources = default_sources()
    found = next((c for c in chain if has_task_files(c, sources)), None)
    return found or top or here, top
