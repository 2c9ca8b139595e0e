"""A full disk (SQLite's page limit, which fails writes the way a full filesystem does): a
run's end is never silently lost and its row never stays `running`."""

from __future__ import annotations

from pathlib import Path

import pytest

from intentls.history.store import History, HistoryQuery, NotRecorded, RunStart
from intentls.model import PlanStep, RunResult, RunStatus, StepResult, StepStatus

FOLDER = "file:///work/project"


def _full(history: History) -> None:
    """No page more: what fits in the pages there are still fits."""
    conn = history._conn
    history._worker.run(lambda: conn.pragma("max_page_count", conn.pragma("page_count")))


async def test_an_end_that_does_not_fit_keeps_the_status_and_says_so(tmp_path: Path) -> None:
    history = History(tmp_path / "history.db")
    try:
        await history.record_started(RunStart("r1", "big", FOLDER, "/w", None, 1000.0))
        _full(history)
        result = RunResult(
            "r1",
            "big",
            FOLDER,
            RunStatus.SUCCEEDED,
            10,
            [StepResult("s1", "big", StepStatus.SUCCEEDED, 10, 1, 0)],
        )
        step = PlanStep("s1", "big", "shell", {"command": "yes"})
        with pytest.raises(NotRecorded, match="kept only this run's status"):
            await history.record_finished(result, [step], {"s1": "y\n" * 500_000}, 1001.0)
        (summary,) = await history.runs(HistoryQuery(FOLDER))
        assert summary.status is RunStatus.SUCCEEDED
    finally:
        history.close()
