"""Parallel execution over the wire: independent steps at once, dependents in order, failures
cost only what depends on them, a second run of a running intent queues."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.processes import gone
from tests.e2e.session import session

# Each step waits (bounded) until all four have started: it can only succeed if they overlap.
RENDEZVOUS = (
    "$ touch {d}/{i}.start; for k in $(seq 200); do "
    '[ "$(ls {d} | grep -c start)" -ge 4 ] && exit 0; sleep 0.05; done; exit 1'
)


async def test_and_steps_run_at_once(home: Path, folder: Path, tmp_path: Path) -> None:
    meet = tmp_path / "meet"
    meet.mkdir()
    text = " and ".join(RENDEZVOUS.format(d=meet, i=i) for i in range(4))
    async with session(home, [folder], init={"trusted": True, "maxParallel": 4}) as ses:
        plan = await ses.command("intentls.plan", {"intent": text})
        assert plan["levels"] == [["s1", "s2", "s3", "s4"]]
        result = await ses.run(text)
        assert [s["status"] for s in result["steps"]] == ["succeeded"] * 4


async def test_a_failure_skips_dependents_not_independents(home: Path, folder: Path) -> None:
    (folder / "intents.toml").write_text(
        """
[intents.broken]
run = "exit 1"
[intents.after-broken]
run = "echo never"
needs = ["broken"]
[intents.independent]
run = "echo fine"
""",
        encoding="utf-8",
    )
    async with session(home, [folder]) as ses:
        plan = await ses.command("intentls.plan", {"intent": "after-broken and independent"})
        assert plan["criticalPath"] == ["s1", "s2"]
        result = await ses.run("after-broken and independent")
        assert {s["title"]: s["status"] for s in result["steps"]} == {
            "broken": "failed",
            "after-broken": "skipped",
            "independent": "succeeded",
        }
        assert result["status"] == "failed"


async def test_cancelling_a_parallel_run_leaves_no_process(home: Path, folder: Path) -> None:
    one = "$ sleep 60 & echo pid=$!; wait"
    async with session(home, [folder], init={"trusted": True, "maxParallel": 3}) as ses:
        running = asyncio.ensure_future(ses.run(f"{one} and {one} and {one}"))
        started = await ses.wait_note("intentls/runStarted")
        run_id = started["runId"]
        while ses.output_of(run_id).count("pid=") < 3:
            await ses.wait_note("intentls/output", runId=run_id)
        pids = [int(line[4:]) for line in ses.output_of(run_id).splitlines()]
        cancelled = await ses.command("intentls.cancel", {"runId": run_id})
        assert [s["status"] for s in cancelled["steps"]] == ["cancelled"] * 3
        assert all(gone(pid) for pid in pids)
        assert (await running)["status"] == "cancelled"


async def test_fail_fast_cancels_the_siblings(home: Path, folder: Path) -> None:
    async with session(home, [folder], init={"trusted": True, "maxParallel": 2}) as ses:
        result = await ses.run("$ sleep 30 and $ exit 4", failFast=True)
        assert [s["status"] for s in result["steps"]] == ["cancelled", "failed"]
        assert result["status"] == "failed"


async def test_a_second_run_of_a_running_intent_queues(home: Path, folder: Path) -> None:
    log = folder / "log"
    (folder / "intents.toml").write_text(
        f'[intents.mark]\nrun = "echo start >> {log}; sleep 0.3; echo end >> {log}"\n',
        encoding="utf-8",
    )
    async with session(home, [folder]) as ses:
        first, second = await asyncio.gather(ses.run("mark"), ses.run("mark"))
        assert first["status"] == second["status"] == "succeeded"
        assert log.read_text().split() == ["start", "end", "start", "end"]


async def test_steps_holding_one_resource_never_overlap(home: Path, folder: Path) -> None:
    log = folder / "log"
    step = f'run = "echo start >> {log}; sleep 0.3; echo end >> {log}"\nresources = ["db"]\n'
    (folder / "intents.toml").write_text(f"[intents.migrate]\n{step}[intents.seed]\n{step}")
    async with session(home, [folder], init={"trusted": True, "maxParallel": 4}) as ses:
        plan = await ses.command("intentls.plan", {"intent": "migrate and seed"})
        assert plan["levels"] == [["s1", "s2"]] and plan["steps"][0]["args"]["resources"] == ["db"]
        result = await ses.run("migrate and seed")
        assert result["status"] == "succeeded"
        assert log.read_text().split() == ["start", "end", "start", "end"]


async def test_a_dependent_starts_when_the_background_task_is_ready(
    home: Path, folder: Path
) -> None:
    (folder / "intents.toml").write_text(
        """
[intents.serve]
run = "echo 'ready at port 9'; exec sleep 60"
background = true
ready = "ready at port \\\\d"

[intents.check]
run = "echo checked"
needs = ["serve"]
""",
        encoding="utf-8",
    )
    async with session(home, [folder], init={"trusted": True, "maxParallel": 1}) as ses:
        result = await ses.run("check")
        assert {s["title"]: s["status"] for s in result["steps"]} == {
            "serve": "succeeded",
            "check": "succeeded",
        }
        assert "checked" in ses.output_of(result["runId"])
        alone = await ses.run("serve")
        assert alone["status"] == "running", "a plan of background steps answers at once"
        cancelled = await ses.command("intentls.cancel", {"runId": alone["runId"]})
        assert cancelled["status"] == "cancelled"


async def test_a_tasks_json_background_task(home: Path, folder: Path) -> None:
    (folder / ".vscode").mkdir()
    (folder / ".vscode" / "tasks.json").write_text(
        """{
  // a watcher and a task that needs it
  "version": "2.0.0",
  "tasks": [
    {"label": "watch", "type": "shell", "command": "echo 'Watching for file changes.'; sleep 60",
     "isBackground": true,
     "problemMatcher": {"owner": "x", "pattern": {"regexp": "^x$"},
       "background": {"beginsPattern": "Starting", "endsPattern": "Watching for file changes"}}},
    {"label": "e2e", "type": "shell", "command": "echo e2e ran", "dependsOn": ["watch"]},
  ]
}""",
        encoding="utf-8",
    )
    async with session(home, [folder]) as ses:
        result = await ses.run("e2e")
        assert [s["status"] for s in result["steps"]] == ["succeeded", "succeeded"]
        assert "e2e ran" in ses.output_of(result["runId"])


async def test_an_atomic_intent_undoes_its_completed_steps_when_one_fails(
    home: Path, folder: Path
) -> None:
    (folder / "kept.txt").write_text("before\n")
    (folder / "intents.toml").write_text(
        """
[intents.release]
atomic = true
steps = ["echo made > made.txt", "echo after > kept.txt", "exit 1"]
""",
        encoding="utf-8",
    )
    async with session(home, [folder]) as ses:
        result = await ses.run("release")
        assert [s["status"] for s in result["steps"]] == ["succeeded", "succeeded", "failed"]
        assert result["status"] == "failed"
        assert [w["kind"] for w in result["warnings"]].count("atomic") == 1
        assert not (folder / "made.txt").exists()
        assert (folder / "kept.txt").read_text() == "before\n"
