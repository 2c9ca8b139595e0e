"""The run history on a real SQLite file: recording, queries, sharing one file, recovering runs
whose owner is gone, and the read-only fallback for a newer schema."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apsw
import pytest

from intentls.history import schema
from intentls.history.lease import LAPSE_S, boot_id, process_start
from intentls.history.store import History, HistoryQuery, RunStart, iso
from intentls.model import (
    IntentWarning,
    PlanStep,
    RunResult,
    RunStatus,
    StepError,
    StepResult,
    StepStatus,
)

FOLDER = "file:///work/project"
OTHER = "file:///work/other"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.db"


@pytest.fixture
def history(db: Path) -> Iterator[History]:
    h = History(db)
    yield h
    h.close()


def start(run_id: str, intent: str = "test", folder: str = FOLDER, at: float = 1000.0) -> RunStart:
    return RunStart(run_id, intent, folder, "/work/project", "pytest", at)


async def record(
    h: History,
    run_id: str,
    *,
    intent: str = "test",
    folder: str = FOLDER,
    status: RunStatus = RunStatus.SUCCEEDED,
    at: float = 1000.0,
    duration_ms: int = 1234,
) -> None:
    await h.record_started(start(run_id, intent, folder, at))
    if status is RunStatus.RUNNING:
        return
    step_status = StepStatus.SUCCEEDED if status is RunStatus.SUCCEEDED else StepStatus.FAILED
    result = RunResult(
        run_id,
        intent,
        folder,
        status,
        duration_ms,
        [
            StepResult(
                "s1", intent, step_status, duration_ms, 1, 0 if step_status == "succeeded" else 2
            )
        ],
    )
    step = PlanStep("s1", intent, "shell", {"command": f"echo {intent}"})
    await h.record_finished(result, [step], {"s1": "tail"}, at + duration_ms / 1000)


def scalar(db: Path, sql: str, *params: object) -> Any:
    conn = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        row = conn.execute(sql, params).fetchone()
    finally:
        conn.close()
    assert row is not None
    return row[0]


def status_of(db: Path, run_id: str) -> str:
    return str(scalar(db, "SELECT status FROM runs WHERE id = ?", run_id))


def insert_orphan(db: Path, run_id: str, owner: str, lease: tuple[object, ...] | None) -> None:
    """A `running` row left by another process, with or without its lease row."""
    conn = apsw.Connection(str(db))
    try:
        with conn:
            conn.execute(
                "INSERT INTO runs(id, intent, folder, cwd, status, started_at, owner) "
                "VALUES (?, 'test', ?, '/work/project', 'running', ?, ?)",
                (run_id, FOLDER, time.time() - 5, owner),
            )
            if lease is not None:
                conn.execute(
                    "INSERT INTO leases(owner, pid, pid_start, boot_id, host, heartbeat) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (owner, *lease),
                )
    finally:
        conn.close()


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# ---- recording and querying ---------------------------------------------------------------


async def test_round_trip(history: History) -> None:
    await history.record_started(start("r1"))
    (running,) = await history.runs(HistoryQuery(FOLDER))
    assert running.status is RunStatus.RUNNING
    assert running.duration_ms == 0

    result = RunResult(
        "r1",
        "test",
        FOLDER,
        RunStatus.FAILED,
        2500,
        [
            StepResult("s1", "lint", StepStatus.SUCCEEDED, 100, 1, 0),
            StepResult("s2", "test", StepStatus.FAILED, 2400, 1, 3, StepError("unknown", "boom")),
        ],
        undoable=True,
        changed_files=["a.py"],
        warnings=[IntentWarning("risk", "careful")],
    )
    steps = [
        PlanStep("s1", "lint", "shell", {"command": "ruff"}),
        PlanStep("s2", "test", "shell", {"command": "pytest"}, env={"TOKEN": "secret"}),
    ]
    await history.record_finished(result, steps, {"s2": "E assert 1 == 2"}, 1002.5)

    (summary,) = await history.runs(HistoryQuery(FOLDER))
    assert summary.run_id == "r1"
    assert summary.intent == "test"
    assert summary.folder == FOLDER
    assert summary.status is RunStatus.FAILED
    assert summary.started_at == "1970-01-01T00:16:40.000Z"
    assert summary.duration_ms == 2500
    assert summary.undoable
    assert not summary.undone

    recorded = await history.steps("r1")
    assert [(s["step_id"], s["status"], s["exit_code"]) for s in recorded] == [
        ("s1", "succeeded", 0),
        ("s2", "failed", 3),
    ]
    assert recorded[1]["error_category"] == "unknown"
    assert recorded[1]["error_message"] == "boom"
    assert recorded[1]["output_tail"] == "E assert 1 == 2"
    assert recorded[0]["output_tail"] == ""


async def test_env_values_are_never_stored(db: Path) -> None:
    history = History(db)
    await history.record_started(start("r1"))
    step = PlanStep(
        "s1", "t", "shell", {"command": "deploy", "env": ["TOKEN"]}, env={"TOKEN": "v4lue-xyz"}
    )
    result = RunResult(
        "r1", "t", FOLDER, RunStatus.SUCCEEDED, 1, [StepResult("s1", "t", StepStatus.SUCCEEDED)]
    )
    await history.record_finished(result, [step], {}, 1001.0)
    history.close()
    stored = b"".join(p.read_bytes() for p in db.parent.iterdir())
    assert b"TOKEN" in stored
    assert b"v4lue-xyz" not in stored


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (HistoryQuery(FOLDER), ["r5", "r4", "r3", "r2", "r1"]),
        (HistoryQuery(None), ["r6", "r5", "r4", "r3", "r2", "r1"]),
        (HistoryQuery(OTHER), ["r6"]),
        (HistoryQuery(FOLDER, limit=2), ["r5", "r4"]),
        (HistoryQuery(None, limit=1), ["r6"]),
        (HistoryQuery(FOLDER, status="failed"), ["r4", "r2"]),
        (HistoryQuery(FOLDER, status="running"), ["r5"]),
        (HistoryQuery(FOLDER, status="cancelled"), []),
        (HistoryQuery(FOLDER, intent="lint"), ["r3"]),
        (HistoryQuery(FOLDER, intent="test", status="failed"), ["r4", "r2"]),
        (HistoryQuery(FOLDER, since=1003.0), ["r5", "r4", "r3"]),
        (HistoryQuery(FOLDER, since=1003.5), ["r5", "r4"]),
        (HistoryQuery(None, since=1005.0, intent="test"), ["r6", "r5"]),
        (HistoryQuery(FOLDER, intent="nope"), []),
    ],
)
async def test_queries(history: History, query: HistoryQuery, expected: list[str]) -> None:
    # Inserted out of order: the answer is newest first by start time, not insertion order.
    await record(history, "r3", intent="lint", at=1003.0)
    await record(history, "r1", at=1001.0)
    await record(history, "r4", status=RunStatus.FAILED, at=1004.0)
    await record(history, "r2", status=RunStatus.FAILED, at=1002.0)
    await record(history, "r5", status=RunStatus.RUNNING, at=1005.0)
    await record(history, "r6", folder=OTHER, at=1006.0)
    assert [r.run_id for r in await history.runs(query)] == expected


async def test_same_start_time_newest_insert_first(history: History) -> None:
    for run_id in ("a", "b", "c"):
        await record(history, run_id, at=5000.0)
    assert [r.run_id for r in await history.runs(HistoryQuery(FOLDER))] == ["c", "b", "a"]


async def test_intent_record(history: History) -> None:
    assert (await history.intent_record(FOLDER, "test")).runs == 0
    assert (await history.intent_record(FOLDER, "test")).last_status is None
    await record(history, "r1", at=1001.0, duration_ms=100)
    await record(history, "r2", status=RunStatus.FAILED, at=1002.0, duration_ms=200)
    await record(history, "r3", at=1003.0, duration_ms=300)
    await record(history, "r4", status=RunStatus.RUNNING, at=1004.0)
    await record(history, "r5", intent="lint", at=1005.0)
    await record(history, "r6", folder=OTHER, status=RunStatus.FAILED, at=1006.0)
    rec = await history.intent_record(FOLDER, "test")
    assert (rec.runs, rec.succeeded) == (3, 2)
    assert rec.last_status == "succeeded"
    assert rec.last_started_at == 1003.0
    assert rec.last_duration_ms == 300
    recent = await history.intent_record(FOLDER, "test", last=2)
    assert (recent.runs, recent.succeeded) == (2, 1)
    assert (await history.intent_record(OTHER, "test")).last_status == "failed"


async def test_blocked_runs_are_recorded_but_not_counted(history: History) -> None:
    result = RunResult("b1", "deploy", FOLDER, RunStatus.BLOCKED, 0, [])
    await history.record_blocked(start("b1", "deploy"), result)
    (summary,) = await history.runs(HistoryQuery(FOLDER))
    assert summary.status is RunStatus.BLOCKED
    assert (await history.intent_record(FOLDER, "deploy")).runs == 0


async def test_history_survives_reopening(db: Path) -> None:
    h = History(db)
    await record(h, "r1")
    h.close()
    h = History(db)
    try:
        assert [r.run_id for r in await h.runs(HistoryQuery(None))] == ["r1"]
    finally:
        h.close()


async def test_in_memory_history() -> None:
    h = History(None)
    try:
        await record(h, "r1")
        assert [r.run_id for r in await h.runs(HistoryQuery(None))] == ["r1"]
    finally:
        h.close()


# ---- sharing one file ---------------------------------------------------------------------


async def test_two_histories_on_one_file(db: Path) -> None:
    a, b = History(db), History(db)
    try:
        await asyncio.gather(
            *(record(a, f"a{n}", at=1000.0 + n) for n in range(25)),
            *(record(b, f"b{n}", at=1000.5 + n) for n in range(25)),
        )
        for h in (a, b):
            runs = await h.runs(HistoryQuery(None, limit=100))
            assert len(runs) == 50
            assert all(r.status is RunStatus.SUCCEEDED for r in runs)
            assert runs[0].run_id == "b24"
    finally:
        a.close()
        b.close()


# ---- runs whose owner is gone -------------------------------------------------------------


def _here() -> str:
    return socket.gethostname()


@pytest.mark.parametrize(
    ("lease", "interrupted"),
    [
        pytest.param(None, True, id="no lease row"),
        pytest.param(
            lambda: (dead_pid(), 12345, boot_id(), _here(), time.time()), True, id="dead pid"
        ),
        pytest.param(
            lambda: (os.getpid(), process_start(os.getpid()), boot_id(), _here(), time.time()),
            False,
            id="live pid",
        ),
        pytest.param(
            lambda: (os.getpid(), (process_start(os.getpid()) or 0) + 1, boot_id(), _here(), 0.0),
            True,
            id="reused pid",
        ),
        pytest.param(
            lambda: (1, 1, "another-boot", "elsewhere.example", time.time()),
            False,
            id="other host, fresh heartbeat",
        ),
        pytest.param(
            lambda: (1, 1, "another-boot", "elsewhere.example", time.time() - LAPSE_S - 60),
            True,
            id="other host, lapsed heartbeat",
        ),
    ],
)
async def test_recovery_on_open(db: Path, lease: object, interrupted: bool) -> None:
    History(db).close()  # create the schema
    insert_orphan(db, "orphan", "other-owner", lease() if callable(lease) else None)
    h = History(db)
    try:
        (run,) = await h.runs(HistoryQuery(FOLDER))
        assert run.status is (RunStatus.INTERRUPTED if interrupted else RunStatus.RUNNING)
        if interrupted:
            assert run.duration_ms > 0
    finally:
        h.close()
    # Whatever closing `h` did, it never touches another owner's runs.
    assert status_of(db, "orphan") == ("interrupted" if interrupted else "running")


async def test_recovery_while_open(history: History, db: Path) -> None:
    insert_orphan(db, "orphan", "gone-owner", None)
    (run,) = await history.runs(HistoryQuery(FOLDER))
    assert run.status is RunStatus.INTERRUPTED


async def test_live_owner_keeps_its_running_run(db: Path) -> None:
    first = History(db)
    try:
        await record(first, "mine", status=RunStatus.RUNNING)
        second = History(db)
        try:
            (run,) = await second.runs(HistoryQuery(FOLDER))
            assert run.status is RunStatus.RUNNING
        finally:
            second.close()
        assert status_of(db, "mine") == "running"
    finally:
        first.close()
    assert status_of(db, "mine") == "interrupted"


async def test_close_marks_own_running_runs_interrupted(db: Path) -> None:
    h = History(db)
    await record(h, "done")
    await record(h, "left", status=RunStatus.RUNNING)
    h.close()
    assert status_of(db, "left") == "interrupted"
    assert status_of(db, "done") == "succeeded"
    assert scalar(db, "SELECT count(*) FROM leases") == 0


# ---- a file from a newer intentls ---------------------------------------------------------


async def test_newer_schema_opens_read_only(db: Path) -> None:
    h = History(db)
    await record(h, "old")
    h.close()
    conn = apsw.Connection(str(db))
    conn.pragma("user_version", schema.VERSION + 1)
    conn.close()

    h = History(db)
    try:
        assert h.read_only_reason is not None
        assert str(schema.VERSION + 1) in h.read_only_reason
        assert [r.run_id for r in await h.runs(HistoryQuery(None))] == ["old"]
        assert (await h.intent_record(FOLDER, "test")).runs == 1
        await record(h, "new")  # a no-op, not an error
        await h.record_blocked(
            start("blocked"), RunResult("blocked", "t", FOLDER, RunStatus.BLOCKED, 0, [])
        )
        assert [r.run_id for r in await h.runs(HistoryQuery(None))] == ["old"]
    finally:
        h.close()

    assert scalar(db, "PRAGMA user_version") == schema.VERSION + 1
    assert scalar(db, "SELECT count(*) FROM leases") == 0
    assert scalar(db, "SELECT count(*) FROM runs") == 1


def test_fresh_file_is_at_current_version(db: Path) -> None:
    h = History(db)
    assert h.read_only_reason is None
    h.close()
    conn = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        assert conn.pragma("user_version") == schema.VERSION
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("ts", "text"),
    [(0.0, "1970-01-01T00:00:00.000Z"), (1_700_000_000.25, "2023-11-14T22:13:20.250Z")],
)
def test_iso(ts: float, text: str) -> None:
    assert iso(ts) == text


async def test_runs_past_retention_are_forgotten_with_their_steps(
    history: History, db: Path
) -> None:
    await record(history, "old", at=1000.0)
    await record(history, "recent", at=5000.0)
    await record(history, "running", status=RunStatus.RUNNING, at=1000.0)
    await asyncio.to_thread(history.record_inverse, "old", "s1", 0, {"op": "x"})
    assert await history.forget_before(4000.0) == 1
    left = {r.run_id for r in await history.runs(HistoryQuery(None))}
    assert left == {"recent", "running"}
    assert scalar(db, "SELECT COUNT(*) FROM steps WHERE run_id = 'old'") == 0
    assert scalar(db, "SELECT COUNT(*) FROM inverses") == 0
    assert await history.running() == {"running": 1000.0}
