"""Time left in a run, from the median duration of each step still to finish along the longest
chain of dependent steps (the plan's critical path by expected time, not by step count)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from intentls.model import PlanStep

log = logging.getLogger(__name__)

TICK_S = 1.0
"""How often a view showing the time left refreshes it between step events."""


class Eta:
    def __init__(self, steps: Sequence[PlanStep], medians_ms: dict[str, int]) -> None:
        """`medians_ms`: by step title (history/estimates.py); steps without one count 0 s."""
        self._steps = {s.id: s for s in steps}
        self._expected = {s.id: medians_ms[s.title] / 1000 for s in steps if s.title in medians_ms}
        self._started: dict[str, float] = {}
        self._finished: set[str] = set()

    @property
    def known(self) -> bool:
        """Whether any step has history (else there is nothing to estimate from)."""
        return bool(self._expected)

    def started(self, step_id: str, now: float) -> None:
        self._started[step_id] = now

    def finished(self, step_id: str) -> None:
        self._finished.add(step_id)

    def remaining(self, now: float) -> float:
        """Seconds until the last step is expected to finish."""
        ends: dict[str, float] = {}

        def end(step_id: str) -> float:
            if step_id in ends:
                return ends[step_id]
            ends[step_id] = 0.0  # a cycle (refused by the planner) cannot recurse forever
            step = self._steps[step_id]
            before = max((end(d) for d in step.depends_on if d in self._steps), default=0.0)
            own = self._expected.get(step_id, 0.0)
            if step_id in self._started:
                own = max(0.0, own - (now - self._started[step_id]))
            ends[step_id] = 0.0 if step_id in self._finished else before + own
            return ends[step_id]

        return max((end(s) for s in self._steps), default=0.0)

    def percentage(self, elapsed: float, now: float) -> int:
        """Share of the expected total time already spent (99 at most until the run ends)."""
        left = self.remaining(now)
        return min(99, int(elapsed * 100 / (elapsed + left))) if elapsed + left > 0 else 0


def left(seconds: float) -> str:
    """'about 40 s left', 'about 3 min left', 'almost done'."""
    if seconds < 2:
        return "almost done"
    if seconds < 60:
        return f"about {max(5, round(seconds / 5) * 5)} s left"
    return f"about {round(seconds / 60)} min left"


class Estimate:
    """The time left of one run as a view shows it: the steps' medians are looked up beside the
    run (never delaying it); until they arrive, or without history, there is no estimate."""

    def __init__(self) -> None:
        self.eta: Eta | None = None
        self._began = time.monotonic()
        self._started: dict[str, float] = {}
        self._finished: set[str] = set()
        self._lookup: asyncio.Future[None] | None = None

    def begin(
        self,
        steps: Sequence[PlanStep],
        medians: Awaitable[dict[str, int]],
        ready: Callable[[], None],
    ) -> None:
        """`ready` is called once an estimate exists (to show it at once)."""
        self._began = time.monotonic()

        async def look_up() -> None:
            try:
                found = await medians
            except Exception:
                log.warning("no time estimate: history lookup failed", exc_info=True)
                return
            eta = Eta(steps, found)
            if not eta.known:
                return
            for step_id, at in self._started.items():
                eta.started(step_id, at)
            for step_id in self._finished:
                eta.finished(step_id)
            self.eta = eta
            ready()

        self._lookup = asyncio.ensure_future(look_up())

    def started(self, step_id: str) -> None:
        self._started[step_id] = time.monotonic()
        if self.eta is not None:
            self.eta.started(step_id, self._started[step_id])

    def finished(self, step_id: str) -> None:
        self._finished.add(step_id)
        if self.eta is not None:
            self.eta.finished(step_id)

    def text(self) -> str | None:
        return None if self.eta is None else left(self.eta.remaining(time.monotonic()))

    def percentage(self) -> int | None:
        if self.eta is None:
            return None
        now = time.monotonic()
        return self.eta.percentage(now - self._began, now)
