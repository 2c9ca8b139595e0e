"""Intent sources: each finds the intents one kind of project file defines. Their order is
the order of `intentls.list` and of conventional-name resolution."""

from __future__ import annotations

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
