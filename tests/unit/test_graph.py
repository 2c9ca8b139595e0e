"""The plan graph: levels, critical path, cycles; and a hypothesis test of the executor over
random DAGs with random failures against a concurrency limit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intentls.execution.executor import Execution
from intentls.execution.slots import Slots
from intentls.model import Plan, PlanStep, StepResult, StepStatus
from intentls.planning.graph import CycleError, critical_path, levels, remaining, topological


def _step(
    i: str, deps: list[str], command: str = "true", cwd: str = "/", resources: tuple[str, ...] = ()
) -> PlanStep:
    args = {"command": command, "resources": list(resources)}
    return PlanStep(i, i, "shell", args, depends_on=deps, cwd=cwd)


def test_levels_group_independent_steps() -> None:
    steps = [_step("a", []), _step("b", []), _step("c", ["a"]), _step("d", ["c", "b"])]
    assert levels(steps) == [["a", "b"], ["c"], ["d"]]
    assert critical_path(steps) == ["a", "c", "d"]
    assert remaining(steps) == {"a": 3, "b": 2, "c": 2, "d": 1}


def test_a_cycle_is_refused_and_named() -> None:
    steps = [_step("a", ["c"]), _step("b", ["a"]), _step("c", ["b"])]
    with pytest.raises(CycleError, match="a → c → b → a"):
        topological(steps)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.running = 0
        self.peak = 0
        self.holding: dict[str, set[str]] = {}

    def step_started(self, step: PlanStep) -> None:
        self.events.append(("start", step.id))
        self.running += 1
        self.peak = max(self.peak, self.running)
        mine = set(step.args.get("resources", []))
        for other in self.holding.values():
            assert not mine & other, "a resource is held twice"
        self.holding[step.id] = mine

    def step_output(self, step_id: str, stream: str, text: str) -> None:
        pass

    def step_finished(self, result: StepResult, output_tail: str) -> None:
        if result.status in (StepStatus.SUCCEEDED, StepStatus.FAILED):
            self.running -= 1
        self.holding.pop(result.id, None)
        self.events.append(("end", result.id))


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[PlanStep], int]:
    n = draw(st.integers(1, 9))
    steps = []
    for i in range(n):
        deps = draw(st.lists(st.integers(0, i - 1), unique=True, max_size=3)) if i else []
        fails = draw(st.booleans())
        held = draw(st.lists(st.sampled_from(["db", "cache"]), unique=True, max_size=2))
        command = "exit 1" if fails else "true"
        steps.append(_step(f"s{i}", [f"s{d}" for d in deps], command, resources=tuple(held)))
    return steps, draw(st.integers(1, 3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags())
def test_random_dags_respect_dependencies_and_the_limit(case: tuple[list[PlanStep], int]) -> None:
    steps, limit = case
    recorder = Recorder()
    execution = Execution(Plan("g", "f", steps), recorder, Slots(limit))
    results = {r.id: r for r in asyncio.run(execution.run())}
    assert set(results) == {s.id for s in steps}, "every step ends exactly once"
    assert recorder.peak <= limit
    started = [i for kind, i in recorder.events if kind == "start"]
    assert len(started) == len(set(started))
    for step in steps:
        ok = all(results[d].status is StepStatus.SUCCEEDED for d in step.depends_on)
        if ok:
            assert results[step.id].status in (StepStatus.SUCCEEDED, StepStatus.FAILED)
            ended = [i for kind, i in recorder.events[: recorder.events.index(("start", step.id))]]
            assert set(step.depends_on) <= set(ended), "no step starts before its dependencies"
        else:
            assert results[step.id].status is StepStatus.SKIPPED


def test_fail_fast_cancels_running_siblings(tmp_path: Path) -> None:
    steps = [
        _step("slow", [], "sleep 30", str(tmp_path)),
        _step("bad", [], "exit 2", str(tmp_path)),
        _step("after", ["slow"], "true", str(tmp_path)),
    ]
    execution = Execution(Plan("g", "f", steps), Recorder(), Slots(4), fail_fast=True)
    results = {r.id: r.status for r in asyncio.run(execution.run())}
    assert results == {
        "slow": StepStatus.CANCELLED,
        "bad": StepStatus.FAILED,
        "after": StepStatus.CANCELLED,
    }


def _tool(i: str, reads: list[str], writes: list[str], deps: list[str] | None = None) -> PlanStep:
    args = {"reads": reads, "writes": writes}
    return PlanStep(i, i, "file.write", args, depends_on=deps or [], needs_trust=False)


@pytest.mark.parametrize(
    ("a", "b", "ordered"),
    [
        (([], ["x.txt"]), ([], ["x.txt"]), True),  # write / write
        (([], ["build"]), (["build/app.js"], []), True),  # write a dir / read inside it
        ((["x.txt"], []), ([], ["x.txt"]), True),  # read / write
        ((["x.txt"], []), (["x.txt"], []), False),  # read / read
        (([], ["a.txt"]), ([], ["b.txt"]), False),
    ],
)
def test_steps_touching_the_same_paths_are_ordered(
    a: tuple[list[str], list[str]], b: tuple[list[str], list[str]], ordered: bool
) -> None:
    from intentls.planning.graph import order_by_paths

    steps, reasons = order_by_paths([_tool("s1", *a), _tool("s2", *b)])
    assert (steps[1].depends_on == ["s1"]) is ordered
    assert bool(reasons) is ordered


def test_existing_order_is_not_doubled() -> None:
    from intentls.planning.graph import order_by_paths

    steps, reasons = order_by_paths(
        [_tool("s1", [], ["x"]), _tool("s2", [], [], ["s1"]), _tool("s3", [], ["x"], ["s2"])]
    )
    assert steps[2].depends_on == ["s2"] and reasons == []


def test_a_dependent_of_a_background_step_starts_when_it_is_ready(tmp_path: Path) -> None:
    server = PlanStep(
        "serve",
        "serve",
        "shell",
        {
            "command": "echo booting; echo 'listening on 8080'; sleep 60",
            "background": True,
            "ready": r"listening on \d+",
        },
        cwd=str(tmp_path),
    )
    client = _step("client", ["serve"], "true", str(tmp_path))
    recorder = Recorder()
    execution = Execution(Plan("g", "f", [server, client]), recorder, Slots(1))
    results = {r.id: r.status for r in asyncio.run(execution.run())}
    assert results == {"serve": StepStatus.SUCCEEDED, "client": StepStatus.SUCCEEDED}
    assert recorder.events.index(("start", "client")) < recorder.events.index(("end", "serve"))


def test_a_background_step_that_dies_before_ready_skips_its_dependents(tmp_path: Path) -> None:
    server = PlanStep(
        "serve",
        "serve",
        "shell",
        {"command": "exit 3", "background": True, "ready": "never"},
        cwd=str(tmp_path),
    )
    client = _step("client", ["serve"], "true", str(tmp_path))
    results = {
        r.id: r.status
        for r in asyncio.run(
            Execution(Plan("g", "f", [server, client]), Recorder(), Slots(1)).run()
        )
    }
    assert results == {"serve": StepStatus.FAILED, "client": StepStatus.SKIPPED}
