"""A full disk (SQLite's page limit, which fails writes the way a full filesystem does): a
run's end is never silently lost and its row never stays `running`."""

from __future__ import annotations

import itertools
from pathlib import Path

import apsw
import pytest

from intentls.history.store import History, HistoryQuery, NotRecorded, RunStart, why_not_written
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


async def test_a_run_whose_start_did_not_fit_gets_it_written_with_its_next_write(
    tmp_path: Path,
) -> None:
    """A built-in step's inverse operation is refused, saying why (the tool then does not
    act), while the run's start row is missing; once there is room it goes in first."""
    history = History(tmp_path / "history.db")
    try:
        _full(history)
        for n in itertools.count():  # runs start until one no longer fits
            run_id = f"r{n:06d}"
            try:
                await history.record_started(
                    RunStart(run_id, "rename a to b", FOLDER, "/w", None, n)
                )
            except apsw.Error as exc:
                assert why_not_written(exc) == "the disk is full"
                break
        op = {"op": "move", "from": "/w/b", "to": "/w/a"}
        with pytest.raises(NotRecorded, match=r"^the disk is full$"):
            history.record_inverse(run_id, "s1", 0, op)
        history._worker.run(lambda: history._conn.pragma("max_page_count", 1 << 20))  # room
        history.record_inverse(run_id, "s1", 0, op)
        assert [i.op for i in await history.inverses(run_id)] == [op]
        newest = (await history.runs(HistoryQuery(FOLDER, limit=1)))[0]
        assert (newest.run_id, newest.status) == (run_id, RunStatus.RUNNING)
    finally:
        history.close()
