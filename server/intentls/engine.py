"""The domain's front door: intent text → plan → gate → execution → history.

It knows nothing of JSON-RPC: the LSP server and the CLI both drive it, each with a
`RunListener` that shows what happens in its own way.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import apsw
import attrs

from intentls import gate
from intentls.execution.executor import SHELL, Execution, StepObserver
from intentls.execution.output_log import OutputLog, output_root
from intentls.execution.resources import Resources
from intentls.execution.slots import Slots
from intentls.execution.uptodate import UP_TO_DATE, Fingerprints, UpToDate
from intentls.failures import flaky
from intentls.failures.aftermath import review
from intentls.failures.forecast import Forecasts, past_failure
from intentls.failures.recovery import RetryPolicy
from intentls.folders import Folder
from intentls.history.environment import fingerprint
from intentls.history.store import History, NotRecorded, RunStart, why_not_written
from intentls.model import (
    Command,
    IntentInfo,
    IntentWarning,
    Plan,
    PlanStep,
    RunResult,
    RunStatus,
    StepResult,
    StepStatus,
    WarningKind,
)
from intentls.planning.catalog import Catalog, FolderIntents
from intentls.planning.planner import AmbiguousIntent, Planner, PlanRequest
from intentls.planning.variables import EditorContext
from intentls.settings import RetrySettings
from intentls.suggestions.runs import finished
from intentls.suggestions.service import Suggestions
from intentls.tools.confine import Roots
from intentls.tools.runtime import HistoryInverseLog, ToolRuntime, trash_root
from intentls.trust import Trust, TrustPolicy
from intentls.vocabulary import CommandId

if TYPE_CHECKING:
    from intentls.undo.service import UndoService

log = logging.getLogger(__name__)


class RunListener(StepObserver, Protocol):
    async def prepare(self) -> None:
        """Get ready to show a run that is about to start (e.g. create a progress token)."""
        ...

    def run_started(self, run: ActiveRun) -> None: ...

    def run_finished(self, result: RunResult) -> None: ...


class NotRunning(ValueError):
    """`cancel` named no run that is still running."""


@attrs.frozen
class RunRequest:
    text: str
    folder: Folder
    cwd: Path
    params: dict[str, str] = attrs.Factory(dict)
    confirm: bool = False
    background: bool = False
    fail_fast: bool = False
    force: bool = False
    """Run steps that are up to date anyway."""
    client: str | None = None
    arguments: dict[str, Any] = attrs.Factory(dict)
    """The request as the client sent it, to build ready-to-run `actions` from."""
    roots: tuple[Path, ...] = ()
    """The workspace folders built-in tools are confined to; empty: the request's folder."""
    editor: EditorContext | None = None
    """The file, line and selection the request came from (editor variables)."""
    env: dict[str, str] | None = None
    """The environment steps start from (a terminal's, sent over the terminal link); None: this
    process's."""
    typed: bool = False
    """A person typed it in their own terminal (sent over the terminal link): trusted as
    `intentls run` is, whatever the editor said of the folder."""

    def plan_request(self) -> PlanRequest:
        return PlanRequest(
            self.text,
            self.folder.path,
            self.folder.uri,
            self.cwd,
            self.params,
            self.roots,
            self.editor,
        )


