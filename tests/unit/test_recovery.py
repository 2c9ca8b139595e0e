"""Retries: the backoff policy, and real steps that fail for a passing reason (retried, each
attempt kept) or for a lasting one (a failing test: never retried)."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from intentls.execution.executor import Execution
from intentls.failures.recovery import NEVER, RetryPolicy
from intentls.history.store import History, RunStart
from intentls.model import Plan, PlanStep, RunResult, RunStatus, StepError, StepStatus
from intentls.settings import RetrySettings
from tests.unit.failure_history import FOLDER
from tests.unit.test_executor import Recorder

REFUSED = StepError("network", "Connection refused", transient=True)
FAST = RetryPolicy(base_delay_s=0.001, max_delay_s=0.002)

FLAKY_NETWORK = (
    "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; "
    'if [ "$n" -lt 3 ]; then '
    "echo 'curl: (7) Failed to connect to example.com port 443: Connection refused' >&2; "
    "exit 7; fi; echo fetched"
)


def test_backoff_doubles_with_jitter_up_to_the_most() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=3.0)
    rng = random.Random(7)
    delays = [[policy.delay(attempt, rng) for _ in range(200)] for attempt in (1, 2, 3, 4)]
    assert all(0.5 <= d <= 1.0 for d in delays[0])
    assert all(1.0 <= d <= 2.0 for d in delays[1])
    assert all(1.5 <= d <= 3.0 for d in delays[2] + delays[3])
    assert len({round(d, 6) for d in delays[0]}) > 100  # jittered, not one value


def test_only_transient_failures_are_retried_and_only_so_often() -> None:
    policy = RetryPolicy()
    assert policy.should_retry(REFUSED, 1) and policy.should_retry(REFUSED, 2)
    assert not policy.should_retry(REFUSED, 3)
    assert not policy.should_retry(StepError("network", "certificate", transient=False), 1)
    for category in NEVER:  # even when something marks them transient
        assert not policy.should_retry(StepError(category, "x", transient=True), 1)
    assert not policy.for_step(0).should_retry(REFUSED, 1)
    assert policy.for_step(5).should_retry(REFUSED, 5)
    assert policy.for_step("5") == policy  # not a count: the default stands


def test_settings_give_the_delays() -> None:
    policy = RetryPolicy.of(RetrySettings(base_delay_ms=20, max_delay_ms=100))
    assert (policy.base_delay_s, policy.max_delay_s) == (0.02, 0.1)


def _plan(tmp_path: Path, command: str, **args: object) -> Plan:
    step = PlanStep("s1", "fetch", "shell", {"command": command, **args}, cwd=str(tmp_path))
    return Plan("fetch", "file:///x", [step])


async def test_a_network_failure_twice_then_success_takes_three_attempts(tmp_path: Path) -> None:
    recorder = Recorder()
    execution = Execution(_plan(tmp_path, FLAKY_NETWORK), recorder, None, retry=FAST)
    (result,) = await execution.run()
    assert result.status is StepStatus.SUCCEEDED and result.attempts == 3
    assert [a.error.category for a in execution.failed_attempts["s1"] if a.error] == [
        "network",
        "network",
    ]
    assert [e for e in recorder.events if e[0] == "finished"] == [
        ("finished", "s1", StepStatus.SUCCEEDED)
    ]
    assert "trying again" in recorder.output("s1")


async def test_retries_from_the_intent_bound_the_attempts(tmp_path: Path) -> None:
    execution = Execution(_plan(tmp_path, FLAKY_NETWORK, retries=1), Recorder(), None, retry=FAST)
    (result,) = await execution.run()
    assert result.status is StepStatus.FAILED and result.attempts == 2
    assert result.error is not None and result.error.category == "network"


@pytest.mark.parametrize(
    "output",
    ["FAILED tests/test_a.py::test_one - assert 1 == 2\n1 failed in 0.01s"],
)
async def test_a_failing_test_is_not_retried(tmp_path: Path, output: str) -> None:
    command = f"echo run >> runs; printf '{output}'; exit 1"
    execution = Execution(_plan(tmp_path, command), Recorder(), None, retry=FAST)
    (result,) = await execution.run()
    assert result.status is StepStatus.FAILED and result.attempts == 1
    assert (tmp_path / "runs").read_text() == "run\n"
    assert not execution.failed_attempts


async def test_cancel_during_the_backoff_ends_the_step(tmp_path: Path) -> None:
    recorder = Recorder()
    slow = RetryPolicy(base_delay_s=30, max_delay_s=30)
    execution = Execution(_plan(tmp_path, FLAKY_NETWORK), recorder, None, retry=slow)
    running = asyncio.ensure_future(execution.run())
    await recorder.wait_for_output("s1", "trying again")
    await execution.cancel()
    (result,) = await running
    assert result.status is StepStatus.CANCELLED


async def test_retried_attempts_are_kept_and_counted(tmp_path: Path) -> None:
    history = History(tmp_path / "history.db")
    try:
        execution = Execution(_plan(tmp_path, FLAKY_NETWORK), Recorder(), None, retry=FAST)
        steps = await execution.run()
        start = RunStart("r1", "fetch", FOLDER, str(tmp_path), "test", 1000.0)
        await history.record_started(start)
        result = RunResult("r1", "fetch", FOLDER, RunStatus.SUCCEEDED, 10, steps)
        plan_steps = execution.plan.steps
        await history.record_finished(result, plan_steps, {}, 1001.0, execution.failed_attempts)
        counts = await history.retry_counts(FOLDER)
        assert (counts.retried, counts.recovered, counts.attempts) == (1, 1, 3)
        assert (await history.retry_counts(FOLDER, since=2000.0)).retried == 0
        (past,) = await history.outcomes(FOLDER)
        assert past.attempts == 3
    finally:
        history.close()
