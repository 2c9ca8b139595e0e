"""Settings, by PROTOCOL.md's priority: defaults < `initializationOptions` < configuration
(`settings.intentls`, pushed or pulled per folder). An absent key keeps its value; a key with a
bad value keeps its value too and is reported, never fatal."""

from __future__ import annotations

import os
from typing import Any

import attrs

MIB = 1024 * 1024
GIB = 1024 * MIB


@attrs.frozen
class UndoSettings:
    enabled: bool = True
    max_file_bytes: int = 10 * MIB
    exclude: list[str] = attrs.Factory(list)
    max_store_bytes: int = 2 * GIB
    """The undo store's content (compressed) above which the oldest undo data is dropped."""


@attrs.frozen
class RetrySettings:
    """How long a step that failed for a passing reason waits before it is tried again: the
    first wait, doubled each time up to the most (docs/failures.md)."""

    base_delay_ms: int = 500
    max_delay_ms: int = 8000


@attrs.frozen
class SuggestionSettings:
    enabled: bool = True


@attrs.frozen
class Settings:
    max_parallel: int = attrs.field(factory=lambda: os.cpu_count() or 2)
    undo: UndoSettings = attrs.Factory(UndoSettings)
    suggestions: SuggestionSettings = attrs.Factory(SuggestionSettings)
    retry: RetrySettings = attrs.Factory(RetrySettings)
    retention_days: int = 90


CONFIG_ONLY_NEVER = frozenset({"historyPath", "trusted", "token"})
"""Keys a workspace's configuration must not set: a cloned repository controls it."""

_KEYS = {"maxParallel": "max_parallel", "retentionDays": "retention_days"}
_NESTED = {"undo": UndoSettings, "suggestions": SuggestionSettings, "retry": RetrySettings}


def merge(base: Settings, values: Any, origin: str) -> tuple[Settings, list[str]]:
    """Apply `values` (camelCase, as on the wire) over `base`; returns problems to show."""
    if values is None:
        return base, []
    if not isinstance(values, dict):
        return base, [f"{origin}: expected an object of intentls settings"]
    # Only the server merges settings: the terminal's defaults need no wire converter.
    from intentls.wire import ArgumentError, from_wire

    changes: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in values.items():
        if key in _KEYS:
            try:
                checked = from_wire(value, int)
            except ArgumentError as exc:
                problems.append(f"{origin}: {key}: {exc}; keeping {getattr(base, _KEYS[key])}")
                continue
            if checked < 1:
                problems.append(f"{origin}: {key} must be at least 1; ignored")
                continue
            changes[_KEYS[key]] = checked
        elif key in _NESTED:
            current = getattr(base, key)
            merged, nested = _merge_nested(current, value, f"{origin}: {key}")
            changes[key] = merged
            problems.extend(nested)
    return attrs.evolve(base, **changes), problems


def _merge_nested(current: Any, value: Any, origin: str) -> tuple[Any, list[str]]:
    if not isinstance(value, dict):
        return current, [f"{origin}: expected an object; ignored"]
    from intentls.wire import ArgumentError, from_wire

    known = {f"{a.name}": a for a in attrs.fields(type(current))}
    changes, problems = {}, []
    for key, item in value.items():
        name = "".join("_" + c.lower() if c.isupper() else c for c in key)
        if name not in known:
            continue
        try:
            trial = from_wire({key: item}, type(current))
        except ArgumentError as exc:
            problems.append(f"{origin}.{key}: {exc}; ignored")
            continue
        changes[name] = getattr(trial, name)
    return attrs.evolve(current, **changes), problems