class ActiveRun:
    def __init__(
        self,
        run_id: str,
        request: RunRequest,
        plan: Plan,
        listener: RunListener,
        slots: Slots | None,
        tools: ToolRuntime | None = None,
        resources: Resources | None = None,
        up_to_date: UpToDate | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.run_id = run_id
        self.request = request
        self.plan = plan
        self.execution = Execution(
            plan,
            _TailRecorder(self, listener),
            slots,
            base_env=request.env,
            fail_fast=request.fail_fast,
            tools=tools,
            resources=resources,
            up_to_date=up_to_date,
            retry=retry,
        )
        self.started = time.monotonic()
        self.started_at = time.time()
        self.end_status: RunStatus | None = None
        """Set when something other than the steps ended the run (cancel, shutdown)."""
        self.output_log = OutputLog(None, run_id)
        """The run's full output in a file (the engine gives it one beside the history)."""
        self.announced = asyncio.Event()
        """Set once runStarted went out (after the start row was written)."""
        self.tails: dict[str, str] = {}
        self.fixes: list[tuple[str, str, bool]] = []
        """What the review proposed for a failure: (intent, reason, learned)."""
        self.task: asyncio.Task[RunResult] | None = None
        self.warnings: list[IntentWarning] = []
        """Gathered on the way (why the run is not undoable, ...), after the plan's."""

    def result(self, status: RunStatus, steps: list[StepResult]) -> RunResult:
        return RunResult(
            run_id=self.run_id,
            intent=self.request.text,
            folder=self.request.folder.uri,
            status=status,
            duration_ms=round((time.monotonic() - self.started) * 1000),
            steps=steps,
            changed_files=sorted(self.execution.changed_files),
            warnings=[*self.plan.warnings, *self.warnings] or None,
        )

    def snapshot(self) -> RunResult:
        """The run as it stands (for a background request's immediate answer)."""
        done, running = self.execution.results, self.execution.running_ids()
        steps = [
            done.get(s.id) or StepResult(s.id, s.title, StepStatus.RUNNING)
            for s in self.plan.steps
            if s.id in done or s.id in running
        ]
        return self.result(RunStatus.RUNNING, steps)

    async def cancel(self, status: RunStatus = RunStatus.CANCELLED) -> RunResult:
        assert self.task is not None
        if not self.task.done():
            self.end_status = self.end_status or status
            await self.execution.cancel()
        return await asyncio.shield(self.task)


class _TailRecorder:
    """Forwards step events and keeps each step's output tail for the history."""

    def __init__(self, run: ActiveRun, listener: RunListener) -> None:
        self._run = run
        self._listener = listener

    def step_started(self, step: PlanStep) -> None:
        self._listener.step_started(step)

    def step_output(self, step_id: str, stream: str, text: str) -> None:
        self._run.output_log.write(step_id, text)
        self._listener.step_output(step_id, stream, text)

    def step_finished(self, result: StepResult, output_tail: str) -> None:
        self._run.tails[result.id] = output_tail
        self._listener.step_finished(result, output_tail)


class Engine:
    def __init__(
        self,
        history: History,
        catalog: Catalog,
        trust: TrustPolicy,
        max_parallel: int,
        undo: UndoService | None = None,
        retry_settings: Callable[[Folder], RetrySettings] | None = None,
        suggestions: Suggestions | None = None,
    ) -> None:
        self.history = history
        self.catalog = catalog
        self.trust = trust
        self.slots = Slots(max_parallel)
        self.resources = Resources()
        """Named resources (intents.toml `resources`), exclusive across all runs."""
        self.active: dict[str, ActiveRun] = {}
        """Runs not yet finished, by id."""
        self.fingerprints = Fingerprints()
        """What up-to-date checks hashed, kept across runs (a stat cache)."""
        self.forecasts = Forecasts()
        """Each folder's failure prediction, resumed from the previous run's."""
        self._ahead: set[asyncio.Task[None]] = set()
        """Folds for the next run's prediction, made after a run ends (`_fold_ahead`)."""
        self.undo = undo
        """Records what runs change so they can be undone (None: no undo, e.g. `intentls
        list`); background runs are not recorded."""
        self.retry_settings = retry_settings or (lambda folder: RetrySettings())
        """How long a retried step waits (the `retry` settings of a folder; the editor's, else
        the defaults)."""
        self.suggestions = suggestions
        """Learns from each finished run and proposes the next step (None: no suggestions)."""

    # ---- catalog ---------------------------------------------------------------------------

    def intents(self, folder: Folder, typed: bool = False) -> FolderIntents:
        """`typed`: for a run a person typed in their terminal (trusted)."""
        return self.catalog.for_folder(folder.path, typed or self.trust.trusted(folder.path))

    def list_intents(self, folder: Folder) -> list[IntentInfo]:
        return self.intents(folder).infos(folder.uri)

    # ---- planning --------------------------------------------------------------------------

    def _planned(
        self, request: RunRequest, intents: FolderIntents | None = None
    ) -> tuple[Plan, gate.Hold | None]:
        """The plan, or an empty one and the hold when a person must pick what was meant.
        Raises `IntentError` for text that names nothing runnable."""
        try:
            intents = intents or self.intents(request.folder, request.typed)
            return Planner.plan(intents, request.plan_request()), None
        except AmbiguousIntent as exc:
            hold = gate.ambiguous(exc.segment, exc.candidates, exc.alternatives, request.arguments)
            return Plan(request.text, request.folder.uri, [], 0.0), hold

    async def plan(self, request: RunRequest) -> Plan:
        plan, hold = self._planned(request)
        if hold is not None:
            return attrs.evolve(plan, warnings=[hold.warning])
        return await self._with_prediction(plan, request.folder)

    async def _with_prediction(
        self, plan: Plan, folder: Folder, names: list[str] | None = None
    ) -> Plan:
        """`predictedSuccess` and a `pastFailure` warning from the folder's history
        (docs/failures.md). `names`: the folder's intents, when the caller has them at hand
        (each look-up stats every file an intent source reads, on the event loop)."""
        try:
            past = await self.history.recent_outcomes(folder.uri)
        except apsw.Error:
            log.exception("history lookup failed")
            return plan
        if not past:
            return plan
        names = self.intents(folder).names() if names is None else names
        saves = self._saves(folder)
        predicted, changed = await asyncio.to_thread(
            self.forecasts.forecast, folder.uri, past, plan.goal, time.time(), names, saves
        )
        warning = past_failure(plan.goal, predicted, changed)
        warnings = [*plan.warnings, warning] if warning else plan.warnings
        return attrs.evolve(plan, predicted_success=predicted.predicted_success, warnings=warnings)

    def _saves(self, folder: Folder) -> list[float]:
        """When the editor saved files of the folder (the folder changed then)."""
        editor = self.undo.editor if self.undo is not None else None
        if editor is None:
            return []
        inside = os.fspath(folder.path) + os.sep
        return [
            t
            for path, times in editor.view().saves.items()
            if path.startswith(inside)
            for t in times
        ]

    # ---- running ---------------------------------------------------------------------------

    async def dry_run(self, request: RunRequest) -> RunResult:
        """Nothing runs; the answer is `blocked` with what would run and the command to run it."""
        plan = await self.plan(request)
        titles = "; ".join(s.title for s in plan.steps) or "nothing"
        return RunResult(
            run_id="",
            intent=request.text,
            folder=request.folder.uri,
            status=RunStatus.BLOCKED,
            duration_ms=0,
            steps=[StepResult(s.id, s.title, StepStatus.SKIPPED) for s in plan.steps],
            warnings=[
                *plan.warnings,
                IntentWarning(
                    WarningKind.DRY_RUN, f"dry run, nothing was run; would run: {titles}"
                ),
            ],
            actions=[Command(f"Run «{request.text}»", CommandId.RUN, [request.arguments])],
        )

    async def run(
        self, request: RunRequest, listener: RunListener, ask: gate.Ask | None = None
    ) -> RunResult:
        """Plan, gate and run; a background run answers at once with status `running`."""
        started = await self.start(request, listener, ask)
        if isinstance(started, RunResult):
            return started
        assert started.task is not None
        if started.request.background:
            await started.announced.wait()  # runStarted goes out before the answer
            return started.snapshot()
        return await asyncio.shield(started.task)

    async def start(
        self, request: RunRequest, listener: RunListener, ask: gate.Ask | None
    ) -> ActiveRun | RunResult:
        intents = self.intents(request.folder, request.typed)
        plan, ambiguous = self._planned(request, intents)
        if ambiguous is not None:
            return await self._blocked(request, plan, ambiguous)
        held = await self._hold(request, plan, ask)
        if held is not None:
            plan = await self._with_prediction(plan, request.folder)
            return await self._blocked(request, plan, held)
        if plan.steps and all(s.args.get("background") is True for s in plan.steps):
            request = attrs.evolve(request, background=True)  # e.g. a tasks.json isBackground
        # What history predicts is looked up while the run already runs: it only adds warnings
        # to the result, and must not delay the start.
        # The same look-up as the prediction's, except for a typed run (read as trusted).
        names = None if request.typed else intents.names()
        prediction = asyncio.ensure_future(self._with_prediction(plan, request.folder, names))
        await listener.prepare()
        run_id = uuid.uuid4().hex[:12]
        # Its file is made, and old ones rotated out, off the event loop (a directory listing
        # and a stat per kept file).
        output_log = await asyncio.to_thread(OutputLog, output_root(self.history.path), run_id)
        await self._wait_for_instance(request)  # nothing awaited from here to registration
        slots = None if request.background else self.slots
        tools = self._tools(run_id, request)
        fresh = UpToDate(
            request.folder.path, self.history, self.fingerprints, run_id, request.force
        )
        retry = RetryPolicy.of(self.retry_settings(request.folder))
        run = ActiveRun(run_id, request, plan, listener, slots, tools, self.resources, fresh, retry)
        run.output_log = output_log
        self.active[run_id] = run
        written = self.history.record_started(self._run_start(run_id, request, run.started_at))
        self.history.record_context(run_id, env=self._env_fingerprint(plan, request.env))
        run.task = asyncio.get_running_loop().create_task(
            self._execute(run, listener, prediction, written)
        )
        return run

    async def _hold(
        self, request: RunRequest, plan: Plan, ask: gate.Ask | None
    ) -> gate.Hold | None:
        trust = Trust.TRUSTED if request.typed else self.trust.state(request.folder.path)
        hold: gate.Hold | None = gate.check_trust(plan, trust, request.confirm, request.arguments)
        if hold is not None and ask is not None and trust is Trust.UNKNOWN:
            answer = await ask(
                f"{request.folder.path} is not trusted. Run «{plan.goal}»?",
                [gate.RUN_ONCE, gate.TRUST_FOLDER, gate.DONT_RUN],
            )
            if answer == gate.TRUST_FOLDER:
                self.trust.set(True, request.folder.path)
            if answer in (gate.RUN_ONCE, gate.TRUST_FOLDER):
                hold = None
        if hold is not None:
            return hold
        hold = gate.check_risk(plan, request.confirm, request.arguments)
        if hold is not None and ask is not None:
            answer = await ask(
                f"{hold.warning.message}. Run «{plan.goal}»?", ["Run", gate.DONT_RUN]
            )
            if answer == "Run":
                hold = None
        return hold

    async def _wait_for_instance(self, request: RunRequest) -> None:
        """A second run of an intent still running in the same folder queues behind it (like
        VS Code's instanceLimit 1); background instances do not hold others back."""
        while True:
            ahead = [
                r.task
                for r in self.active.values()
                if r.request.text == request.text
                and r.request.folder.uri == request.folder.uri
                and not r.request.background
                and r.task is not None
            ]
            if not ahead:
                return
            await asyncio.wait(ahead)

    async def _blocked(self, request: RunRequest, plan: Plan, hold: gate.Hold) -> RunResult:
        run_id = uuid.uuid4().hex[:12]
        result = RunResult(
            run_id=run_id,
            intent=request.text,
            folder=request.folder.uri,
            status=RunStatus.BLOCKED,
            duration_ms=0,
            steps=[],
            warnings=[*plan.warnings, hold.warning],
            actions=hold.actions,
        )
        start = self._run_start(run_id, request, time.time())
        self.history.record_blocked(start, result)
        return result

    async def _execute(
        self,
        run: ActiveRun,
        listener: RunListener,
        prediction: asyncio.Future[Plan],
        written: asyncio.Future[None],
    ) -> RunResult:
        # Nothing is announced before it is recorded: the start row first, then runStarted.
        await _recorded(written, run.warnings, "start")
        listener.run_started(run)
        run.announced.set()
        undo = None
        if self.undo is not None and not run.request.background:
            builtin_only = all(s.tool != SHELL for s in run.plan.steps)
            request = run.request
            undo = await self.undo.before_run(
                run.run_id, request.text, request.folder, request.client, builtin_only, run.warnings
            )
        try:
            steps = await run.execution.run()
        except Exception:
            log.exception("run %s crashed", run.run_id)
            run.end_status = run.end_status or RunStatus.FAILED
            steps = [
                run.execution.results.get(s.id) or StepResult(s.id, s.title, StepStatus.CANCELLED)
                for s in run.plan.steps
            ]
        status = run.end_status or (
            RunStatus.SUCCEEDED if all(s.ok for s in steps) else RunStatus.FAILED
        )
        run.plan = await prediction
        run.output_log.close()
        result = _said_up_to_date(run.result(status, steps), run.request)
        if self.undo is not None and undo is not None:
            result = await self.undo.after_run(undo, result, _atomic(run.plan))
        problems: list[IntentWarning] = []
        await _recorded(
            self.history.record_finished(
                result, run.plan.steps, run.tails, time.time(), run.execution.failed_attempts
            ),
            problems,
            "end",
        )
        if problems:  # said, not recorded: the history could not keep it
            result = attrs.evolve(result, warnings=[*(result.warnings or []), *problems])
        result = await self._review(run, result)
        if self.suggestions is not None and status in _FINISHED:
            result = self._suggest_next(run, result)
        self.active.pop(run.run_id, None)
        listener.run_finished(result)
        ahead = asyncio.ensure_future(self._fold_ahead(run.request.folder))
        self._ahead.add(ahead)
        ahead.add_done_callback(self._ahead.discard)
        return result

    async def _fold_ahead(self, folder: Folder) -> None:
        """The folder's history folded for its next run's prediction now, after this run's
        answer: the next one then only predicts (a folder of 500 runs or more slides its
        window with every run, and a fold from the start costs milliseconds)."""
        try:
            past = await self.history.recent_outcomes(folder.uri)
        except apsw.Error:
            log.exception("history lookup failed")
            return
        saves = self._saves(folder)
        await asyncio.to_thread(self.forecasts.prepare, folder.uri, past, saves)

    async def _review(self, run: ActiveRun, result: RunResult) -> RunResult:
        """A pass right after a failure with nothing changed marks the intent flaky; a failure
        of a flaky intent is offered a re-run, and fixes — learned ones first — as warnings with
        ready actions, never run without the person (docs/failures.md)."""
        if result.status not in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return result
        folder = run.request.folder
        try:
            # A success needs only the flaky window; a failure's learned fixes look further.
            limit = 500 if result.status is RunStatus.FAILED else flaky.WINDOW * 3
            past = await self.history.recent_outcomes(folder.uri, limit)
        except apsw.Error:
            log.exception("history lookup failed")
            return result
        found = await asyncio.to_thread(
            review,
            past,
            result,
            run.plan.steps,
            run.tails,
            folder.path,
            self.intents(folder).names(),
        )
        warnings, actions = list(result.warnings or []), list(result.actions or [])
        if found.flaky is not None:
            warnings.append(IntentWarning(WarningKind.FLAKY, found.flaky))
            if result.status is RunStatus.FAILED:
                again = f"Run «{run.request.text}» again"
                actions.append(Command(again, CommandId.RUN, [run.request.arguments]))
        run.fixes = [(fix.intent, fix.reason, fix.learned) for fix in found.fixes]
        for fix in found.fixes:
            warnings.append(
                IntentWarning(WarningKind.PROPOSED_FIX, f"{fix.reason}: run «{fix.intent}»?")
            )
            place = {"intent": fix.intent, "cwd": str(run.request.cwd)}
            actions.append(Command(f"Run «{fix.intent}»", CommandId.RUN, [place]))
        return attrs.evolve(result, warnings=warnings or None, actions=actions or None)

    def _suggest_next(self, run: ActiveRun, result: RunResult) -> RunResult:
        """Feed the finished run to the suggestions (after the undo's scan read its own
        changes), and offer the likely next step with the result."""
        assert self.suggestions is not None
        folder = run.request.folder
        generation = self.undo.generation(folder.path) if self.undo is not None else None
        editor = run.request.editor
        edited = editor.file if editor is not None else None
        self.suggestions.run_finished(
            finished(result, run.plan, edited, generation, time.time(), run.fixes)
        )
        offered = self.suggestions.suggest(folder.uri, edited.suffix if edited else "", limit=1)
        return attrs.evolve(result, suggestions=offered or None)

    def _tools(self, run_id: str, request: RunRequest) -> ToolRuntime:
        history = self.history
        return ToolRuntime(
            folder=request.folder.path,
            roots=Roots.of(request.roots or (request.folder.path,)),
            trash=trash_root(history.path) / run_id,
            inverse_log=lambda step_id: HistoryInverseLog(history, run_id, step_id),
            trusted=request.typed or self.trust.trusted(request.folder.path),
        )

    def _env_fingerprint(self, plan: Plan, base: dict[str, str] | None) -> dict[str, str]:
        """The environment the steps get, as names and keyed hashes (never values)."""
        env = dict(os.environ if base is None else base)
        for step in plan.steps:
            env.update(step.env)
        return fingerprint(env, self.history.env_key)

    def _run_start(self, run_id: str, request: RunRequest, started_at: float) -> RunStart:
        return RunStart(
            run_id, request.text, request.folder.uri, str(request.cwd), request.client, started_at
        )

    # ---- cancellation and shutdown ---------------------------------------------------------

    def find_running(self, run_id: str | None, folder: Folder) -> ActiveRun:
        if run_id is not None:
            run = self.active.get(run_id)
            if run is None:
                raise NotRunning(f"run {run_id!r} is not running")
            return run
        mine = [r for r in self.active.values() if r.request.folder.uri == folder.uri]
        if not mine:
            raise NotRunning(f"no run is running in {folder.path}")
        return max(mine, key=lambda r: r.started)

    async def shutdown(self) -> None:
        """Every running process group terminated; those runs end `interrupted`."""
        runs = list(self.active.values())
        await asyncio.gather(*(r.cancel(RunStatus.INTERRUPTED) for r in runs))
        for ahead in list(self._ahead):
            ahead.cancel()
        await asyncio.gather(*self._ahead, return_exceptions=True)

    def kill_now(self) -> None:
        for run in self.active.values():
            run.execution.kill_now()
        for ahead in self._ahead:  # nothing more asked of a history about to close
            ahead.cancel()


def _said_up_to_date(result: RunResult, request: RunRequest) -> RunResult:
    """Steps skipped as up to date are named in a warning, with the run that forces them."""
    fresh = [s.title for s in result.steps if s.up_to_date]
    if not fresh:
        return result
    message = (
        f"up to date, not run (nothing they read changed since their last success; their "
        f"output is replayed): {', '.join(fresh)}"
    )
    force = Command(
        f"Run «{request.text}» anyway", CommandId.RUN, [{**request.arguments, "force": True}]
    )
    return attrs.evolve(
        result,
        warnings=[*(result.warnings or []), IntentWarning(UP_TO_DATE, message)],
        actions=[*(result.actions or []), force],
    )


_FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED)
"""Runs suggestions learn from: not one a person stopped, nor one the server's end cut short."""


def _atomic(plan: Plan) -> bool:
    return any(s.args.get("atomic") is True for s in plan.steps)


async def _recorded(
    written: asyncio.Future[None], warnings: list[IntentWarning], what: str
) -> None:
    """Wait until a history write is committed; when it failed, why goes to `warnings` (the
    run goes on: the person is told, the history keeps what it can)."""
    try:
        await written
    except NotRecorded as exc:
        warnings.append(IntentWarning(WarningKind.HISTORY, str(exc)))
    except Exception as exc:
        why = why_not_written(exc)[:200]
        warnings.append(
            IntentWarning(
                WarningKind.HISTORY, f"the history could not record this run's {what} ({why})"
            )
        )
