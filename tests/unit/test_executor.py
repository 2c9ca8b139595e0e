"""Running plans with real `/bin/sh` steps: output, outcomes, dependencies, cancellation of
whole process groups, and the shared slot budget."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from intentls.execution.executor import Execution
from intentls.execution.output import PlainText, Tail
from intentls.execution.slots import Slots
from intentls.model import Plan, PlanStep, StepResult, StepStatus


class Recorder:
    """A StepObserver that keeps every event, in order, and lets a test wait for output."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.tails: dict[str, str] = {}
        self._changed = asyncio.Event()
        self.on_start: Any = None

    def step_started(self, step: PlanStep) -> None:
        self.events.append(("started", step.id))
        if self.on_start is not None:
            self.on_start(step)

    def step_output(self, step_id: str, stream: str, text: str) -> None:
        self.events.append(("output", step_id, stream, text))
        self._changed.set()

    def step_finished(self, result: StepResult, output_tail: str) -> None:
        self.events.append(("finished", result.id, result.status))
        self.tails[result.id] = output_tail

    def output(self, step_id: str, stream: str = "stdout") -> str:
        return "".join(
            e[3] for e in self.events if e[0] == "output" and e[1:3] == (step_id, stream)
        )

    async def wait_for_output(self, step_id: str, needle: str) -> str:
        while needle not in self.output(step_id):
            self._changed.clear()
            await self._changed.wait()
        return self.output(step_id)

    def index(self, kind: str, step_id: str) -> int:
        return next(i for i, e in enumerate(self.events) if e[0] == kind and e[1] == step_id)


