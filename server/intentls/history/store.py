"""`History`: records runs and answers questions about them.

All SQLite work happens on the history's own thread (`intentls.storage.Worker`), so the event
loop never waits on the disk or on another process's write lock; callers `await` the results.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import apsw
import attrs

from intentls.history import outcomes
from intentls.history.database import open_database
from intentls.history.environment import key_for, set_id
from intentls.history.estimates import step_medians
from intentls.history.filters import where
from intentls.history.lease import HEARTBEAT_S, Lease
from intentls.history.outcomes import PastRun, RetryCounts
from intentls.history.recent import RecentRuns
from intentls.history.rollups import FINISHED, Rollup, RunFact, StepFact, flip
from intentls.history.uptodate import UpToDateRecord as Record
from intentls.model import (
    IntentWarning,
    PlanStep,
    RunResult,
    RunStatus,
    RunSummary,
    StepResult,
)
from intentls.storage import Worker

if TYPE_CHECKING:
    import asyncio

    from intentls.history.stats_shapes import IntentSeries, Stats, StatsQuery

log = logging.getLogger(__name__)
T = TypeVar("T")

_RETRIES = 5
"""Every history call can be repeated whole: a file busy past the busy timeout is retried."""


class RunWatcher(Protocol):
    def run_finished(self, result: RunResult) -> None: ...

    def runs_undone(self, run_ids: list[str], undone: bool) -> None: ...


@attrs.frozen
class RunStart:
    run_id: str
    intent: str
    folder: str
    cwd: str
    client: str | None
    started_at: float


@attrs.frozen
class RunEnd:
    """What `record_finished` writes: the result, its plan's steps, their output tails, and
    the attempts that failed and were tried again, per step."""

    result: RunResult
    steps: list[PlanStep]
    tails: dict[str, str]
    ended_at: float
    retried: dict[str, list[StepResult]] = attrs.Factory(dict)


@attrs.frozen
class HistoryQuery:
    folder: str | None
    """None: every folder."""
    limit: int = 50
    status: str | None = None
    intent: str | None = None
    since: float | None = None
    """Unix seconds."""


@attrs.frozen
class IntentRecord:
    """What the history knows about one intent in one folder (for lenses and predictions)."""

    runs: int
    succeeded: int
    last_status: str | None
    last_started_at: float | None
    last_duration_ms: int | None


@attrs.frozen
class InverseOp:
    step_id: str
    seq: int
    op: dict[str, Any]


class NotRecorded(Exception):
    """What the history could not keep (a run's end, a built-in step's inverse operation);
    the message says why, and what was kept."""


FULL = "the disk is full"


def why_not_written(exc: BaseException) -> str:
    """A failed write, as the person should read it. A full disk may abort the transaction
    itself: the rollback that follows then fails instead, with the full disk as its context."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, apsw.FullError):
            return FULL
        cause = cause.__context__
    return str(exc)


