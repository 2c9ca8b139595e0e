"""The argument object of each `workspace/executeCommand` command (PROTOCOL.md, "Commands").
Unknown keys are ignored; a missing or mistyped one is an `ArgumentError` (-32602)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs

from intentls.execution.full_output import TEXT_BYTES
from intentls.model import RunStatus
from intentls.wire import ArgumentError

MAX_HISTORY = 1000


@attrs.frozen
class Place:
    """Where a request is about: PROTOCOL.md's `cwd`/`uri`."""

    cwd: str | None = None
    uri: str | None = None


@attrs.frozen
class PlanArgs(Place):
    intent: str = attrs.field(kw_only=True)
    params: dict[str, Any] | None = None
    range: dict[str, Any] | None = None

    def param_values(self) -> dict[str, str]:
        values = {}
        for key, value in (self.params or {}).items():
            if isinstance(value, dict | list) or value is None:
                raise ArgumentError(f"params.{key} must be a string, number or boolean")
            values[key] = str(value).lower() if isinstance(value, bool) else str(value)
        return values


@attrs.frozen
class RunArgs(PlanArgs):
    dry_run: bool = False
    confirm: bool = False
    background: bool = False
    fail_fast: bool = False
    force: bool = False
    suggestion_id: str | None = None


@attrs.frozen
class ListArgs(Place):
    pass


@attrs.frozen
class CancelArgs(Place):
    run_id: str | None = None


@attrs.frozen
class StatsArgs(Place):
    intent: str | None = None
    since_days: float | None = None
    all_folders: bool = False

    def since_epoch(self, now: float) -> float | None:
        if self.since_days is None:
            return None
        if self.since_days <= 0:
            raise ArgumentError(f"sinceDays must be positive, got {self.since_days}")
        return now - self.since_days * 86400


@attrs.frozen
class HistoryArgs(Place):
    limit: int = 50
    status: str | None = None
    intent: str | None = None
    since: str | None = None
    all_folders: bool = False

    def checked_limit(self) -> int:
        if not 1 <= self.limit <= MAX_HISTORY:
            raise ArgumentError(f"limit must be between 1 and {MAX_HISTORY}, got {self.limit}")
        return self.limit

    def checked_status(self) -> str | None:
        known = [s.value for s in RunStatus]
        if self.status is not None and self.status not in known:
            raise ArgumentError(f"status must be one of {', '.join(known)}, got {self.status!r}")
        return self.status

    def since_epoch(self) -> float | None:
        if self.since is None:
            return None
        try:
            moment = datetime.fromisoformat(self.since)
        except ValueError:
            raise ArgumentError(
                f"since must be an ISO 8601 time such as 2026-01-31T12:00:00Z, got {self.since!r}"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()


@attrs.frozen
class UndoArgs(Place):
    run_id: str | None = None
    paths: list[str] | None = None
    force: bool = False
    suggestion_id: str | None = None


@attrs.frozen
class RedoArgs(Place):
    run_id: str | None = None


@attrs.frozen
class CheckpointArgs(Place):
    name: str | None = None


@attrs.frozen
class CheckpointsArgs(Place):
    all_folders: bool = False


@attrs.frozen
class RollbackArgs:
    checkpoint_id: str
    paths: list[str] | None = None
    force: bool = False


@attrs.frozen
class RunOutputArgs:
    run_id: str


@attrs.frozen
class OutputArgs(Place):
    run_id: str | None = None
    """None: the folder's newest run."""
    step_id: str | None = None
    """A step's id or title: only its output."""
    max_bytes: int = TEXT_BYTES
    """How much of the text to send (its end); 0: none (a local client opens `uri`)."""


@attrs.frozen
class ExplainArgs(Place):
    run_id: str | None = None
    """None: the folder's newest failed run."""


@attrs.frozen
class SuggestArgs(Place):
    pass


@attrs.frozen
class FeedbackArgs:
    suggestion_id: str
    accepted: bool
