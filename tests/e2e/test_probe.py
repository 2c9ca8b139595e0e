"""The bounded form of `make probe` (issue 16), run by CI: each shape's figures must be zero
where the issue asks for zero. The full form is `make probe` (figures printed)."""

from __future__ import annotations

from pathlib import Path

from tests.probe import concurrent, crash, diskfull, fuzz, hostile_repo


async def test_kill_9_loses_nothing_reported(tmp_path: Path) -> None:
    figures = await crash.probe(tmp_path, trials=3, runs=4)
    assert figures.corrupt == []
    assert figures.reported_unrecorded == 0 and figures.started_without_row == 0
    assert figures.interrupted_not_undoable == 0 and figures.orphans_left == 0


async def test_servers_sharing_stores_lose_no_undo_record(tmp_path: Path) -> None:
    figures = await concurrent.probe(tmp_path, servers=3, runs=12)
    assert (figures.lost_undo_records, figures.locked_surfaced, figures.failed) == (0, 0, 0)


async def test_fuzzed_messages_are_all_answered(tmp_path: Path) -> None:
    figures = await fuzz.probe(tmp_path, messages=400)
    assert figures.answered == figures.requests and figures.alive
    assert figures.malformed_answered == figures.malformed
    assert figures.before_initialize_32002 == figures.before_initialize
    assert figures.after_shutdown_answered == figures.after_shutdown
    assert (figures.tracebacks, figures.huge_repeated) == (0, 0)


async def test_hostile_repository_fires_no_trap(tmp_path: Path) -> None:
    figures = await hostile_repo.probe(tmp_path)
    assert figures.markers == [] and len(figures.done) == figures.chores


async def test_full_disk_reports_nothing_unrecorded(tmp_path: Path) -> None:
    figures = await diskfull.probe(tmp_path, rounds=4)
    if not figures.runs:
        return  # no mount namespace here: `make probe` says so
    assert figures.reported_unrecorded == 0 and figures.left_running == 0
    assert figures.corrupt == [] and figures.said_sqlite == 0
    assert not figures.rename_halved, figures.rename
    if figures.rename.startswith("not renamed"):
        assert figures.rename.endswith("the disk is full"), figures.rename
