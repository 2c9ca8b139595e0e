"""Runs the steps of a plan: each when its dependencies succeeded, within a shared slot budget,
skipping what depends on a failure, and cancellable as a whole."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import attrs

from intentls.execution.orphans import OWNER_ENV, owner_mark
from intentls.execution.output import Tail, pump
from intentls.execution.process import GroupProcess
from intentls.execution.readiness import ReadyWatch
from intentls.execution.resources import Resources
from intentls.execution.slots import Slots
from intentls.execution.uptodate import UpToDate
from intentls.failures.categories import Category
from intentls.failures.recovery import RetryPolicy, retry_notice
from intentls.model import Plan, PlanStep, StepError, StepResult, StepStatus
from intentls.planning.graph import remaining
from intentls.tools import registry
from intentls.tools.base import RunContext, ToolCancelled, ToolError
from intentls.tools.errors import IO
from intentls.tools.runtime import ToolRuntime

SHELL = "shell"


class StepObserver(Protocol):
    """Told what happens to each step, as it happens (LSP notifications, the CLI's display)."""

    def step_started(self, step: PlanStep) -> None: ...

    def step_output(self, step_id: str, stream: str, text: str) -> None: ...

    def step_finished(self, result: StepResult, output_tail: str) -> None: ...


class Execution:
    """One run of one plan."""

    def __init__(
        self,
        plan: Plan,
        observer: StepObserver,
        slots: Slots | None,
        base_env: Mapping[str, str] | None = None,
        fail_fast: bool = False,
        tools: ToolRuntime | None = None,
        resources: Resources | None = None,
        up_to_date: UpToDate | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.plan = plan
        self._retry = retry or RetryPolicy()
        """When a step that failed for a passing reason is tried again (intents may override)."""
        self._attempt: dict[str, int] = {}
        """The attempt each step is on (1-based)."""
        self.failed_attempts: dict[str, list[StepResult]] = {}
        """Attempts that failed and were tried again, per step, for the history."""
        self._up_to_date = up_to_date
        """Skips steps that opted in and are up to date; None: every step runs."""
        self._observer = observer
        self._slots = slots
        """The server-wide budget of concurrently running steps; None for background runs."""
        self._base_env = dict(os.environ if base_env is None else base_env)
        self._base_env[OWNER_ENV] = owner_mark()  # the next server ends what a crash leaves
        self._running: dict[str, GroupProcess] = {}
        self._cancelled = asyncio.Event()
        self.results: dict[str, StepResult] = {}
        self._fail_fast = fail_fast
        """A failed step cancels the steps running beside it and stops new ones starting."""
        self._priority = remaining(plan.steps)
        """Per step, the longest chain from it to the end: who gets a free slot first."""
        self._resources = resources or Resources()
        """Named locks shared by every run of the server."""
        self._tools = tools
        """How built-in (non-shell) steps run; None: they fail."""
        self.changed_files: set[str] = set()
        """Folder-relative paths the built-in steps changed."""
        self._on_ready: dict[str, Callable[[], None]] = {}
        self._stopping_background = False
        """Set when the foreground steps are done and background steps are being stopped."""

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def running_ids(self) -> list[str]:
        return list(self._running)

    async def run(self) -> list[StepResult]:
        done: dict[str, asyncio.Future[StepStatus]] = {
            s.id: asyncio.get_running_loop().create_future() for s in self.plan.steps
        }

        def settle(step_id: str, status: StepStatus) -> None:
            if not done[step_id].done():
                done[step_id].set_result(status)

        async def one(step: PlanStep) -> None:
            # A background step lets its dependents start once it is ready, not when it exits.
            self._on_ready[step.id] = lambda: settle(step.id, StepStatus.SUCCEEDED)
            try:
                result = await self._decide(step, [await done[d] for d in step.depends_on])
            except BaseException:
                settle(step.id, StepStatus.CANCELLED)
                raise
            self.results[step.id] = result
            settle(step.id, StepStatus.SUCCEEDED if result.ok else result.status)
            if self._fail_fast and result.status is StepStatus.FAILED:
                await self.cancel()

        background = [s for s in self.plan.steps if _is_background(s)]
        foreground = [s for s in self.plan.steps if not _is_background(s)]
        serving = [asyncio.ensure_future(one(s)) for s in background]
        await asyncio.gather(*(one(s) for s in foreground))
        if foreground:  # the work is done: what was only serving it stops now
            self._stopping_background = True
            await asyncio.gather(
                *(
                    p.terminate()
                    for i, p in list(self._running.items())
                    if i in {s.id for s in background}
                )
            )
        await asyncio.gather(*serving)
        return [self.results[s.id] for s in self.plan.steps]

    async def cancel(self) -> None:
        """Stop everything: no new step starts; running process groups are terminated."""
        self._cancelled.set()
        await asyncio.gather(*(p.terminate() for p in list(self._running.values())))

    def kill_now(self) -> None:
        self._cancelled.set()
        for proc in self._running.values():
            proc.kill_now()

    async def _decide(self, step: PlanStep, deps: list[StepStatus]) -> StepResult:
        """Run the step, or say why it does not run."""
        if self.cancelled:
            status = StepStatus.CANCELLED
        elif any(s is not StepStatus.SUCCEEDED for s in deps):
            status = StepStatus.SKIPPED
        else:
            return await self._run_slotted(step)
        result = StepResult(step.id, step.title, status)
        self._observer.step_finished(result, "")
        return result

    async def _run_slotted(self, step: PlanStep) -> StepResult:
        names = step.args.get("resources") or []
        async with self._resources.hold(names):
            if self._slots is None or _is_background(step):  # serving: holds no slot
                return await self._run_attempts(step)
            async with self._slots.slot(self._priority[step.id]):
                if self.cancelled:
                    return await self._decide(step, [])
                return await self._run_attempts(step)

    async def _run_attempts(self, step: PlanStep) -> StepResult:
        """Run the step; while it fails for a passing reason, wait (backoff with jitter) and
        run it again, up to its policy's retries. Only the last attempt is reported finished."""
        while True:
            result = await self._run_step(step)
            if not self._retrying(step, result):
                return result
            attempt = self._attempt.get(step.id, 1)
            assert result.error is not None
            policy = self._policy(step)
            delay = policy.delay(attempt)
            notice = retry_notice(result.error, attempt, policy.retries + 1, delay)
            self._observer.step_output(step.id, "stdout", notice)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._cancelled.wait(), delay)
            if self.cancelled:
                cancelled = attrs.evolve(result, status=StepStatus.CANCELLED)
                self._observer.step_finished(cancelled, "")
                return cancelled
            self._attempt[step.id] = attempt + 1

    def _policy(self, step: PlanStep) -> RetryPolicy:
        return self._retry.for_step(step.args.get("retries"))

    def _retrying(self, step: PlanStep, result: StepResult) -> bool:
        return (
            result.status is StepStatus.FAILED
            and not self.cancelled
            and not _is_background(step)
            and self._policy(step).should_retry(result.error, result.attempts)
        )

    async def _run_step(self, step: PlanStep) -> StepResult:
        if step.tool != SHELL:
            return await self._run_tool(step)
        env = {**self._base_env, **step.env}
        fresh = self._up_to_date
        check = await fresh.check(step, env) if fresh is not None else None
        if check is not None and check.fresh is not None:
            return self._replay(step, check.fresh.output)
        started = time.monotonic()
        self._observer.step_started(step)
        tail = Tail()
        watch = ReadyWatch(step.args.get("ready"), self._on_ready.get(step.id, _nothing))

        def sink(stream: str, text: str) -> None:
            tail.add(text)
            self._observer.step_output(step.id, stream, text)
            watch.output(text)

        try:
            proc = await GroupProcess.start(
                step.args["command"],
                step.cwd,
                env,
                step.run_argv if step.run_argv is not None else step.args.get("argv"),
            )
        except OSError as exc:
            error = StepError(
                Category.FILE_NOT_FOUND, f"cannot start in {step.cwd}: {exc.strerror or exc}"
            )
            return self._finish(step, started, tail, StepStatus.FAILED, None, error)
        self._running[step.id] = proc
        if _is_background(step):
            watch.started()
        if self.cancelled:  # cancelled while the process was being spawned
            await proc.terminate()
        try:
            exit_code, timed_out = await self._wait(proc, sink, step.timeout_s)
        finally:
            del self._running[step.id]
        if self._stopping_background and watch.ready:  # served its dependents, then stopped
            return self._finish(step, started, tail, StepStatus.SUCCEEDED, exit_code, None)
        if self.cancelled:
            return self._finish(step, started, tail, StepStatus.CANCELLED, exit_code, None)
        if exit_code == 0 and not timed_out:
            if fresh is not None and check is not None:
                await fresh.succeeded(check, step, env, tail.text())
            return self._finish(step, started, tail, StepStatus.SUCCEEDED, 0, None)
        from intentls.failures.classifier import Evidence, classify  # only a failure needs it

        evidence = Evidence(
            step.args["command"], tail.text(), exit_code, step.timeout_s if timed_out else None
        )
        error = classify(evidence)
        return self._finish(step, started, tail, StepStatus.FAILED, exit_code, error)

    def _replay(self, step: PlanStep, output: str) -> StepResult:
        """An up-to-date step: not run; the output of the success it matches is shown again."""
        self._observer.step_started(step)
        if output:
            self._observer.step_output(step.id, "stdout", output)
        result = StepResult(step.id, step.title, StepStatus.SKIPPED, exit_code=0, up_to_date=True)
        self._observer.step_finished(result, output)
        return result

    async def _run_tool(self, step: PlanStep) -> StepResult:
        """A built-in tool, in a worker thread; its lines reach the observer in order."""
        started = time.monotonic()
        self._observer.step_started(step)
        tail = Tail()
        loop = asyncio.get_running_loop()

        def sink(stream: str, text: str) -> None:
            tail.add(text)
            self._observer.step_output(step.id, stream, text)

        def emit(line: str) -> None:
            loop.call_soon_threadsafe(sink, "stdout", line + "\n")

        runtime = self._tools
        if runtime is None:
            missing = StepError(Category.USAGE, f"built-in tool {step.tool} cannot run here")
            return self._finish(step, started, tail, StepStatus.FAILED, None, missing)
        ctx = RunContext(
            folder=runtime.folder,
            cwd=Path(step.cwd) if step.cwd else runtime.folder,
            roots=runtime.roots,
            inverse_log=runtime.inverse_log(step.id),
            trash=runtime.trash / step.id,
            emit=emit,
            cancelled=self._cancelled.is_set,
            trusted=runtime.trusted,
        )
        status: StepStatus = StepStatus.SUCCEEDED
        error: StepError | None = None
        try:
            await asyncio.to_thread(registry.run, step.tool, step.args, ctx)
        except ToolCancelled:
            status = StepStatus.CANCELLED
        except ToolError as exc:
            status, error = StepStatus.FAILED, _tool_error(exc.category, exc.message)
        except OSError as exc:
            status, error = StepStatus.FAILED, _tool_error(IO, f"{exc.strerror or exc}")
        finally:
            self.changed_files |= ctx.changed
        if error is not None:
            sink("stderr", error.message + "\n")
        return self._finish(step, started, tail, status, None, error)

    async def _wait(
        self, proc: GroupProcess, sink: Pump, timeout_s: float | None
    ) -> tuple[int, bool]:
        readers = asyncio.ensure_future(pump(proc.stdout, "stdout", sink))  # stderr shares it
        timed_out = False
        try:
            await asyncio.wait_for(proc.wait(), timeout_s)
        except TimeoutError:
            timed_out = True
            await proc.terminate()
        # The shell is gone; members of its group that outlived it would hold the pipes open
        # forever: give them a moment to finish writing, then end them too.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(readers), 0.5)
        if not readers.done():
            await proc.terminate()
        await readers
        return await proc.wait(), timed_out

    def _finish(
        self,
        step: PlanStep,
        started: float,
        tail: Tail,
        status: StepStatus,
        exit_code: int | None,
        error: StepError | None,
    ) -> StepResult:
        result = StepResult(
            id=step.id,
            title=step.title,
            status=status,
            duration_ms=round((time.monotonic() - started) * 1000),
            attempts=self._attempt.get(step.id, 1),
            exit_code=exit_code,
            error=error,
        )
        if self._retrying(step, result):  # not finished: it is tried again
            self.failed_attempts.setdefault(step.id, []).append(result)
        else:
            self._observer.step_finished(result, tail.text())
        return result


class Pump(Protocol):
    def __call__(self, stream: str, text: str, /) -> None: ...


def _is_background(step: PlanStep) -> bool:
    return step.args.get("background") is True


def _nothing() -> None:
    pass


def _tool_error(category: str, message: str) -> StepError:
    """A built-in tool's failure, in the classifier's terms (loaded only when one fails)."""
    from intentls.failures.classifier import from_tool_error

    return from_tool_error(category, message)
