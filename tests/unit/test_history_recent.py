"""A folder's last runs kept in memory (history/recent.py) answer exactly what the file says:
after this process's runs end (in any order), their context is written, another process
writes, runs are dropped, and when the window is full."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from intentls.history import outcomes, recent
from intentls.history.store import History, RunStart
from intentls.model import RunResult, RunStatus, StepError
from tests.unit.failure_history import FOLDER, record


async def _agree(history: History, limit: int = 500) -> list[outcomes.PastRun]:
    """What is kept is what the file says, output tails aside."""
    kept = await history.recent_outcomes(FOLDER, limit)
    read = await history.outcomes(FOLDER, limit)
    assert kept == [attrs.evolve(run, output_tail="") for run in read]
    return kept


async def test_runs_of_this_process_are_added_as_they_end(history: History) -> None:
    assert await _agree(history) == []
    await record(history, "a", "test", 1000.0)
    await record(history, "b", "lint", 1010.0, error=StepError("lint", "E501"), tail="x.py:1")
    kept = await _agree(history)
    assert [r.run_id for r in kept] == ["a", "b"]
    assert kept[1].category == "lint"
    assert (await history.outcomes(FOLDER))[1].output_tail == "x.py:1"  # read from the file


async def test_a_run_that_started_earlier_and_ended_later_takes_its_place(
    history: History,
) -> None:
    await _agree(history)  # the window is loaded
    await history.record_started(RunStart("early", "build", FOLDER, "/w", None, 1000.0))
    await record(history, "late", "test", 1005.0)
    result = RunResult("early", "build", FOLDER, RunStatus.SUCCEEDED, 20_000, [])
    await history.record_finished(result, [], {}, 1020.0)
    assert [r.run_id for r in await _agree(history)] == ["early", "late"]


async def test_context_written_after_the_end_is_seen(history: History) -> None:
    await record(history, "a", "test", 1000.0)
    await _agree(history)
    await history.record_context("a", edited=["src/app.py"])
    assert (await _agree(history))[0].edited_before == ["src/app.py"]


async def test_another_process_writing_is_seen(history: History, tmp_path: Path) -> None:
    await record(history, "a", "test", 1000.0)
    await _agree(history)
    other = History(tmp_path / "history.db")
    try:
        await record(other, "b", "test", 1010.0)
    finally:
        other.close()
    assert [r.run_id for r in await _agree(history)] == ["a", "b"]


async def test_dropped_runs_are_gone(history: History) -> None:
    await record(history, "old", "test", 1000.0)
    await record(history, "new", "test", 5000.0)
    await _agree(history)
    assert await history.forget_before(2000.0) == 1
    assert [r.run_id for r in await _agree(history)] == ["new"]


async def test_a_full_window_keeps_the_newest(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recent, "CAPACITY", 3)
    for i in range(4):
        await record(history, f"r{i}", "test", 1000.0 + i)
    assert [r.run_id for r in await _agree(history, 3)] == ["r1", "r2", "r3"]
    await record(history, "r4", "test", 1004.0)
    await record(history, "older", "test", 999.0)  # older than the window: not in it
    assert [r.run_id for r in await _agree(history, 2)] == ["r3", "r4"]
    assert [r.run_id for r in await _agree(history, 3)] == ["r2", "r3", "r4"]
    assert len(await _agree(history, 10)) == 6  # more than it keeps: read from the file


async def test_the_folder_query_sorts_nothing(history: History) -> None:
    """The index serves the newest-first order with its tie-break (no sort of every run)."""
    plan = await history.read_with(
        lambda conn: conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM runs r WHERE r.folder = ? "
            "ORDER BY r.started_at DESC, r.rowid DESC LIMIT 5",
            (FOLDER,),
        ).fetchall()
    )
    details = " ".join(str(row[-1]) for row in plan)
    assert "runs_by_folder" in details
    assert "TEMP B-TREE" not in details
