"""Suggestions on constructed histories: each provider, ranking and learning, a failing
provider, the settings switch, and learning persisted in a real history file."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intentls.history.store import History, RunStart
from intentls.model import (
    Plan,
    PlanStep,
    RunResult,
    RunStatus,
    StepError,
    StepResult,
    StepStatus,
)
from intentls.suggestions import store
from intentls.suggestions.core import Candidate, Finished, Fix, Situation
from intentls.suggestions.providers import PROVIDERS
from intentls.suggestions.runs import finished
from intentls.suggestions.sequence import SequenceModel, Step
from intentls.suggestions.service import Suggestions

FOLDER = "file:///work/project"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def s(clock: Clock) -> Suggestions:
    return Suggestions(clock=clock)


def run(
    s: Suggestions,
    intent: str,
    ok: bool = True,
    changed: int = 0,
    generation: int | None = None,
    failed: tuple[str, ...] = (),
    category: str | None = None,
) -> None:
    s.run_finished(
        Finished(intent, FOLDER, ok, s.clock(), "", changed, failed, category, generation)
    )


def intents(s: Suggestions, file_type: str = "") -> list[str]:
    return [x.command.arguments[0]["intent"] for x in s.suggest(FOLDER, file_type)]


def by_kind(s: Suggestions, kind: str) -> list[Candidate]:
    return [c for _, c in s._candidates(s.situation(FOLDER)) if c.kind == kind]


def test_next_intent_learns_what_follows(s: Suggestions) -> None:
    for _ in range(6):
        run(s, "fmt")
        run(s, "test")
    run(s, "fmt")
    found = s.suggest(FOLDER)
    assert found[0].command.arguments[0] == {
        "intent": "test",
        "cwd": FOLDER,
        "suggestionId": found[0].id,
    }
    assert "after fmt" in found[0].reason
    assert len({x.id for x in found}) == len(found) <= 3


def test_the_sequence_model_uses_two_intents_of_context() -> None:
    model = SequenceModel()
    for _ in range(8):
        model.observe_all([Step("a"), Step("x"), Step("b"), Step("x"), Step("c")])
    model.observe_all([Step("a"), Step("x")])
    assert model.predict()[0].intent == "b"
    model.observe_all([Step("b"), Step("x")])
    assert model.predict()[0].intent == "c"


def test_the_sequence_model_uses_the_file_type_being_edited() -> None:
    model = SequenceModel()
    choose = random.Random(4)
    for _ in range(40):
        then = choose.choice([Step("test", file_type=".py"), Step("lint", file_type=".js")])
        model.observe_all([Step("save"), then])
    model.observe(Step("save"))
    assert model.predict(".py")[0].intent == "test"
    assert model.predict(".js")[0].intent == "lint"


def test_after_editing(s: Suggestions) -> None:
    for _ in range(3):
        s.saved(FOLDER, ".py")
        run(s, "test")
        run(s, "deploy")
    assert by_kind(s, "afterEdit") == []  # nothing saved since the last run
    s.saved(FOLDER, ".py")
    [found] = by_kind(s, "afterEdit")
    assert found.intent == "test"
    assert "*.py" in found.reason


def test_failure_follow_ups(s: Suggestions) -> None:
    fix = Fix("install", "installing fixed this before", 0.7)
    s.run_finished(
        Finished("lint and test", FOLDER, False, 0.0, "", 0, ("test",), "network", None, (fix,))
    )
    kinds = {c.kind: c for c in by_kind(s, "retry") + by_kind(s, "retryFailed")}
    assert kinds["retry"].intent == "lint and test"
    assert "network" in kinds["retry"].reason
    assert kinds["retryFailed"].intent == "test"
    assert by_kind(s, "fix")[0].intent == "install"
    run(s, "lint and test")
    assert by_kind(s, "retry") == []


def test_nothing_changed_then_stale(s: Suggestions) -> None:
    generation = {"now": 1}
    s.generation = lambda folder: generation["now"]
    for _ in range(3):
        run(s, "build", generation=1)
        run(s, "test", generation=1)
    assert s.note(FOLDER, "build") == "nothing changed since ✓ just now"
    assert by_kind(s, "stale") == []
    generation["now"] = 2  # a file changed
    s.clock.now += 300  # type: ignore[attr-defined]
    assert s.note(FOLDER, "build") == "stale: files changed since ✓ 5 min ago"
    assert [c.intent for c in by_kind(s, "stale")] == ["build"]
    assert s.note(FOLDER, "never-ran") is None


def test_unknown_changes_claim_nothing(s: Suggestions) -> None:
    run(s, "build", generation=None)
    assert s.note(FOLDER, "build") is None


def test_nothing_changed_sinks_a_suggestion(s: Suggestions) -> None:
    s.generation = lambda folder: 7
    for _ in range(4):
        run(s, "test", generation=7)
    [found] = [x for x in s.suggest(FOLDER) if x.command.arguments[0]["intent"] == "test"]
    assert found.reason.startswith("nothing changed since ✓")


def test_batch_glob(s: Suggestions) -> None:
    for name in ("a", "b", "c"):
        run(s, f"$ pytest tests/test_{name}.py -x")
    [found] = by_kind(s, "glob")
    assert found.intent == "$ pytest tests/*.py -x"


def test_batch_together(s: Suggestions) -> None:
    for _ in range(4):
        run(s, "lint")
        run(s, "typecheck")
    [found] = by_kind(s, "together")
    assert found.intent == "lint and typecheck"


def test_together_needs_the_first_to_change_nothing(s: Suggestions) -> None:
    for _ in range(4):
        run(s, "fmt", changed=2)
        run(s, "test")
    assert by_kind(s, "together") == []


def test_ordering(s: Suggestions) -> None:
    for _ in range(2):
        run(s, "lint")
        run(s, "format", changed=3)
    run(s, "lint")
    [found] = by_kind(s, "ordering")
    assert found.intent == "format then lint"


def test_a_failing_provider_is_skipped(
    s: Suggestions, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(situation: Situation) -> list[Candidate]:
        raise RuntimeError("boom")

    monkeypatch.setitem(PROVIDERS, "broken", broken)
    for _ in range(3):
        run(s, "fmt")
        run(s, "test")
    run(s, "fmt")
    assert intents(s)[0] == "test"
    assert "suggestion provider broken failed" in caplog.text


def fixed(kind: str, intent: str) -> object:
    return lambda situation: [Candidate(kind, intent, f"Run {intent}", "because", 0.5)]


def test_dismissed_sinks_below_taken(s: Suggestions, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "intentls.suggestions.service.PROVIDERS",
        {"ignored": fixed("a", "alpha"), "liked": fixed("b", "beta")},
    )
    for _ in range(10):
        shown = {x.command.arguments[0]["intent"]: x.id for x in s.suggest(FOLDER)}
        assert s.feedback(shown["alpha"], accepted=False)
    shown = {x.command.arguments[0]["intent"]: x.id for x in s.suggest(FOLDER)}
    assert s.taken(shown["beta"])
    assert intents(s) == ["beta", "alpha"]
    figures = s.acceptance()
    rates = {r.name: r for r in figures.by_provider}
    assert rates["ignored"].dismissed == 10 and rates["ignored"].taken == 0
    assert rates["liked"].taken == 1 and rates["liked"].rate == pytest.approx(1 / 12)
    assert figures.shown == 24


def test_a_new_provider_is_tried(s: Suggestions, monkeypatch: pytest.MonkeyPatch) -> None:
    def new(situation: Situation) -> list[Candidate]:
        """Proposes nothing until the first run: then it is new to learning."""
        if situation.last is None:
            return []
        return [Candidate("n", "novel", "Run novel", "because", 0.5)]

    providers = {"old": fixed("a", "alpha"), "new": new}
    monkeypatch.setattr("intentls.suggestions.service.PROVIDERS", providers)
    for _ in range(3):
        [shown] = s.suggest(FOLDER)
        s.feedback(shown.id, accepted=False)
    run(s, "x")
    assert intents(s) == ["novel", "alpha"]


def test_unknown_ids_count_nothing(s: Suggestions) -> None:
    assert not s.taken("nope")
    assert not s.feedback("nope", accepted=True)
    assert s.acceptance().shown == 0


def test_turned_off(s: Suggestions) -> None:
    s.enabled = lambda folder: False
    run(s, "fmt")
    run(s, "fmt")
    assert s.suggest(FOLDER) == []
    assert s.note(FOLDER, "fmt") is None


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    h = History(tmp_path / "history.db")
    yield h
    h.close()


async def test_learning_and_models_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    first = History(path)
    try:
        for i in range(5):
            for intent in ("fmt", "test"):
                run_id = f"{intent}{i}"
                first.record_started(RunStart(run_id, intent, FOLDER, "/", None, time.time()))
                result = RunResult(run_id, intent, FOLDER, RunStatus.SUCCEEDED, 5, [])
                first.record_finished(result, [], {}, time.time())
        s = Suggestions(first)
        s.run_finished(Finished("fmt", FOLDER, True, time.time()))
        [top, *_] = s.suggest(FOLDER)
        s.feedback(top.id, accepted=True)
        await first.read_with(lambda conn: None)  # every write before it has landed
    finally:
        first.close()
    second = History(path)
    try:
        warmed = Suggestions(second)
        warmed.run_finished(Finished("fmt", FOLDER, True, time.time()))  # live, before warm
        await warmed.warm()
        assert warmed.folder(FOLDER).known["test"] == 5
        assert warmed.folder(FOLDER).known["fmt"] == 6
        assert intents(warmed)[0] == "test"
        assert warmed.acceptance().taken == 1
        figures = await second.read_with(store.acceptance)
        assert (figures.taken, figures.rate) == (1, 1 / figures.shown)
    finally:
        second.close()


def test_a_finished_run_as_suggestions_see_it() -> None:
    plan = Plan(
        "lint and test",
        FOLDER,
        [
            PlanStep("s1", "lint", "shell", {"intent": "make:lint"}),
            PlanStep("s2", "test", "shell", {"intent": "make:test"}),
        ],
    )
    error = StepError("testFailure", "2 failed")
    steps = [
        StepResult("s1", "lint", StepStatus.SUCCEEDED),
        StepResult("s2", "test", StepStatus.FAILED, exit_code=1, error=error),
    ]
    result = RunResult("r1", "lint and test", FOLDER, RunStatus.FAILED, 10, steps, False, ["a"])
    fixes = [("$ pip install x", "it fixed «test» here before (2 time(s))", True)]
    seen = finished(result, plan, Path("/work/project/app.py"), 4, 5.0, fixes)
    assert (seen.succeeded, seen.file_type, seen.changed_files) == (False, ".py", 1)
    assert seen.failed_intents == ("make:test",) and seen.error_category == "testFailure"
    assert seen.generation == 4 and seen.fixes[0].intent == "$ pip install x"
    assert seen.fixes[0].confidence > 0.5


async def test_shown_suggestions_pending_at_close_are_kept(tmp_path: Path) -> None:
    """Shown suggestions are saved a second later in one batch; closing writes the batch at
    once (the history closes next: a batch due later failed against it)."""
    path = tmp_path / "history.db"
    first = History(path)
    s = Suggestions(first)
    run(s, "fmt")
    run(s, "test")
    run(s, "fmt")
    assert s.suggest(FOLDER), "something is shown"
    s.close()
    first.close()
    assert s._save() is None  # the batch's timer, when it fires: nothing left, no history
    second = History(path)
    try:
        assert (await second.read_with(store.acceptance)).shown >= 1
    finally:
        second.close()
