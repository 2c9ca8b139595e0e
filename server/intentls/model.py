"""The shapes of PROTOCOL.md as typed attrs classes.

Domain code builds and returns these; `intentls.wire` is the one place that turns them into
JSON-ready dicts (camelCase, absent optionals omitted) and back.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from intentls.vocabulary import WarningKind as WarningKind  # the protocol's names live there


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"
    INTERRUPTED = "interrupted"


class StepStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    RUNNING = "running"


@attrs.frozen
class IntentWarning:
    """A warning on a plan or a run (`Warning` on the wire). An undeclared kind is refused."""

    kind: WarningKind = attrs.field(converter=WarningKind)
    message: str


@attrs.frozen
class Command:
    """An LSP `Command`: what a client runs when the person picks an action."""

    title: str
    command: str
    arguments: list[dict[str, Any]] = attrs.Factory(list)


@attrs.frozen
class PlanStep:
    """One step of a plan. `env` and `cwd` stay server-side; only `args` goes on the wire."""

    id: str
    title: str
    tool: str
    args: dict[str, Any]
    depends_on: list[str] = attrs.Factory(list)
    risk: int = 0
    needs_trust: bool = attrs.field(default=True, metadata={"wire": False})
    cwd: str = attrs.field(default="", metadata={"wire": False})
    env: dict[str, str] = attrs.field(factory=dict, metadata={"wire": False})
    timeout_s: float | None = attrs.field(default=None, metadata={"wire": False})
    run_argv: list[str] | None = attrs.field(default=None, metadata={"wire": False})
    """The argument words as run when they differ from `args["argv"]` (which keeps
    `${env:…}` as typed: values of the environment are never shown or recorded)."""


@attrs.frozen
class Plan:
    goal: str
    folder: str
    steps: list[PlanStep]
    confidence: float = 1.0
    predicted_success: float | None = None
    warnings: list[IntentWarning] = attrs.Factory(list)
    levels: list[list[str]] = attrs.Factory(list)
    """Step ids by level: the steps of a level can run together (docs/protocol.md)."""
    critical_path: list[str] = attrs.Factory(list)
    """The longest chain of dependent steps: the least time the plan can take."""
    reading: list[list[str]] = attrs.Factory(list)
    """How the text was read: stages (joined by `then`) of intents (joined by `and`), each as
    typed — so a person sees where a `$ …` command ends (docs/protocol.md)."""


@attrs.frozen
class StepError:
    """Why a step failed (intentls.failures): a category of PROTOCOL.md v1.1 and the line that
    says so; `transient` failures may pass when tried again."""

    category: str
    message: str
    severity: str = "error"
    transient: bool = False


@attrs.frozen
class StepResult:
    id: str
    title: str
    status: StepStatus
    duration_ms: int = 0
    attempts: int = 0
    exit_code: int | None = None
    error: StepError | None = None
    up_to_date: bool | None = None
    """Skipped because nothing it reads changed since its last success (its output replayed)."""

    @property
    def ok(self) -> bool:
        """Succeeded, or up to date: what its dependents and the run's status count as done."""
        return self.status is StepStatus.SUCCEEDED or self.up_to_date is True


@attrs.frozen
class RunResult:
    run_id: str
    intent: str
    folder: str
    status: RunStatus
    duration_ms: int
    steps: list[StepResult]
    undoable: bool = False
    changed_files: list[str] = attrs.Factory(list)
    warnings: list[IntentWarning] | None = None
    actions: list[Command] | None = None
    suggestions: list[Suggestion] | None = None


@attrs.frozen
class Suggestion:
    """A proactive suggestion (docs/suggestions.md): its command carries its `suggestionId`."""

    id: str
    title: str
    reason: str
    confidence: float
    command: Command


@attrs.frozen
class IntentParam:
    name: str
    description: str | None = None
    default: str | None = None


@attrs.frozen
class IntentInfo:
    name: str
    title: str
    source: str
    folder: str
    description: str | None = None
    params: list[IntentParam] | None = None
    resolves_to: str | None = None
    """For a conventional name (`test`) no source defines: the `SOURCE:NAME` it runs."""


@attrs.frozen
class RunSummary:
    run_id: str
    intent: str
    folder: str
    status: RunStatus
    started_at: str
    duration_ms: int
    undoable: bool
    undone: bool


class UndoStatus(enum.StrEnum):
    UNDONE = "undone"
    PARTIAL = "partial"
    REFUSED = "refused"
    NOTHING = "nothing"


@attrs.frozen
class Conflict:
    path: str
    reason: str


@attrs.frozen
class CheckpointInfo:
    """`intentls.checkpoints` (docs/protocol.md): a checkpoint to roll back to."""

    checkpoint_id: str
    name: str
    folder: str
    """The folder's URI."""
    created_at: str
    """ISO 8601."""
    paths: int
    """How many paths it holds (files, links, directories)."""


@attrs.frozen
class UndoResult:
    run_id: str
    status: UndoStatus
    restored: list[str] = attrs.Factory(list)
    conflicts: list[Conflict] = attrs.Factory(list)
    undo_run_id: str | None = None


@attrs.frozen
class EnvChange:
    """An environment variable, by name only, that differs from the run compared with."""

    name: str
    change: str
    """"added", "removed" or "changed"."""


@attrs.frozen
class DurationComparison:
    this: int
    usual: int | None = None
    """The median of the intent's recent successes."""


@attrs.frozen
class Explanation:
    """`intentls.explain`: a failed run beside the last success of the same intent."""

    run_id: str
    intent: str
    status: RunStatus
    summary: str
    changed_files: list[str]
    env: list[EnvChange]
    new_errors: list[str]
    duration_ms: DurationComparison
    flaky: bool
    compared_with: str | None = None


def outcome(result: RunResult) -> str:
    """One line for the end of progress: what happened, and to which step."""
    seconds = f"{result.duration_ms / 1000:.1f} s"
    failed = [s for s in result.steps if s.status is StepStatus.FAILED]
    if result.status is RunStatus.FAILED and failed:
        step = failed[0]
        why = step.error.message if step.error else f"exit {step.exit_code}"
        return f"failed in {seconds}: {step.title}: {why}"
    return f"{result.status.value} in {seconds}"
