"""A run's full output found from the history: by run id or the folder's newest run, one step
by id or title, its text capped from the end, and an error that says why when it is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from intentls.execution import full_output, output_log
from intentls.execution.full_output import OutputNotKept, chunks, find_output
from intentls.execution.output_log import OutputLog
from intentls.history.store import History
from tests.unit.failure_history import FOLDER, record


@pytest.fixture
async def history(tmp_path: Path) -> History:
    h = History(tmp_path / "history.db")
    yield h  # type: ignore[misc]
    h.close()


def _kept(history: History, run_id: str, *pieces: tuple[str, str]) -> Path:
    out = OutputLog(output_log.output_root(history.path), run_id)
    for step, text in pieces:
        out.write(step, text)
    out.close()
    assert out.path is not None
    return out.path


async def test_the_newest_run_or_one_by_id(history: History) -> None:
    await record(history, "r1", "build", 100.0)
    await record(history, "r2", "test", 200.0)
    _kept(history, "r1", ("s1", "compiling\n"))
    path = _kept(history, "r2", ("s1", "é" * 10 + "\n"))

    newest = await find_output(history, FOLDER, None)
    assert (newest.run_id, newest.intent, newest.status) == ("r2", "test", "succeeded")
    assert newest.uri == path.as_uri() and newest.size_bytes == path.stat().st_size
    assert newest.text == path.read_text() and newest.cut_bytes is None

    older = await find_output(history, FOLDER, "r1", max_bytes=0)
    assert older.text is None and b"".join(chunks(older)).endswith(b"compiling\n")

    cut = await find_output(history, FOLDER, "r2", max_bytes=6)
    assert cut.text == "éé\n", "cut from the start, never inside a character"
    assert cut.cut_bytes == newest.size_bytes - 5


async def test_one_step_by_id_or_title(history: History) -> None:
    await record(history, "r1", "lint", 100.0)
    _kept(history, "r1", ("s1", "one\n"), ("s0", "other\n"), ("s1", "two\n"))
    by_title = await find_output(history, None, "r1", "lint")
    assert (by_title.step_id, by_title.text, by_title.size_bytes) == ("s1", "one\ntwo\n", 8)
    assert b"".join(chunks(by_title)) == b"one\ntwo\n"
    tail = await find_output(history, None, "r1", "s1", max_bytes=4)
    assert (tail.text, tail.cut_bytes) == ("two\n", 4)
    with pytest.raises(OutputNotKept, match=r"has no step 'nope'; its steps: s1 \(lint\)"):
        await find_output(history, None, "r1", "nope")


async def test_missing_output_says_why(
    history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(OutputNotKept, match="no run in this folder yet"):
        await find_output(history, FOLDER, None)
    with pytest.raises(OutputNotKept, match="no run 'zzz' in the history"):
        await find_output(history, FOLDER, "zzz")
    await record(history, "old", "build", 100.0)
    with pytest.raises(OutputNotKept, match=r"run old \(«build»\) was never written"):
        await find_output(history, FOLDER, "old")

    monkeypatch.setattr(output_log, "KEEP", 3)
    monkeypatch.setattr(full_output, "KEEP", 3)
    os.utime(_kept(history, "old", ("s1", "x")), (150, 150))
    for n in range(3):
        _kept(history, f"new{n}", ("s1", "x"))
        os.utime(tmp_path / "output" / f"new{n}.log", (1000 + n, 1000 + n))
    with pytest.raises(OutputNotKept, match=r"is gone: only the newest 3 runs' output is kept"):
        await find_output(history, FOLDER, "old")
    with pytest.raises(OutputNotKept, match="maxBytes must be between"):
        await find_output(history, FOLDER, "old", max_bytes=-1)


async def test_nothing_is_kept_beside_an_in_memory_history() -> None:
    h = History(None)
    try:
        await record(h, "r1", "build", 100.0)
        with pytest.raises(OutputNotKept, match="this history is in memory"):
            await find_output(h, FOLDER, None)
    finally:
        h.close()
