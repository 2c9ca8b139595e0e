"""Providers: each a small function from a `Situation` to candidate suggestions."""

from __future__ import annotations

from intentls.suggestions.core import Provider
from intentls.suggestions.providers import (
    after_editing,
    batch,
    failures,
    freshness,
    next_intent,
    ordering,
)

PROVIDERS: dict[str, Provider] = {
    "nextIntent": next_intent.provide,
    "afterEditing": after_editing.provide,
    "failures": failures.provide,
    "stale": freshness.provide,
    "batch": batch.provide,
    "ordering": ordering.provide,
}
"""By name: the name is what learning keeps acceptance figures under."""

LIVE = frozenset({"stale"})
"""Providers whose answer depends on the moment (the folder's files): asked on every request.
The others read only runs and saves: their answer is kept until the next of those."""
