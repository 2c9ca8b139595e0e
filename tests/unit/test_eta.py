"""Time left in a run: the longest chain of expected step durations still to go, the share of
the expected time spent, and how the terminal shows it."""

from __future__ import annotations

import asyncio

from rich.progress import Progress

from intentls.analytics.eta import Estimate, Eta, left
from intentls.cli_view import _TimeLeft
from intentls.model import PlanStep


def steps() -> list[PlanStep]:
    """lint and build side by side (10 s, 30 s), then test after both (20 s); docs unknown."""
    return [
        PlanStep("a", "lint", "shell", {}),
        PlanStep("b", "build", "shell", {}),
        PlanStep("c", "test", "shell", {}, depends_on=["a", "b"]),
        PlanStep("d", "docs", "shell", {}),
    ]


MEDIANS = {"lint": 10_000, "build": 30_000, "test": 20_000}


def test_the_critical_path_by_expected_time() -> None:
    eta = Eta(steps(), MEDIANS)
    assert eta.known and eta.remaining(0.0) == 50.0  # build then test, not lint then test
    eta.started("a", 0.0)
    eta.started("b", 0.0)
    assert eta.remaining(12.0) == 38.0
    eta.finished("a")
    eta.finished("b")
    eta.started("c", 31.0)
    assert eta.remaining(36.0) == 15.0
    assert eta.percentage(elapsed=36.0, now=36.0) == 70
    eta.finished("c")
    assert eta.remaining(60.0) == 0.0
    assert not Eta(steps(), {}).known


def test_a_step_running_past_its_median_leaves_nothing_negative() -> None:
    eta = Eta(steps()[:1], MEDIANS)
    eta.started("a", 0.0)
    assert eta.remaining(25.0) == 0.0 and eta.percentage(25.0, 25.0) == 99


def test_words() -> None:
    assert left(41) == "about 40 s left" and left(3) == "about 5 s left"
    assert left(150) == "about 2 min left" and left(0.5) == "almost done"


async def test_the_terminal_column_shows_the_estimate_once_history_answered() -> None:
    estimate = Estimate()
    column = _TimeLeft(estimate)
    progress = Progress(column)
    progress.add_task("x")
    (task,) = progress.tasks
    assert column.render(task).plain == ""
    answered: asyncio.Future[dict[str, int]] = asyncio.get_running_loop().create_future()
    ready = asyncio.Event()
    estimate.begin(steps(), answered, ready.set)
    estimate.started("b")
    answered.set_result(MEDIANS)
    await ready.wait()
    assert column.render(task).plain in ("about 50 s left", "about 45 s left")
    assert estimate.percentage() == 0