@pytest.fixture
def make_step(tmp_path: Path) -> Any:
    def make(
        step_id: str,
        command: str,
        deps: tuple[str, ...] = (),
        *,
        timeout_s: float | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> PlanStep:
        return PlanStep(
            id=step_id,
            title=f"step {step_id}",
            tool="shell",
            args={"command": command},
            depends_on=list(deps),
            cwd=str(cwd or tmp_path),
            env=env or {},
            timeout_s=timeout_s,
        )

    return make


def execution(steps: list[PlanStep], slots: Slots | None = None) -> tuple[Execution, Recorder]:
    recorder = Recorder()
    return Execution(Plan("goal", "file:///x", steps), recorder, slots), recorder


def group_members(pgid: int) -> list[int]:
    """Pids of live (non-zombie) processes in group `pgid`."""
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != b"Z":
            members.append(int(name))
    return members


# ---- output and outcomes ------------------------------------------------------------------


async def test_output_keeps_the_order_written_across_streams(make_step: Any) -> None:
    """stdout and stderr share one pipe: lines arrive in the order the program wrote them."""
    script = "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo out$i; echo err$i >&2; done"
    ex, rec = execution([make_step("s1", script)])
    (result,) = await ex.run()
    assert result.status is StepStatus.SUCCEEDED
    assert rec.output("s1") == "".join(f"out{i}\nerr{i}\n" for i in range(1, 3001))
    assert rec.output("s1", "stderr") == ""
    assert rec.tails["s1"].endswith("out3000\nerr3000\n")
    assert rec.events[0] == ("started", "s1")
    assert rec.events[-1] == ("finished", "s1", StepStatus.SUCCEEDED)


async def test_colours_are_removed_even_split_across_reads(make_step: Any) -> None:
    """Escape sequences a tool forces on a pipe (`--color=always`) are terminal controls, not
    text: editors' output panes, the history and the failure classifier get the text alone."""
    command = (
        "printf '\\033[1;31merror\\033[0m: bad \\033['; sleep 0; printf '32mok\\033[m\\n';"
        " printf '\\033]8;;http://x\\007link\\033]8;;\\007 \\033[2Kdone\\n' >&2"
    )
    ex, rec = execution([make_step("s1", command)])
    await ex.run()
    assert rec.output("s1") == "error: bad ok\nlink done\n"
    assert "\x1b" not in rec.tails["s1"]


async def test_utf8_split_across_reads(make_step: Any) -> None:
    ex, rec = execution(
        [make_step("s1", "printf '\\303'; sleep 0; printf '\\251\\n'; printf '\\377\\n'")]
    )
    await ex.run()
    assert rec.output("s1") == "é\n\ufffd\n"


@pytest.mark.parametrize(
    ("command", "status", "exit_code", "category"),
    [
        ("true", StepStatus.SUCCEEDED, 0, None),
        ("exit 3", StepStatus.FAILED, 3, "unknown"),
        ("exit 1", StepStatus.FAILED, 1, "unknown"),
        ("no-such-command-intentls-xyz", StepStatus.FAILED, 127, "commandNotFound"),
        ("exit 126", StepStatus.FAILED, 126, "permission"),
        ("kill -TERM $$", StepStatus.FAILED, -15, "interrupted"),
        ("kill -KILL $$", StepStatus.FAILED, -9, "resource"),
    ],
)
async def test_outcomes(
    make_step: Any, command: str, status: StepStatus, exit_code: int, category: str | None
) -> None:
    ex, _ = execution([make_step("s1", command)])
    (result,) = await ex.run()
    assert result.status is status
    assert result.exit_code == exit_code
    assert result.attempts == 1
    assert (result.error.category if result.error else None) == category


async def test_error_message_is_the_last_output_line(make_step: Any) -> None:
    ex, _ = execution([make_step("s1", "echo first; echo 'it broke' >&2; echo; exit 4")])
    (result,) = await ex.run()
    assert result.error is not None
    assert result.error.message == "it broke"


async def test_timeout(make_step: Any) -> None:
    ex, rec = execution([make_step("s1", "echo begun; sleep 30", timeout_s=0.3)])
    (result,) = await ex.run()
    assert result.status is StepStatus.FAILED
    assert result.error is not None
    assert result.error.category == "timeout"
    assert "0.3" in result.error.message
    assert rec.output("s1") == "begun\n"


async def test_missing_cwd_is_a_file_not_found(make_step: Any, tmp_path: Path) -> None:
    ex, rec = execution([make_step("s1", "true", cwd=tmp_path / "missing")])
    (result,) = await ex.run()
    assert result.status is StepStatus.FAILED
    assert result.exit_code is None
    assert result.error is not None
    assert result.error.category == "fileNotFound"
    assert rec.events[-1] == ("finished", "s1", StepStatus.FAILED)


async def test_env_and_cwd(make_step: Any, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    step = make_step(
        "s1", 'echo "$GREETING"; pwd', cwd=tmp_path / "sub", env={"GREETING": "hi there"}
    )
    ex, rec = execution([step])
    await ex.run()
    assert rec.output("s1") == f"hi there\n{tmp_path / 'sub'}\n"


async def test_base_env_replaces_the_server_environment(make_step: Any) -> None:
    recorder = Recorder()
    step = make_step("s1", 'echo "[$ONLY_HERE][$HOME]"', env={"STEP": "1"})
    ex = Execution(Plan("g", "f", [step]), recorder, None, base_env={"ONLY_HERE": "yes"})
    await ex.run()
    assert recorder.output("s1") == "[yes][]\n"


async def test_stdin_is_empty(make_step: Any) -> None:
    ex, rec = execution([make_step("s1", "cat; echo end")])
    await ex.run()
    assert rec.output("s1") == "end\n"


# ---- dependencies -------------------------------------------------------------------------


async def test_failure_skips_dependents_not_independents(make_step: Any) -> None:
    ex, rec = execution(
        [
            make_step("s1", "exit 1"),
            make_step("s2", "echo dependent", ("s1",)),
            make_step("s3", "echo independent"),
            make_step("s4", "echo transitive", ("s2",)),
            make_step("s5", "echo after-independent", ("s3",)),
            make_step("s6", "echo join", ("s1", "s3")),
        ]
    )
    results = await ex.run()
    assert [(r.id, r.status) for r in results] == [
        ("s1", StepStatus.FAILED),
        ("s2", StepStatus.SKIPPED),
        ("s3", StepStatus.SUCCEEDED),
        ("s4", StepStatus.SKIPPED),
        ("s5", StepStatus.SUCCEEDED),
        ("s6", StepStatus.SKIPPED),
    ]
    started = {e[1] for e in rec.events if e[0] == "started"}
    assert started == {"s1", "s3", "s5"}
    assert ("finished", "s2", StepStatus.SKIPPED) in rec.events
    assert rec.output("s5") == "after-independent\n"


async def test_dependent_starts_after_its_dependency_finished(make_step: Any) -> None:
    ex, rec = execution([make_step("s2", "echo second", ("s1",)), make_step("s1", "echo first")])
    results = await ex.run()
    assert [r.id for r in results] == ["s2", "s1"]
    assert rec.index("finished", "s1") < rec.index("started", "s2")


async def test_slots_serialise_independent_steps(make_step: Any) -> None:
    slots = Slots(1)
    ex, rec = execution([make_step("a", "echo a"), make_step("b", "echo b")], slots)
    await ex.run()
    first, second = sorted(("a", "b"), key=lambda s: rec.index("started", s))
    assert rec.index("finished", first) < rec.index("started", second)
    assert slots.used == 0


async def test_slots_shared_by_two_runs(make_step: Any) -> None:
    slots = Slots(1)
    ex1, rec1 = execution([make_step("a", "echo a")], slots)
    ex2, rec2 = execution([make_step("b", "echo b")], slots)
    rec2.events = rec1.events  # one log for both runs
    await asyncio.gather(ex1.run(), ex2.run())
    first, second = sorted(("a", "b"), key=lambda s: rec1.index("started", s))
    assert rec1.index("finished", first) < rec1.index("started", second)
    assert slots.used == 0


async def test_slots_allow_parallel_steps(make_step: Any, tmp_path: Path) -> None:
    # Each step waits for the other's file: they can only both finish if they run at once.
    a = make_step("a", "touch a; while [ ! -e b ]; do sleep 0.01; done", timeout_s=20)
    b = make_step("b", "touch b; while [ ! -e a ]; do sleep 0.01; done", timeout_s=20)
    ex, _ = execution([a, b], Slots(2))
    results = await ex.run()
    assert [r.status for r in results] == [StepStatus.SUCCEEDED, StepStatus.SUCCEEDED]


# ---- cancellation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        pytest.param("echo ready $$; sleep 30", id="sleep"),
        pytest.param("echo ready $$; sleep 30 & sleep 30 & wait", id="background children"),
        pytest.param("trap '' TERM; echo ready $$; sleep 30", id="ignores SIGTERM"),
        pytest.param(
            "trap 'echo got TERM; exit 0' TERM; echo ready $$; while :; do sleep 0; done",
            id="traps SIGTERM and exits",
        ),
    ],
)
async def test_cancel_ends_the_whole_group(make_step: Any, command: str) -> None:
    ex, rec = execution([make_step("s1", command), make_step("s2", "echo never", ("s1",))])
    task = asyncio.create_task(ex.run())
    output = await rec.wait_for_output("s1", "ready ")
    pgid = int(output.split("ready ", 1)[1].split()[0])
    assert group_members(pgid)
    await ex.cancel()
    results = await task
    assert [r.status for r in results] == [StepStatus.CANCELLED, StepStatus.CANCELLED]
    assert ex.cancelled
    assert ex.running_ids() == []
    assert group_members(pgid) == []
    with pytest.raises(ProcessLookupError):
        os.kill(pgid, 0)
    assert "never" not in rec.output("s2")