class History:
    def __init__(self, path: Path | None, reader: bool = False) -> None:
        """`path` None keeps the history in memory (when the file cannot be used). A `reader`
        (the terminal's `intentls history`, `stats`, …) records no runs, so it takes no lease:
        it writes nothing of its own (SQLite's `pragma optimize` may note statistics once), and
        closing then costs no checkpoint."""
        self.path = path
        self._worker = Worker("history", _RETRIES)
        self._conn, self.read_only_reason = self._worker.run(open_database, path)
        self._lease = Lease.mine()
        self._heartbeat: asyncio.Task[None] | None = None
        self._closed = False
        self._env_key: bytes | None = None
        self._pending_ends: list[tuple[str, float, int, str]] = []
        """Run ends (status, ended_at, duration_ms, id) not written yet (a full disk)."""
        self._unstarted: dict[str, RunStart] = {}
        """Runs whose start row could not be written yet (a full disk): written with the
        first of their writes that can (on the history's thread only)."""
        self._recent = RecentRuns()
        """Each folder's last finished runs (history thread only): `outcomes` reads them."""
        self.watchers: list[RunWatcher] = []
        """Told of every finished run and undo as it is written (e.g. the metrics)."""
        self._leased = self.read_only_reason is None and not reader
        if self._leased:
            self._worker.run(self._take_lease)
        self._worker.run(self._recover)

    @property
    def owner(self) -> str:
        return self._lease.owner

    # ---- lifecycle -------------------------------------------------------------------------

    def start_heartbeat(self) -> None:
        """Renew the lease periodically (needs a running loop)."""
        import asyncio  # not at import: `intentls history` reads without an event loop

        if self._heartbeat is None and self.read_only_reason is None:
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat())

    async def _beat(self) -> None:
        import asyncio

        while True:
            await asyncio.sleep(HEARTBEAT_S)
            try:
                await self._worker.call(self._renew)
            except apsw.Error:
                log.exception("history heartbeat failed")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self._worker.shutdown(self._close)

    def _close(self) -> None:
        """Runs still marked running are ours and ending with us: they were interrupted (those
        whose end could not be written yet get it now, if the disk allows). A reader has none:
        it does not even take the write lock."""
        if self._leased:
            with contextlib.suppress(apsw.Error):
                self._mark_pending()
            with self._conn:
                self._interrupt(self.owner, time.time())
        self._conn.close()

    # ---- writes ----------------------------------------------------------------------------

    # Writes return at once with a future the caller may await or leave: the history thread
    # works in order, so a write lands before any later write or query, and a failure is
    # logged either way. Runs never wait on the disk.

    def record_started(self, start: RunStart) -> asyncio.Future[None]:
        return self._write(self._insert_run, start)

    def record_finished(
        self,
        result: RunResult,
        steps: list[PlanStep],
        tails: dict[str, str],
        ended_at: float,
        retried: dict[str, list[StepResult]] | None = None,
    ) -> asyncio.Future[None]:
        """`retried`: per step, its attempts that failed and were tried again. The future
        fails with `NotRecorded` when the run's end could not be kept whole (the disk is full):
        its status is then kept alone if that fits, else at the next write that can."""
        self._tell("run_finished", result)
        return self._write(
            self._finish_and_keep, RunEnd(result, steps, tails, ended_at, retried or {})
        )

    def record_context(
        self, run_id: str, edited: list[str] | None = None, env: dict[str, str] | None = None
    ) -> asyncio.Future[None]:
        """What failure analysis compares runs by: paths edited since the folder's previous
        snapshot, and the environment's fingerprint (names and keyed hashes, never values)."""
        return self._write(self._record_context, run_id, edited, env)

    @property
    def env_key(self) -> bytes:
        """The key environment values are hashed with (failures/environment.py)."""
        if self._env_key is None:
            self._env_key = key_for(self.path)
        return self._env_key

    def record_blocked(self, start: RunStart, result: RunResult) -> asyncio.Future[None]:
        self._tell("run_finished", result)
        self._write(self._insert_run, start)
        return self._write(self._finish_or_mark, RunEnd(result, [], {}, start.started_at))

    def record_inverse(self, run_id: str, step_id: str, seq: int, op: dict[str, Any]) -> None:
        """Store one inverse operation and return once it is stored; `NotRecorded` when it
        cannot be (the tool must not act then). Blocking: called from a tool's worker thread
        (never the event loop, never the history thread) before the tool acts. A read-only
        history stores nothing (its runs are not recorded either)."""
        if self.read_only_reason is not None:
            return
        self._worker.run(self._insert_inverse, run_id, step_id, seq, op)

    def remember_up_to_date(self, key: str, record: Record) -> asyncio.Future[None]:
        """The last success of an up-to-date step (execution/uptodate.py)."""
        return self._write(self._put_up_to_date, key, record)

    def record_undoable(self, run_ids: list[str]) -> None:
        """Runs a crash interrupted that undo has since recorded from their before-snapshot
        (`UndoService.recover_interrupted`). Blocking: called from the undo's thread, so that
        what it answers next agrees with the history."""
        if self.read_only_reason is None and run_ids:
            self._worker.run(self._set_undoable, run_ids)

    def set_undone(self, run_ids: list[str], undone: bool) -> asyncio.Future[None]:
        """Runs undone (or redone) by `intentls.undo` / `intentls.redo`."""
        self._tell("runs_undone", run_ids, undone)
        return self._write(self._set_undone, run_ids, undone)

    def _tell(self, event: str, *args: Any) -> None:
        for watcher in self.watchers:
            try:
                getattr(watcher, event)(*args)
            except Exception:
                log.exception("history watcher %r failed", watcher)

    async def forget_before(self, before: float) -> int:
        """Drop the runs that ended before `before` (Unix seconds), with their steps and
        inverses; runs still running stay. Returns how many were dropped."""
        if self.read_only_reason is not None:
            return 0
        return await self._worker.call(self._forget_before, before)

    async def compact(self) -> int:
        """Give the pages that dropped runs freed back to the file system: bytes the file
        shrank by. A file made before incremental vacuum is rewritten once to have it (an
        explicit `intentls gc`, or daily retention); another process busy on it postpones it."""
        if self.read_only_reason is not None:
            return 0
        return await self._worker.call(self._compact)

    # ---- reads -----------------------------------------------------------------------------

    async def running(self) -> dict[str, float]:
        """Runs still running in any process sharing the file (those of processes gone are
        marked interrupted first): when each began, by run id."""
        return await self._worker.call(self._running)

    async def inverses(self, run_id: str) -> list[InverseOp]:
        """A run's recorded inverse operations, in the order they were recorded."""
        return await self._worker.call(self._inverses, run_id)

    async def runs(self, query: HistoryQuery) -> list[RunSummary]:
        return await self._worker.call(self._runs, query)

    def runs_now(self, query: HistoryQuery) -> list[RunSummary]:
        """`runs`, blocking: for the terminal, which has no event loop to wait on."""
        return self._worker.run(self._runs, query)

    async def intent_record(self, folder: str, intent: str, last: int = 20) -> IntentRecord:
        return await self._worker.call(self._intent_record, folder, intent, last)

    async def outcomes(self, folder: str, limit: int = 500) -> list[PastRun]:
        """The folder's last finished runs, oldest first, with their first error."""
        return await self._worker.call(outcomes.recent, self._conn, folder, limit)

    async def recent_outcomes(self, folder: str, limit: int = 500) -> list[PastRun]:
        """`outcomes` without output tails, from memory (recent.py): for what reads them on
        every run (failure prediction and review)."""
        return await self._worker.call(self._recent.recent, self._conn, folder, limit)

    async def outcome(self, run_id: str) -> PastRun | None:
        return await self._worker.call(outcomes.one, self._conn, run_id)

    async def failures(self, folder: str | None, limit: int = 20) -> list[PastRun]:
        """Failed runs, newest first, with their first error; `folder` None: every folder."""
        return await self._worker.call(outcomes.failures, self._conn, folder, limit)

    async def retry_counts(self, folder: str | None, since: float | None = None) -> RetryCounts:
        """Steps retried after transient failures, and how many recovered (analytics)."""
        return await self._worker.call(outcomes.retry_counts, self._conn, folder, since)

    async def newest_failed(self, folder: str) -> str | None:
        return await self._worker.call(outcomes.newest_failed, self._conn, folder)

    async def stats(self, query: StatsQuery) -> Stats:
        from intentls.history.stats import compute  # numpy: loaded when stats are asked for

        return await self._worker.call(compute, self._conn, query)

    async def step_medians(self, folder: str, intent: str) -> dict[str, int]:
        """How long each step of the intent usually takes (ms by title; estimates.py)."""
        return await self._worker.call(step_medians, self._conn, folder, intent, time.time())

    async def series(self, query: StatsQuery) -> list[IntentSeries]:
        """Runs, success rate and durations per intent and day (series.py)."""
        from intentls.history.series import daily

        return await self._worker.call(daily, self._conn, query)

    async def up_to_date_record(self, key: str) -> Record | None:
        return await self._worker.call(self._get_up_to_date, key)

    async def steps(self, run_id: str) -> list[dict[str, Any]]:
        return await self._worker.call(self._steps, run_id)

    # ---- other domains' rows (suggestions) -------------------------------------------------

    def write_with(self, fn: Callable[[apsw.Connection], None]) -> asyncio.Future[None]:
        """Another domain's write, on the history thread in order with the runs' writes."""
        return self._write(fn, self._conn)

    def write_now(self, fn: Callable[[apsw.Connection], None]) -> None:
        """`write_with`, blocking: for what is written as it closes, with or without a loop."""
        if self.read_only_reason is None:
            self._worker.run(fn, self._conn)

    async def read_with(self, fn: Callable[[apsw.Connection], T]) -> T:
        """Another domain's query, on the history thread (after every earlier write)."""
        return await self._worker.call(fn, self._conn)

    # ---- on the history thread -------------------------------------------------------------

    def _write(self, fn: Callable[..., None], *args: Any) -> asyncio.Future[None]:
        if self.read_only_reason is not None:
            import asyncio

            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        return self._worker.write(fn, *args)

    def _take_lease(self) -> None:
        lease = self._lease
        with self._conn:
            self._conn.execute(
                "INSERT INTO leases(owner, pid, pid_start, boot_id, host, heartbeat) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (lease.owner, lease.pid, lease.pid_start, lease.boot_id, lease.host, time.time()),
            )

    def _renew(self) -> None:
        with self._conn:
            self._conn.execute(
                "UPDATE leases SET heartbeat = ? WHERE owner = ?", (time.time(), self.owner)
            )
        self._recover()

    def _recover(self) -> None:
        """Mark `interrupted` the running rows whose owner is gone."""
        if self.read_only_reason is not None:
            return
        now = time.time()
        with self._conn:
            owners = [
                row[0]
                for row in self._conn.execute(
                    "SELECT DISTINCT owner FROM runs WHERE status = 'running'"
                )
            ]
            lapsed = [o for o in owners if o != self.owner and self._lapsed(o, now)]
            for owner in lapsed:
                self._interrupt(owner, now)
                log.info("marked runs of lapsed owner %s interrupted", owner)

    def _interrupt(self, owner: str, now: float) -> None:
        """`owner`'s running rows end `interrupted` now, rolled up, and its lease goes (inside
        a transaction)."""
        rows: list[Any] = self._conn.execute(
            "UPDATE runs SET status = 'interrupted', ended_at = ?, "
            "duration_ms = CAST((? - started_at) * 1000 AS INTEGER) "
            "WHERE owner = ? AND status = 'running' "
            "RETURNING folder, intent, started_at, duration_ms, undoable",
            (now, now, owner),
        ).fetchall()
        rollup = Rollup()
        for folder, intent, started_at, duration_ms, undoable in rows:
            fact = self._fact(folder, intent, "interrupted", started_at, duration_ms, undoable)
            rollup.add(fact)
        rollup.save(self._conn)
        self._conn.execute("DELETE FROM leases WHERE owner = ?", (owner,))
        self._recent.clear()

    def _fact(
        self,
        folder: str,
        intent: str,
        status: str,
        started_at: float,
        duration_ms: int,
        undoable: bool = False,
        steps: tuple[StepFact, ...] = (),
    ) -> RunFact:
        """A finished run as the rollups see it (and now the intent's last outcome)."""
        return RunFact(
            folder,
            intent,
            status,
            started_at,
            duration_ms,
            undoable,
            flipped=flip(self._conn, folder, intent, status),
            steps=steps,
        )

    def _lapsed(self, owner: str, now: float) -> bool:
        row = self._conn.execute(
            "SELECT pid, pid_start, boot_id, host, heartbeat FROM leases WHERE owner = ?",
            (owner,),
        ).fetchone()
        if row is None:
            return True
        pid, pid_start, boot, host, heartbeat = row
        return Lease(owner, pid, pid_start, boot, host).lapsed(heartbeat, now)

    def _insert_run(self, start: RunStart) -> None:
        with contextlib.suppress(apsw.Error):
            self._mark_pending()
        try:
            with self._conn:
                self._conn.execute(
                    "INSERT INTO runs(id, intent, folder, cwd, status, started_at, client, "
                    "owner) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
                    (
                        start.run_id,
                        start.intent,
                        start.folder,
                        start.cwd,
                        start.started_at,
                        start.client,
                        self.owner,
                    ),
                )
        except apsw.Error:
            self._unstarted[start.run_id] = start
            raise
        self._unstarted.pop(start.run_id, None)

    def _started(self, run_id: str) -> None:
        """The run's start row, written now if it could not be when the run started."""
        start = self._unstarted.get(run_id)
        if start is not None:
            self._insert_run(start)

    def _record_context(
        self, run_id: str, edited: list[str] | None, env: dict[str, str] | None
    ) -> None:
        with self._conn:
            if edited is not None:
                self._conn.execute(
                    "UPDATE runs SET edited_before = ? WHERE id = ?", (json.dumps(edited), run_id)
                )
            if env is not None:
                env_id = set_id(env)
                self._conn.execute(
                    "INSERT OR IGNORE INTO env_sets(hash, entries) VALUES (?, ?)",
                    (env_id, json.dumps(env, sort_keys=True)),
                )
                self._conn.execute("UPDATE runs SET env_set = ? WHERE id = ?", (env_id, run_id))
        self._recent.refresh(self._conn, run_id)

    def _insert_inverse(self, run_id: str, step_id: str, seq: int, op: dict[str, Any]) -> None:
        try:
            self._started(run_id)
            with self._conn:
                self._conn.execute(
                    "INSERT INTO inverses(run_id, step_id, seq, op, recorded_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (run_id, step_id, seq, json.dumps(op), time.time()),
                )
        except apsw.BusyError:
            raise  # tried again (`Worker`)
        except apsw.Error as exc:
            raise NotRecorded(why_not_written(exc)) from exc

    def _inverses(self, run_id: str) -> list[InverseOp]:
        rows = self._conn.execute(
            "SELECT step_id, seq, op FROM inverses WHERE run_id = ? ORDER BY rowid",
            (run_id,),
        )
        return [InverseOp(str(r[0]), int(r[1]), json.loads(r[2])) for r in rows]

    def _finish_and_keep(self, end: RunEnd) -> None:
        """A run's end written (or what of it fits), and the folder's recent runs told."""
        try:
            self._finish_or_mark(end)
        finally:
            self._recent.refresh(self._conn, end.result.run_id)

    def _finish_or_mark(self, end: RunEnd) -> None:
        self._mark_pending()
        try:
            self._started(end.result.run_id)
        except apsw.Error as exc:
            self._unstarted.pop(end.result.run_id)
            raise NotRecorded(
                f"the history could not record this run ({why_not_written(exc)})"
            ) from exc
        try:
            self._finish_run(end)
        except apsw.Error as exc:
            result = end.result
            ended = (result.status.value, end.ended_at, result.duration_ms, result.run_id)
            why = why_not_written(exc)
            try:
                self._mark_ended(*ended)
            except apsw.Error:
                self._pending_ends.append(ended)
                raise NotRecorded(
                    f"the history could not record this run's end ({why}); it is recorded as "
                    "soon as the history can be written"
                ) from exc
            raise NotRecorded(
                f"the history kept only this run's status ({why}): its steps and output are "
                "not kept"
            ) from exc

    def _mark_ended(self, status: str, ended_at: float, duration_ms: int, run_id: str) -> None:
        """The least a run's end needs: its row no longer `running`."""
        self._recent.clear()
        with self._conn:
            self._conn.execute(
                "UPDATE runs SET status = ?, ended_at = ?, duration_ms = ? WHERE id = ?",
                (status, ended_at, duration_ms, run_id),
            )

    def _mark_pending(self) -> None:
        """Ends that could not be written earlier, written now if they can be."""
        while self._pending_ends:
            self._mark_ended(*self._pending_ends[0])
            self._pending_ends.pop(0)

    def _finish_run(self, end: RunEnd) -> None:
        result, steps, tails, retried = end.result, end.steps, end.tails, end.retried
        by_id = {s.id: s for s in steps}
        exit_code = next(
            (s.exit_code for s in result.steps if s.exit_code not in (None, 0)),
            0 if result.status is RunStatus.SUCCEEDED else None,
        )
        with self._conn:
            self._conn.execute(
                "UPDATE runs SET status = ?, ended_at = ?, duration_ms = ?, exit_code = ?, "
                "undoable = ?, changed_files = ?, warnings = ? WHERE id = ?",
                (
                    result.status.value,
                    end.ended_at,
                    result.duration_ms,
                    exit_code,
                    int(result.undoable),
                    json.dumps(result.changed_files),
                    _warnings_json(result.warnings),
                    result.run_id,
                ),
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO steps(run_id, step_id, position, title, tool, args, "
                "status, exit_code, duration_ms, attempts, error_category, error_message, "
                "output_tail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        result.run_id,
                        step.id,
                        position,
                        step.title,
                        by_id[step.id].tool if step.id in by_id else "",
                        json.dumps(by_id[step.id].args if step.id in by_id else {}),
                        step.status.value,
                        step.exit_code,
                        step.duration_ms,
                        step.attempts,
                        step.error.category if step.error else None,
                        step.error.message if step.error else None,
                        tails.get(step.id, ""),
                    )
                    for position, step in enumerate(result.steps)
                ],
            )
            self._conn.executemany(
                "INSERT OR REPLACE INTO attempts(run_id, step_id, attempt, exit_code, "
                "duration_ms, error_category, error_message) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        result.run_id,
                        attempt.id,
                        attempt.attempts,
                        attempt.exit_code,
                        attempt.duration_ms,
                        attempt.error.category if attempt.error else None,
                        attempt.error.message if attempt.error else None,
                    )
                    for step in result.steps
                    if step.id in retried
                    for attempt in [*retried[step.id], step]
                ],
            )
            if result.status.value in FINISHED:
                self._roll_up(result)

    def _roll_up(self, result: RunResult) -> None:
        row = self._conn.execute(
            "SELECT started_at FROM runs WHERE id = ?", (result.run_id,)
        ).fetchone()
        if row is None:
            return
        steps = tuple(
            StepFact(
                s.title,
                s.status.value,
                s.duration_ms,
                s.attempts,
                s.error.category if s.error else None,
                s.error.message if s.error else None,
            )
            for s in result.steps
        )
        rollup = Rollup()
        fact = self._fact(
            result.folder,
            result.intent,
            result.status.value,
            float(row[0]),
            result.duration_ms,
            result.undoable,
            steps,
        )
        rollup.add(fact)
        rollup.save(self._conn)

    def _compact(self) -> int:
        pages = self._conn.pragma("page_count")
        try:
            if self._conn.pragma("auto_vacuum") != 2:  # NONE (or FULL): switch, then rewrite
                self._conn.pragma("auto_vacuum", "INCREMENTAL")
                self._conn.execute("VACUUM")
            else:
                self._conn.pragma("incremental_vacuum")
        except apsw.BusyError:
            log.info("history file busy: compaction postponed")
            return 0
        return int(pages - self._conn.pragma("page_count")) * int(self._conn.pragma("page_size"))

    def _forget_before(self, before: float) -> int:
        with self._conn:
            dropped = self._conn.execute(
                "DELETE FROM runs WHERE status != 'running' "
                "AND COALESCE(ended_at, started_at) < ? RETURNING id",
                (before,),
            ).fetchall()
        self._recent.clear()
        return len(dropped)

    def _running(self) -> dict[str, float]:
        self._recover()
        rows = self._conn.execute("SELECT id, started_at FROM runs WHERE status = 'running'")
        return {str(run_id): float(started) for run_id, started in rows}

    def _put_up_to_date(self, key: str, record: Record) -> None:
        with self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO up_to_date(key, inputs, outputs, run_id, output, "
                "recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                (key, *attrs.astuple(record)),
            )

    def _get_up_to_date(self, key: str) -> Record | None:
        row = self._conn.execute(
            "SELECT inputs, outputs, run_id, output, recorded_at FROM up_to_date WHERE key = ?",
            (key,),
        ).fetchone()
        return None if row is None else Record(*row)

    def _set_undoable(self, run_ids: list[str]) -> None:
        rollup = Rollup()
        with self._conn:
            for run_id in run_ids:
                changed: list[Any] = self._conn.execute(
                    "UPDATE runs SET undoable = 1 WHERE id = ? AND undoable = 0 "
                    "RETURNING folder, intent, started_at, status",
                    (run_id,),
                ).fetchall()
                for folder, intent, started_at, status in changed:
                    if status in FINISHED:  # rolled up already (else: when it ends)
                        rollup.later(folder, intent, started_at, undoable=1)
            rollup.save(self._conn)

    def _set_undone(self, run_ids: list[str], undone: bool) -> None:
        rollup = Rollup()
        with self._conn:
            for run_id in run_ids:
                changed: list[Any] = self._conn.execute(
                    "UPDATE runs SET undone = ? WHERE id = ? AND undone != ? "
                    f"AND status IN ({', '.join('?' * len(FINISHED))}) "
                    "RETURNING folder, intent, started_at",
                    (int(undone), run_id, int(undone), *FINISHED),
                ).fetchall()
                for folder, intent, started_at in changed:
                    rollup.later(folder, intent, started_at, undone=1 if undone else -1)
            self._conn.executemany(
                "UPDATE runs SET undone = ? WHERE id = ?", [(int(undone), r) for r in run_ids]
            )
            rollup.save(self._conn)

    def _runs(self, q: HistoryQuery) -> list[RunSummary]:
        self._recover()
        clause, params = where(
            [
                ("folder", "=", q.folder),
                ("status", "=", q.status),
                ("intent", "=", q.intent),
                ("started_at", ">=", q.since),
            ]
        )
        rows = self._conn.execute(
            "SELECT id, intent, folder, status, started_at, duration_ms, undoable, undone "
            f"FROM runs {clause} ORDER BY started_at DESC, rowid DESC LIMIT ?",
            (*params, q.limit),
        )
        return [
            RunSummary(
                run_id=r[0],
                intent=r[1],
                folder=r[2],
                status=RunStatus(r[3]),
                started_at=iso(r[4]),
                duration_ms=r[5] or 0,
                undoable=bool(r[6]),
                undone=bool(r[7]),
            )
            for r in rows
        ]

    def _intent_record(self, folder: str, intent: str, last: int) -> IntentRecord:
        rows = self._conn.execute(
            "SELECT status, started_at, duration_ms FROM runs WHERE folder = ? AND intent = ? "
            "AND status NOT IN ('running', 'blocked') ORDER BY started_at DESC LIMIT ?",
            (folder, intent, last),
        ).fetchall()
        if not rows:
            return IntentRecord(0, 0, None, None, None)
        succeeded = sum(1 for r in rows if r[0] == RunStatus.SUCCEEDED.value)
        status, started_at, duration_ms = rows[0]
        return IntentRecord(
            len(rows), succeeded, str(status), float(started_at or 0), int(duration_ms or 0)
        )

    def _steps(self, run_id: str) -> list[dict[str, Any]]:
        cursor = self._conn.execute(
            "SELECT step_id, title, tool, status, exit_code, duration_ms, error_category, "
            "error_message, output_tail FROM steps WHERE run_id = ? ORDER BY position",
            (run_id,),
        )
        names = [d[0] for d in cursor.getdescription()]
        return [dict(zip(names, row, strict=True)) for row in cursor]


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _warnings_json(warnings: list[IntentWarning] | None) -> str:
    """A run's warnings as stored; the wire converter (cattrs) loads only for a run that has
    some, so a plain terminal run does without it."""
    if not warnings:
        return "[]"
    from intentls.wire import to_wire

    return json.dumps(to_wire(warnings))
