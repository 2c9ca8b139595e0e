"""Intent sources: each finds the intents one kind of project file defines."""

from __future__ import annotations

from intentls.planning.intents import IntentSource
from intentls.planning.sources.intents_toml import IntentsTomlSource


def default_sources() -> list[IntentSource]:
    return [IntentsTomlSource()]
