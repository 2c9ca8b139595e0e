"""Rollups and stats from them: percentiles within the sketch's stated error of the exact ones,
counts exact, rollups kept live equal to those the migration rebuilds, and retention keeps them."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apsw
import pytest
from hypothesis import given
from hypothesis import strategies as st

from intentls.history import merging, rebuild, schema, sketch
from intentls.history.database import open_database
from intentls.history.periods import DAY_S, SPANS, cover, day_of, first_day
from intentls.history.stats import Stats, StatsQuery, compute
from intentls.history.store import History, RunStart
from intentls.model import RunResult, RunStatus, StepError, StepResult, StepStatus
from tests.generated_history import folders, generate

NOW = 1_780_000_000.0
TABLES = ("rollup_runs", "rollup_steps", "rollup_failures")


def exact(values: list[int], pct: int) -> int:
    ordered = sorted(values)
    return ordered[max(1, -(-pct * len(ordered) // 100)) - 1] if ordered else 0


def within(estimate: int, truth: int) -> bool:
    """The stated error, plus rounding to whole milliseconds."""
    return abs(estimate - truth) <= sketch.RELATIVE_ERROR * truth + 0.5


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[apsw.Connection]:
    conn, _ = open_database(tmp_path_factory.mktemp("gen") / "history.db")
    generate(conn, 4000, NOW, days=120, n_folders=3, n_intents=6)
    with conn:
        rebuild.rebuild(conn)
    yield conn
    conn.close()


def truth(conn: apsw.Connection, where: str = "", params: tuple[Any, ...] = ()) -> list[Any]:
    return conn.execute(
        "SELECT intent, status, duration_ms FROM runs "
        f"WHERE status IN ('succeeded', 'failed', 'cancelled', 'interrupted') {where}",
        params,
    ).fetchall()


@pytest.mark.parametrize(
    ("folder", "intent", "since_days"),
    [(None, None, None), (folders(3)[1], None, None), (None, "intent2", 30), (None, None, 9)],
)
def test_percentiles_within_the_stated_error(
    generated: apsw.Connection, folder: str | None, intent: str | None, since_days: int | None
) -> None:
    since = None if since_days is None else NOW - since_days * DAY_S
    stats = compute(generated, StatsQuery(folder, intent, since, now=NOW))
    where, params = "", ()
    for column, value in (("folder", folder), ("intent", intent)):
        if value is not None:
            where, params = f"{where} AND {column} = ?", (*params, value)
    if since is not None:  # rollups count whole UTC days
        where, params = f"{where} AND started_at >= ?", (*params, day_of(since) * DAY_S)
    rows = truth(generated, where, params)
    assert stats.runs == len(rows) > 0
    assert stats.success_rate == round(sum(r[1] == "succeeded" for r in rows) / len(rows), 4)
    durations = [r[2] for r in rows]
    for pct, estimate in zip(
        (50, 95, 99),
        (stats.duration_ms.p50, stats.duration_ms.p95, stats.duration_ms.p99),
        strict=True,
    ):
        assert within(estimate, exact(durations, pct)), (pct, estimate, exact(durations, pct))
    for by in stats.by_intent:
        mine = [r[2] for r in rows if r[0] == by.intent]
        assert by.runs == len(mine) and within(by.p50_ms, exact(mine, 50))


def test_failures_undo_retries_and_steps_exact(generated: apsw.Connection) -> None:
    stats = compute(generated, StatsQuery(None, now=NOW))
    top = generated.execute(
        "SELECT error_category, COUNT(*) FROM steps GROUP BY error_category "
        "HAVING error_category IS NOT NULL ORDER BY COUNT(*) DESC, error_category"
    ).fetchall()
    assert [(f.category, f.count) for f in stats.top_failures] == [tuple(t) for t in top[:5]]
    undone, undoable = generated.execute(
        "SELECT SUM(undone), SUM(undoable) FROM runs WHERE status != 'blocked'"
    ).fetchone()
    assert (stats.undo.undone, stats.undo.undoable) == (undone, undoable)
    (retries,) = generated.execute("SELECT SUM(attempts - 1) FROM steps").fetchone()
    assert stats.retries.retries == retries
    slowest = stats.slowest_steps[0]
    durations = [
        r[0]
        for r in generated.execute(
            "SELECT steps.duration_ms FROM steps JOIN runs ON runs.id = run_id "
            "WHERE intent = ? AND title = ?",
            (slowest.intent, slowest.title),
        )
    ]
    assert slowest.runs == len(durations) and within(slowest.p95_ms, exact(durations, 95))
    assert sum(stats.by_hour) == stats.runs and len(stats.busiest_hours) == 3


@given(st.lists(st.lists(st.integers(0, 10**8), max_size=40), min_size=1, max_size=6))
def test_merged_sketches_hold_the_error(parts: list[list[int]]) -> None:
    blobs = [sketch.of(p) for p in parts]
    merged = blobs[0]
    for blob in blobs[1:]:
        merged = sketch.merge(merged, blob)
    everything = [v for p in parts for v in p]
    assert merged == sketch.of(everything)
    estimates = merging.percentiles(merging.totals(blobs)[0], [1, 50, 95, 99, 100])
    for pct, estimate in zip((1, 50, 95, 99, 100), estimates, strict=True):
        assert within(estimate, exact(everything, pct))


def test_cover_holds_exactly_the_days() -> None:
    rng = random.Random(3)
    for _ in range(500):
        first = rng.randint(0, 30000)
        last = first + rng.randint(0, 500)
        days: list[int] = []
        for grain, lo, hi in cover(first, last):
            assert hi is not None
            for number in range(lo, hi + 1):
                days += range(first_day(grain, number), first_day(grain, number) + SPANS[grain])
        assert sorted(days) == list(range(first, last + 1))
    assert len(cover(20000)) <= 3


def _dump(conn: apsw.Connection) -> list[list[Any]]:
    return [sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES]


async def _record(h: History, n: int, rng: random.Random, in_order: bool = True) -> str:
    """A random run; it ends `n` seconds after NOW (so in the order recorded) if `in_order`,
    else a second after it started."""
    run_id = f"run{n}"
    intent = rng.choice(["test", "build", "lint"])
    folder = rng.choice(["file:///a", "file:///b"])
    at = NOW - rng.random() * 70 * DAY_S
    await h.record_started(RunStart(run_id, intent, folder, "/a", None, at))
    steps = []
    for i in range(rng.randint(0, 3)):
        status = rng.choice([StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED])
        error = (
            StepError(rng.choice(["lint", "testFailure"]), f"broke {n}")
            if status is StepStatus.FAILED
            else None
        )
        steps.append(
            StepResult(
                f"s{i}", f"step {i}", status, rng.randint(0, 90_000), rng.randint(1, 3), 1, error
            )
        )
    status = rng.choice(
        [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.BLOCKED]
    )
    result = RunResult(
        run_id, intent, folder, status, rng.randint(0, 10**6), steps, undoable=rng.random() < 0.5
    )
    await h.record_finished(result, [], {}, NOW + n if in_order else at + 1)
    return run_id


async def test_rollups_kept_live_equal_those_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    h = History(path)
    rng = random.Random(7)
    ids = [await _record(h, n, rng) for n in range(150)]
    await h.set_undone(ids[:40:3], True)
    await h.set_undone(ids[:10:3], False)
    await h.record_started(RunStart("left", "test", "file:///a", "/a", None, NOW - 5))
    h.close()  # the running run is interrupted, and rolled up
    after_crash = History(path)
    after_crash.record_undoable(["left"])  # undo recorded it from its before-snapshot
    after_crash.close()
    conn, _ = open_database(path)
    assert conn.execute("SELECT undoable FROM runs WHERE id = 'left'").fetchone() == (1,)
    live = _dump(conn)
    assert all(live)
    with conn:
        for table in TABLES:
            conn.execute(f"DELETE FROM {table}")
        rebuild.rebuild(conn)
    assert _dump(conn) == live
    conn.close()


async def test_retention_drops_runs_and_keeps_their_rollups(tmp_path: Path) -> None:
    h = History(tmp_path / "history.db")
    rng = random.Random(11)
    for n in range(60):
        await _record(h, n, rng, in_order=False)
    query = StatsQuery(None, now=NOW)
    before: Stats = await h.stats(query)
    cutoff = NOW - 30 * DAY_S
    (old,) = h._conn.execute("SELECT COUNT(*) FROM runs WHERE ended_at < ?", (cutoff,)).fetchone()
    assert 0 < old < 60
    assert await h.forget_before(cutoff) == old
    left = h._conn.execute("SELECT COUNT(*) FROM runs WHERE ended_at < ?", (cutoff,)).fetchone()
    assert left == (0,)
    assert (await h.stats(query)) == before
    h.close()


def test_starting_and_writing_load_no_numpy(tmp_path: Path) -> None:
    """numpy is for stats queries and the one-time rebuild: a CLI or server start and a run's
    write never load it."""
    code = (
        "import asyncio, sys, pathlib\n"
        "import intentls.cli, intentls.lsp.server\n"
        "from intentls.history.store import History, RunStart\n"
        "from intentls.model import RunResult, RunStatus\n"
        "h = History(pathlib.Path(sys.argv[1]))\n"
        "async def main():\n"
        "    await h.record_started(RunStart('r', 'x', 'file:///a', '/a', None, 1.0))\n"
        "    done = RunResult('r', 'x', 'file:///a', RunStatus.SUCCEEDED, 5, [])\n"
        "    await h.record_finished(done, [], {}, 2.0)\n"
        "asyncio.run(main())\n"
        "h.close()\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "h.db")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


def test_the_migration_builds_rollups_for_an_existing_history(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    conn, _ = open_database(path)
    generate(conn, 500, NOW, days=20, n_folders=2, n_intents=3)
    with conn:
        rebuild.rebuild(conn)
    built = _dump(conn)
    with conn:  # as the file was before rollups existed, then the migration that adds them
        conn.execute(
            "DROP TABLE rollup_runs; DROP TABLE rollup_steps; DROP TABLE rollup_failures; "
            "DROP TABLE rollup_last"
        )
        schema._rollups(conn)
    assert _dump(conn) == built and all(built)
    conn.close()


async def test_retention_hands_the_space_back_and_keeps_the_stats(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    conn, _ = open_database(path)
    assert conn.pragma("auto_vacuum") == 2  # incremental, from a new file on
    generate(conn, 3000, NOW, days=60, n_folders=2, n_intents=4)
    with conn:
        rebuild.rebuild(conn)
    cutoff = NOW - 20 * DAY_S
    (kept,) = conn.execute(
        "SELECT COUNT(*) FROM runs WHERE COALESCE(ended_at, started_at) >= ?", (cutoff,)
    ).fetchone()
    conn.close()
    h = History(path)
    query = StatsQuery(None, now=NOW)
    before = await h.stats(query)
    assert await h.forget_before(cutoff) == 3000 - kept
    assert await h.compact() > 100_000
    assert (await h.stats(query)) == before
    h.close()
    conn, _ = open_database(path)
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (kept,)
    conn.close()
