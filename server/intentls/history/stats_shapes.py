"""What `intentls.stats` answers, and the question (no numpy here: the server and the CLI
import these shapes at start; stats.py computes them)."""

from __future__ import annotations

import attrs

from intentls.history.sketch import RELATIVE_ERROR


@attrs.frozen
class Percentiles:
    p50: int
    p95: int
    p99: int


@attrs.frozen
class IntentStats:
    intent: str
    runs: int
    success_rate: float
    p50_ms: int


@attrs.frozen
class FailureStats:
    category: str
    count: int
    example: str


@attrs.frozen
class UndoStats:
    undone: int
    undoable: int
    rate: float
    """Undone runs per run that could be undone."""


@attrs.frozen
class RetryStats:
    retries: int
    """Step attempts beyond the first."""
    recovered: int
    """Steps that succeeded on a later attempt."""


@attrs.frozen
class SuggestionStats:
    shown: int
    taken: int
    dismissed: int
    rate: float | None
    """Taken per suggestion acted on (taken or dismissed); None before any."""


@attrs.frozen
class SlowIntent:
    intent: str
    runs: int
    p50_ms: int
    p95_ms: int


@attrs.frozen
class SlowStep:
    intent: str
    title: str
    runs: int
    failure_rate: float
    p50_ms: int
    p95_ms: int


@attrs.frozen
class Window:
    runs: int
    success_rate: float
    p50_ms: int


@attrs.frozen
class Trend:
    intent: str
    this_week: Window
    last_four_weeks: Window
    slower: bool
    failing_more: bool


@attrs.frozen
class Flaky:
    intent: str
    runs: int
    flips: int
    """Runs whose outcome differed from the intent's previous run's."""
    flip_rate: float
    recovered: int


@attrs.frozen
class Stats:
    runs: int
    success_rate: float
    duration_ms: Percentiles
    by_intent: list[IntentStats]
    top_failures: list[FailureStats]
    duration_error: float = RELATIVE_ERROR
    undo: UndoStats = UndoStats(0, 0, 0.0)
    retries: RetryStats = RetryStats(0, 0)
    slowest_intents: list[SlowIntent] = attrs.Factory(list)
    slowest_steps: list[SlowStep] = attrs.Factory(list)
    trends: list[Trend] = attrs.Factory(list)
    flaky: list[Flaky] = attrs.Factory(list)
    by_hour: list[int] = attrs.Factory(lambda: [0] * 24)
    """Runs started in each hour of the day (the server's local time)."""
    busiest_hours: list[int] = attrs.Factory(list)
    suggestions: SuggestionStats | None = None
    """Filled by analytics/overview.py (the suggestions' record is not the history's)."""


@attrs.frozen
class StatsQuery:
    folder: str | None
    intent: str | None = None
    since: float | None = None
    now: float | None = None
    """The present (tests pin it); None: the clock."""


@attrs.frozen
class Point:
    day: str
    """ISO date (UTC)."""
    runs: int
    success_rate: float
    p50_ms: int
    p95_ms: int


@attrs.frozen
class IntentSeries:
    intent: str
    runs: int
    points: list[Point]
