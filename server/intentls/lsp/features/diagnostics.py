"""Diagnostics of failed runs as the client sees them: published on the files a failed run's
output names (cleared when the intent succeeds) and `quickfix` code actions on them (one of
which, "Show the run's output", is `intentls.runOutput`: lsp/features/output.py). Convert and
delegate: the book and the fixes are `intentls.failures`'."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from intentls.failures.book import DiagnosticsBook, FailedStep, QuickFix
from intentls.failures.diagnostics import Diagnostic
from intentls.failures.quickfix import quick_fixes
from intentls.lsp.feature import Feature
from intentls.model import RunResult, RunStatus, StepStatus
from intentls.vocabulary import ActionKind

if TYPE_CHECKING:
    from intentls.engine import ActiveRun
    from intentls.lsp.server import IntentServer

SOURCE = "intentls"
OWNER = "runs"
"""This feature's part of each document's diagnostics (lsp/published.py)."""
_SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "info": lsp.DiagnosticSeverity.Information,
    "hint": lsp.DiagnosticSeverity.Hint,
}


class DiagnosticsFeature(Feature):
    code_action_kinds = (ActionKind.QUICKFIX,)

    def __init__(self, ls: IntentServer) -> None:
        super().__init__(ls)
        self.book = DiagnosticsBook()
        """Each intent's last failed run and the diagnostics its output gave."""

    async def run_finished(self, run: ActiveRun, result: RunResult) -> None:
        """Hand the run to the book; publish every file whose diagnostics changed."""
        if result.status not in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return  # a cancelled or blocked run says nothing about the code
        folder = run.request.folder.path
        steps = {s.id: s for s in run.plan.steps}
        failed = [
            FailedStep(
                step_id=r.id,
                title=r.title,
                command=str(steps[r.id].args.get("command", "")),
                cwd=Path(steps[r.id].cwd or folder),
                output=run.tails.get(r.id, ""),
                error=r.error,
                matchers=steps[r.id].args.get("matchers"),
            )
            for r in result.steps
            if r.status is StepStatus.FAILED and r.id in steps and steps[r.id].tool == "shell"
        ]
        proposed = [
            QuickFix(a.title, a.command, a.arguments[0])
            for a in result.actions or []
            if a.arguments
        ]
        changed = await self.book.run_finished(
            folder,
            result.run_id,
            result.intent,
            result.status is RunStatus.SUCCEEDED,
            failed,
            len(run.plan.steps),
            proposed,
        )
        for path in changed:
            self.publish(path)

    def publish(self, path: Path) -> None:
        uri = path.as_uri()
        found: dict[tuple[object, ...], lsp.Diagnostic] = {}
        for failure, d in self.book.at(path):  # two intents failing alike show one diagnostic
            key = (d.line, d.character, d.end_line, d.end_character, d.message, d.code)
            found[key] = _diagnostic(uri, failure.run_id, d)
        self.ls.diagnostics.set(uri, OWNER, list(found.values()))

    async def code_actions(
        self, params: lsp.CodeActionParams, wanted: Callable[[str], bool]
    ) -> list[lsp.CodeAction]:
        """For each of our diagnostics the request's lines touch: its run's fixes, best first."""
        document = self.ls.document_folder(params.text_document.uri)
        if document is None or not wanted(ActionKind.QUICKFIX):
            return []
        path, lines = document[1], params.range
        actions: dict[str, lsp.CodeAction] = {}  # one per command: several diagnostics, one fix
        for failure, d in self.book.at(path):
            if not (d.line <= lines.end.line and lines.start.line <= d.end_line):
                continue
            diagnostic = _diagnostic(path.as_uri(), failure.run_id, d)
            for i, fix in enumerate(quick_fixes(failure, d.step_id)):
                command = lsp.Command(fix.title, fix.command, arguments=[fix.arguments])
                actions.setdefault(
                    f"{fix.command} {fix.arguments}",
                    lsp.CodeAction(
                        title=fix.title,
                        kind=ActionKind.QUICKFIX,
                        diagnostics=[diagnostic],
                        is_preferred=i == 0 or None,
                        command=command,
                    ),
                )
        return list(actions.values())


def _diagnostic(uri: str, run_id: str, d: Diagnostic) -> lsp.Diagnostic:
    where = lsp.Range(lsp.Position(d.line, d.character), lsp.Position(d.end_line, d.end_character))
    related = [lsp.DiagnosticRelatedInformation(lsp.Location(uri, where), t) for t in d.related]
    return lsp.Diagnostic(
        range=where,
        message=d.message,
        severity=_SEVERITY.get(d.severity, lsp.DiagnosticSeverity.Error),
        code=d.code or d.source,
        source=SOURCE,
        related_information=related or None,
        data={"runId": run_id, "stepId": d.step_id, "tool": d.source},
    )