async def test_cancel_before_start(make_step: Any) -> None:
    ex, rec = execution([make_step("s1", "echo hi")])
    await ex.cancel()
    (result,) = await ex.run()
    assert result.status is StepStatus.CANCELLED
    assert ("started", "s1") not in rec.events


async def test_cancel_while_waiting_for_a_slot(make_step: Any) -> None:
    slots = Slots(1)
    ex, rec = execution([make_step("a", "echo ready; sleep 30"), make_step("b", "echo b")], slots)
    task = asyncio.create_task(ex.run())
    await rec.wait_for_output("a", "ready")
    await ex.cancel()
    results = await task
    assert [r.status for r in results] == [StepStatus.CANCELLED, StepStatus.CANCELLED]
    assert ("started", "b") not in rec.events
    assert slots.used == 0


async def test_cancel_while_spawning(make_step: Any, tmp_path: Path) -> None:
    ex, rec = execution([make_step("s1", "sleep 1; touch finished")])
    pending: list[asyncio.Task[None]] = []
    rec.on_start = lambda _step: pending.append(asyncio.get_running_loop().create_task(ex.cancel()))
    (result,) = await ex.run()
    await asyncio.gather(*pending)
    assert result.status is StepStatus.CANCELLED
    assert not (tmp_path / "finished").exists()


# ---- Tail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "parts", "expected"),
    [
        (5, [], ""),
        (5, ["abc"], "abc"),
        (5, ["abc", "de"], "abcde"),
        (5, ["abc", "defg"], "cdefg"),
        (5, ["abcdefghij"], "fghij"),
        (5, ["a"] * 12, "aaaaa"),
        (5, ["12", "34", "56", "78"], "45678"),
        (3, ["xy", "", "z", "", "w"], "yzw"),
        (10, ["0123456789", "abc"], "3456789abc"),
    ],
)
def test_tail(limit: int, parts: list[str], expected: str) -> None:
    tail = Tail(limit)
    for part in parts:
        tail.add(part)
    assert tail.text() == expected


def test_tail_bounded_memory() -> None:
    tail = Tail(100)
    for n in range(10_000):
        tail.add(f"line {n}\n")
    assert tail.text() == "".join(f"line {n}\n" for n in range(10_000))[-100:]
    assert tail._size < 100 + len("line 9999\n") * 2


# ---- terminal control sequences -----------------------------------------------------------

_COLOURED = (
    "\x1b[1;31merror\x1b[0m: x\x1b]0;title\x07 \x1b(B\x1b[?25lok\x1b]8;;u\x1b\\l\x1b]8;;\x1b\\\n"
)


@pytest.mark.parametrize("cut", range(len(_COLOURED) + 1))
def test_plain_text_wherever_a_piece_ends(cut: int) -> None:
    plain = PlainText()
    text = plain.feed(_COLOURED[:cut]) + plain.feed(_COLOURED[cut:]) + plain.feed("", final=True)
    assert text == "error: x okl\n"


def test_plain_text_holds_back_only_what_may_still_end() -> None:
    plain = PlainText()
    assert plain.feed("a \x1b[") == "a "
    assert plain.feed("", final=True) == ""
    assert plain.feed("\x1b]" + "x" * 5000) == "x" * 5000
