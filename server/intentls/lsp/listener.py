"""Shows one run to the LSP client: `intentls/runStarted`, `intentls/output` (batched),
`$/progress` and `intentls/runFinished`."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from intentls.analytics.eta import TICK_S, Estimate
from intentls.execution.output_cap import ClientOutput
from intentls.model import PlanStep, RunResult, StepResult, outcome
from intentls.vocabulary import Notification
from intentls.wire import to_wire

if TYPE_CHECKING:
    from intentls.engine import ActiveRun
    from intentls.lsp.server import IntentServer

log = logging.getLogger(__name__)

FLUSH_S = 0.25
"""Output of a step reaches the client at most this often (plus once when the step ends)."""


class LspRunListener:
    def __init__(self, ls: IntentServer, token: lsp.ProgressToken | None) -> None:
        self._ls = ls
        self.token = token
        """The client's `workDoneToken`, or one we create in `prepare` if it can show progress."""
        self._own_token = False
        self.run: ActiveRun | None = None
        self.cancel_requested = False
        self._running: dict[str, str] = {}
        self._done = 0
        self._outputs: dict[str, ClientOutput] = {}
        """Each step's output on its way to the client: long lines cut, a bounded amount kept
        between sends (execution/output_cap.py)."""
        self._flush_handle: asyncio.TimerHandle | None = None
        self._estimate = Estimate()
        self.run_over = False
        self._percentage = 0
        self._tick: asyncio.TimerHandle | None = None

    async def prepare(self) -> None:
        if self.token is not None or not self._ls.client_shows_progress():
            return
        token = f"intentls-{uuid.uuid4().hex}"
        try:
            await self._ls.work_done_progress.create_async(token)
        except Exception:
            log.warning("client refused a progress token; running without progress")
            return
        self.token, self._own_token = token, True

    # ---- run events ------------------------------------------------------------------------

    def run_started(self, run: ActiveRun) -> None:
        self.run = run
        if self.token is not None and self._ls.services is not None:
            history = self._ls.services.history
            medians = history.step_medians(run.request.folder.uri, run.request.text)
            self._estimate.begin(run.plan.steps, medians, self._ticking)
        params: dict[str, object] = {
            "runId": run.run_id,
            "intent": run.request.text,
            "folder": run.request.folder.uri,
        }
        if self.token is not None:
            params["workDoneToken"] = self.token
        self._ls.protocol.notify(Notification.RUN_STARTED, params)
        if self.token is not None:
            self._ls.work_done_progress.begin(
                self.token,
                lsp.WorkDoneProgressBegin(
                    title=run.request.text, cancellable=True, percentage=0, message="starting"
                ),
            )
            future = self._ls.work_done_progress.tokens.get(self.token)
            if future is not None:
                future.add_done_callback(self._progress_cancelled)
        if self.cancel_requested:
            self._ls.spawn(run.cancel(), f"cancel {run.run_id}")

    def _progress_cancelled(self, future: object) -> None:
        if self.run is not None and getattr(future, "cancelled", lambda: False)():
            self._ls.spawn(self.run.cancel(), f"cancel {self.run.run_id} by progress")

    def step_started(self, step: PlanStep) -> None:
        self._running[step.id] = step.title
        self._estimate.started(step.id)
        self._report()

    def step_output(self, step_id: str, stream: str, text: str) -> None:
        self._outputs.setdefault(step_id, ClientOutput()).feed(stream, text)
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(FLUSH_S, self._flush_all)

    def step_finished(self, result: StepResult, output_tail: str) -> None:
        self._flush(result.id)
        self._outputs.pop(result.id, None)
        self._running.pop(result.id, None)
        self._estimate.finished(result.id)
        self._done += 1
        if self._running or self.run is None or self._done == len(self.run.plan.steps):
            self._report()  # otherwise the next step's start reports, naming it

    def run_finished(self, result: RunResult) -> None:
        self._flush_all()
        if self._tick is not None:
            self._tick.cancel()
        self.run_over = True
        if self.token is not None:
            self._ls.work_done_progress.end(
                self.token, lsp.WorkDoneProgressEnd(message=outcome(result))
            )
            self._ls.work_done_progress.tokens.pop(self.token, None)
        self._ls.protocol.notify(Notification.RUN_FINISHED, to_wire(result))
        self._ls.refresh_code_lenses()
        if self.run is not None and self._ls.after_run is not None:
            self._ls.after_run(self.run, result)

    # ---- helpers ---------------------------------------------------------------------------

    def _report(self) -> None:
        if self.token is None or self.run is None:
            return
        total = len(self.run.plan.steps) or 1
        message = ", ".join(self._running.values()) or "done"
        percentage = min(100, self._done * 100 // total)
        if (left := self._estimate.text()) is not None and self._done < total:
            message = f"{message} · {left}"  # and the share of the expected time (rising only)
            percentage = max(self._percentage, self._estimate.percentage() or 0)
        self._percentage = percentage
        self._ls.work_done_progress.report(
            self.token,
            lsp.WorkDoneProgressReport(message=message, percentage=percentage, cancellable=True),
        )

    def _ticking(self) -> None:
        """With an estimate, the time left is refreshed between step events too."""
        if self.run_over:
            return
        self._report()
        self._tick = asyncio.get_running_loop().call_later(TICK_S, self._ticking)

    def _flush_all(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        for step_id in list(self._outputs):
            self._flush(step_id)

    def _flush(self, step_id: str) -> None:
        output = self._outputs.get(step_id)
        if output is None or self.run is None:
            return
        for stream, text in output.take():
            self._ls.protocol.notify(
                Notification.OUTPUT,
                {"runId": self.run.run_id, "stepId": step_id, "stream": stream, "text": text},
            )
