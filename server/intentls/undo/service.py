"""`UndoService`: the undo engine for the event loop. Snapshots, restores and every query run
on the undo's own thread (`intentls.storage.Worker`, which alone owns `undo.db`); what undo does
around a run (`before_run`, `after_run`: snapshots, `changedFiles`, an atomic intent's undo),
the history rows of undos and what the editor must show are done here."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

import apsw
import attrs

from intentls.execution import orphans
from intentls.folders import Folder
from intentls.history.store import FULL, History, RunStart, iso, why_not_written
from intentls.lowpriority import run_low
from intentls.model import (
    CheckpointInfo,
    IntentWarning,
    RunResult,
    RunStatus,
    StepStatus,
    UndoResult,
    UndoStatus,
    WarningKind,
)
from intentls.settings import UndoSettings
from intentls.storage import Worker, not_writable
from intentls.undo.bounds import NotSnapshotted
from intentls.undo.core import UndoCore
from intentls.undo.database import undo_path
from intentls.undo.records import (
    Applied,
    BlameEntry,
    EditorView,
    NotUndone,
    Prepared,
    Recovered,
    RunChanges,
    UndoAction,
)
from intentls.undo.retention import Collected, Policy

log = logging.getLogger(__name__)
T = TypeVar("T")
BUSY_ATTEMPTS = 3
IN_MEMORY = "runs of this session can be undone, nothing is kept after it"


@contextlib.contextmanager
def _unchanged_if_full() -> Iterator[None]:
    """What an undo does before a file changes (store the present, write its history row):
    a full disk there leaves everything as it was, and says so."""
    try:
        yield
    except apsw.Error as exc:
        if why_not_written(exc) != FULL:
            raise
        raise NotUndone(f"nothing was changed: {FULL} (the present is stored first)") from exc


def _short(exc: BaseException, limit: int = 200) -> str:
    text = why_not_written(exc) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Editor(Protocol):
    """The editor's side of an undo (the LSP server's open documents)."""

    def view(self) -> EditorView: ...

    async def apply(self, root: Path, edits: list[tuple[str, bytes]]) -> None:
        """Make open buffers show restored files (`workspace/applyEdit`)."""
        ...


@attrs.frozen
class RunUndo:
    """A run whose changes undo records (`before_run` made it; `after_run` takes it)."""

    run_id: str
    intent: str
    folder: Folder
    settings: UndoSettings
    client: str | None


class UndoService:
    def __init__(
        self,
        path: Path | None,
        history: History,
        trusted: Callable[[Path], bool] = lambda folder: False,
        settings_for: Callable[[Folder], UndoSettings] | None = None,
        editor: Editor | None = None,
    ) -> None:
        self.history = history
        self.trusted = trusted
        """Whether a folder's git filters may run when an undo runs git (unknown: they do
        not)."""
        self.settings_for = settings_for
        """The `undo` settings of a folder (the editor's configuration); None: those it was
        last snapshotted with (the terminal has no configuration of its own)."""
        self.editor = editor
        """The LSP server's open documents; the terminal has none."""
        self._by_inverses: set[str] = set()
        """Runs in progress recorded by their tools' inverse operations, not snapshots."""
        self._worker = Worker("undo")
        self._core: UndoCore = self._worker.run(UndoCore, path)
        self.recovered: list[Recovered] = self._worker.run(self._core.commits.recover)
        """Undos a crash interrupted, finished at start; `report_recovered` records them."""
        self._closed = False
        self.notice: str | None = None
        """Why undo records are kept in memory only, for the person."""

    @classmethod
    def beside(
        cls,
        history: History,
        trusted: Callable[[Path], bool],
        settings_for: Callable[[Folder], UndoSettings] | None,
        editor: Editor | None,
    ) -> UndoService:
        """`undo.db` beside the history file; in memory if that file cannot be used (`notice`
        says so)."""
        path = undo_path(history.path)
        why = None if path is None else not_writable(path)
        if why is not None:
            service = cls(None, history, trusted, settings_for, editor)
            service.notice = f"undo file {path} cannot be written ({why}): {IN_MEMORY}"
            return service
        try:
            return cls(path, history, trusted, settings_for, editor)
        except (apsw.Error, OSError, ValueError) as exc:
            log.exception("cannot open the undo file %s; undo works for this session only", path)
            service = cls(None, history, trusted, settings_for, editor)
            service.notice = f"undo file {path} cannot be used ({_short(exc)}): {IN_MEMORY}"
            return service

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._worker.shutdown(self._core.close)

    def _view(self) -> EditorView:
        return self.editor.view() if self.editor is not None else EditorView()

    def recover_interrupted(self) -> asyncio.Future[None]:
        """Record, in the background, the snapshot groups that crashed servers left open: their
        runs (`interrupted` in the history) become undoable from their before-snapshot, and
        the history's rows say so."""
        return self._worker.write(self._recover_interrupted)

    def _recover_interrupted(self) -> None:
        runs = self._core.recording.recover_interrupted(orphans.owner_gone, time.time())
        self.history.record_undoable(runs)
        if runs:
            log.info("recorded %d runs a crash interrupted: %s", len(runs), ", ".join(runs))

    async def settings_of(self, folder: Folder) -> UndoSettings:
        """The folder's `undo` settings: the editor's, else those an editor last snapshotted it
        with (other settings would see spurious changes), else defaults."""
        if self.settings_for is not None:
            return self.settings_for(folder)
        rules = await self._worker.call(self._core.snapshots.rules, folder.path)
        if rules is None:
            return UndoSettings()
        return UndoSettings(exclude=list(rules.exclude), max_file_bytes=rules.max_file_bytes)

    async def warm(self, folder: Folder) -> int | None:
        """Snapshot `folder` now, so that its first run costs what changed (`Recording.warm`),
        at low CPU and idle I/O priority (`lowpriority.run_low`: a thread of its own, which the
        undo's thread waits for). A run that starts meanwhile queues behind it on the undo's
        thread and gets an exact before-state. None: undo is off there, or the folder cannot be
        snapshotted (the run will say why)."""
        settings = await self.settings_of(folder)
        if not settings.enabled:
            return None
        # The index it builds is long-lived: the cyclic collector need not walk it, while it
        # is built or ever after (a full collection over a 100k-path index holds the GIL, so
        # stalls the event loop, for a tenth of a second or more).
        gc.disable()
        try:
            return await self._worker.call(
                run_low, self._core.recording.warm, folder.path, settings
            )
        except NotSnapshotted:
            return None
        finally:
            gc.freeze()
            gc.enable()

    # ---- around a run ---------------------------------------------------------------------

    async def before_run(
        self,
        run_id: str,
        intent: str,
        folder: Folder,
        client: str | None,
        builtin_only: bool,
        warnings: list[IntentWarning],
    ) -> RunUndo | None:
        """Snapshot the folder before a run, if undo is on there; a run of built-in tools only
        (`builtin_only`) needs no snapshot: its tools record how to undo them. The paths
        edited since the folder's previous snapshot go to the history (failure analysis).
        None: the run is not recorded (undo off, or no snapshot: why is added to `warnings`
        when the person should know)."""
        settings = await self.settings_of(folder)
        if not settings.enabled:
            return None
        try:
            edited = await self._begin(run_id, intent, folder.path, settings, builtin_only)
            self.history.record_context(run_id, edited=edited)
        except NotSnapshotted as exc:
            warnings.append(IntentWarning(WarningKind.UNDO, f"not undoable: {exc.reason}"))
            await self._abandon(run_id)
            return None
        except Exception as exc:
            log.exception("snapshot before run %s failed; it cannot be undone", run_id)
            why = f"not undoable: the snapshot before the run failed ({_short(exc)})"
            warnings.append(IntentWarning(WarningKind.UNDO, why))
            await self._abandon(run_id)
            return None
        return RunUndo(run_id, intent, folder, settings, client)

    async def _abandon(self, run_id: str) -> None:
        self._by_inverses.discard(run_id)
        await self._worker.call(self._core.recording.abandon, run_id)

    async def after_run(self, run: RunUndo, result: RunResult, atomic: bool) -> RunResult:
        """Snapshot again, or read the tools' inverse operations: what the run changed is its
        `changedFiles`. An `atomic` intent either happens whole or not at all: if it failed,
        what its completed steps changed is undone (conflict-safe, like `intentls.undo`)."""
        succeeded = {s.id for s in result.steps if s.status is StepStatus.SUCCEEDED}
        try:
            changes = await self._end(run.run_id, run.settings, succeeded)
        except Exception as exc:
            log.exception("the undo record of run %s failed; it cannot be undone", run.run_id)
            warning = IntentWarning(
                WarningKind.UNDO,
                f"not undoable: the run's undo record could not be made ({_short(exc)})",
            )
            return attrs.evolve(result, warnings=[*(result.warnings or []), warning])
        result = attrs.evolve(
            result,
            undoable=changes.undoable,
            changed_files=changes.changed_files,
            warnings=[*(result.warnings or []), *changes.warnings] or None,
        )
        if atomic and result.status is RunStatus.FAILED and result.changed_files:
            return await self._undo_atomic(run, result)
        return result

    async def _begin(
        self, run_id: str, intent: str, root: Path, settings: UndoSettings, builtin_only: bool
    ) -> list[str]:
        """Recorded by the inverse operations its tools record (unless the history cannot keep
        them) instead of snapshots when every step is a built-in tool. Returns the paths edited
        since the folder's previous snapshot (none known without one)."""
        recording = self._core.recording
        if builtin_only and self.history.read_only_reason is None:
            self._by_inverses.add(run_id)
            await self._worker.call(recording.begin_builtin, root, run_id, intent, time.time())
            return []
        return await self._busy_retried(
            recording.begin, root, run_id, intent, settings, time.time()
        )

    async def _end(self, run_id: str, settings: UndoSettings, succeeded: set[str]) -> RunChanges:
        """`succeeded`: the ids of the steps that succeeded."""
        recording = self._core.recording
        saves = self._view().saves
        if run_id not in self._by_inverses:
            return await self._busy_retried(recording.end, run_id, settings, saves, time.time())
        self._by_inverses.discard(run_id)
        try:
            ops = await self.history.inverses(run_id)
        except Exception:
            await self._worker.call(recording.abandon, run_id)  # undo must not wait forever
            raise
        return await self._busy_retried(
            recording.record_builtin, run_id, ops, succeeded, saves, time.time()
        )

    async def _busy_retried(self, fn: Callable[..., T], *args: Any) -> T:
        """Recording a run waits out other servers' writes (the busy timeout) and then tries
        again: a run's record is never lost to a busy file (each of these calls can be repeated
        whole: it changes nothing in memory until its transaction committed)."""
        attempt = 1
        while True:
            try:
                return await self._worker.call(fn, *args)
            except apsw.BusyError:
                if attempt == BUSY_ATTEMPTS:
                    raise
                log.warning("undo.db busy past the timeout; trying again (%d)", attempt)
                attempt += 1

    async def _undo_atomic(self, run: RunUndo, result: RunResult) -> RunResult:
        undone = await self.undo(run.folder, run.run_id, None, False, run.settings, run.client)
        message = (
            f"atomic: a step failed, so the run's changes were undone ({undone.status.value}: "
            f"{len(undone.restored)} restored, {len(undone.conflicts)} conflicts)"
        )
        return attrs.evolve(
            result,
            undoable=undone.status is not UndoStatus.UNDONE and result.undoable,
            warnings=[*(result.warnings or []), IntentWarning(WarningKind.ATOMIC, message)],
        )

    def generation(self, root: Path) -> int | None:
        """See `Snapshots.generation`: called from the event loop, with no thread hop."""
        return self._core.snapshots.generation(root)

    # ---- undo, redo, checkpoints -----------------------------------------------------------

    async def undo(
        self,
        folder: Folder,
        run_id: str | None,
        paths: list[str] | None,
        force: bool,
        settings: UndoSettings,
        client: str | None,
    ) -> UndoResult:
        view = self._view()
        with _unchanged_if_full():
            prepared = await self._worker.call(
                self._core.preparing.prepare_undo, folder.path, run_id, paths, force, view, settings
            )
        return await self._commit(prepared, view, client)

    async def redo(
        self, folder: Folder, run_id: str | None, settings: UndoSettings, client: str | None
    ) -> UndoResult:
        view = self._view()
        with _unchanged_if_full():
            prepared = await self._worker.call(
                self._core.preparing.prepare_redo, folder.path, run_id, view, settings
            )
        return await self._commit(prepared, view, client)

    async def checkpoint(self, folder: Folder, name: str, settings: UndoSettings) -> str:
        return await self._worker.call(
            self._core.recording.checkpoint, folder.path, name, settings, time.time()
        )

    async def checkpoints(self, folder: Folder | None) -> list[CheckpointInfo]:
        """The folder's checkpoints (every folder's when None), newest first."""
        rows = await self._worker.call(
            self._core.queries.checkpoints, None if folder is None else folder.path
        )
        return [
            CheckpointInfo(cid, name, Folder.from_path(root).uri, iso(at), paths)
            for cid, name, root, at, paths in rows
        ]

    async def checkpoint_folder(self, checkpoint_id: str) -> Path:
        return await self._worker.call(self._core.queries.checkpoint_folder, checkpoint_id)

    async def rollback(
        self,
        checkpoint_id: str,
        paths: list[str] | None,
        force: bool,
        settings: UndoSettings,
        client: str | None,
    ) -> UndoResult:
        view = self._view()
        with _unchanged_if_full():
            prepared = await self._worker.call(
                self._core.preparing.prepare_rollback, checkpoint_id, paths, force, view, settings
            )
        return await self._commit(prepared, view, client)

    async def _commit(
        self, prepared: Prepared | UndoResult, view: EditorView, client: str | None
    ) -> UndoResult:
        if isinstance(prepared, UndoResult):
            return prepared
        p = prepared
        if p.status in (UndoStatus.NOTHING, UndoStatus.REFUSED):
            return UndoResult(p.run_id, p.status, sorted(p.restored), p.conflicts)
        if p.git:
            p = attrs.evolve(p, trusted=self.trusted(p.root))
        folder = Folder.from_path(p.root)
        # The undo's history row exists before any file changes: a crash leaves a record.
        with _unchanged_if_full():
            await self.history.record_started(
                RunStart(p.group_id, p.intent, folder.uri, str(p.root), client, p.started_at)
            )
        applied = await self._worker.call(self._core.commits.commit, p, frozenset(view.buffers))
        self._record(p, applied, folder)
        if applied.edits and self.editor is not None:
            try:
                await self.editor.apply(p.root, applied.edits)
            except Exception:
                log.exception("could not update the editor's buffers after an undo")
        return applied.result

    def _record(self, p: Prepared, applied: Applied, folder: Folder) -> None:
        warnings = [
            IntentWarning(WarningKind.CONFLICT, f"{c.path}: {c.reason}")
            for c in applied.result.conflicts
        ]
        self.history.record_finished(
            RunResult(
                run_id=p.group_id,
                intent=p.intent,
                folder=folder.uri,
                status=RunStatus.SUCCEEDED,
                duration_ms=round((time.time() - p.started_at) * 1000),
                steps=[],
                undoable=p.kind == "rollback" and bool(applied.changed),
                changed_files=applied.changed,
                warnings=warnings or None,
            ),
            [],
            {},
            time.time(),
        )
        if applied.result.status not in (UndoStatus.UNDONE, UndoStatus.PARTIAL):
            return
        if p.kind == "undo" and p.whole:
            self.history.set_undone(p.originals, True)
        elif p.kind == "redo":
            self.history.set_undone(p.originals, False)

    def report_recovered(self) -> None:
        """Record in the history how the undos a crash interrupted were finished."""
        for r in self.recovered:
            folder = Folder.from_path(r.root)
            left = "; ".join(f"{c.path}: {c.reason}" for c in r.left)
            message = (
                f"the server stopped in the middle of this {r.kind}; it was completed when "
                f"intentls started again ({len(r.changed)} paths)"
                + (f"; left as they were: {left}" if left else "")
            )
            self.history.record_finished(
                RunResult(
                    run_id=r.run_id,
                    intent=r.intent,
                    folder=folder.uri,
                    status=RunStatus.SUCCEEDED if not r.left else RunStatus.FAILED,
                    duration_ms=round((time.time() - r.started_at) * 1000),
                    steps=[],
                    changed_files=r.changed,
                    warnings=[IntentWarning(WarningKind.RECOVERED, message)],
                ),
                [],
                {},
                time.time(),
            )
            if r.kind == "undo":
                self.history.set_undone(r.originals, True)
            elif r.kind == "redo":
                self.history.set_undone(r.originals, False)
        self.recovered = []

    async def collect(self, policy: Policy, running: dict[str, float], now: float) -> Collected:
        """Retention and garbage collection of the undo store, on the undo thread: it never
        races a snapshot of this process (`running`: `History.running`)."""
        return await self._worker.call(self._core.collect, policy, running, now)

    # ---- queries ---------------------------------------------------------------------------

    async def action(self, folder: Folder, rel: str | None) -> UndoAction | None:
        return await self._worker.call(self._core.queries.action, folder.path, rel)

    async def blame(self, folder: Folder, rel: str) -> list[BlameEntry]:
        return await self._worker.call(self._core.queries.blame, folder.path, rel)
