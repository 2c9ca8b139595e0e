"""Running intents over the wire: results, output, progress, notifications, composition."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.e2e.session import capabilities, new_token, session


async def test_progress_on_the_clients_token(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        token = new_token()
        ses.client.progress_reports[token] = []
        result = await ses.command("intentls.run", {"intent": "ci"}, token=token)
        assert result["status"] == "succeeded"
        reports = ses.client.progress_reports[token]
        begin, *middle, end = reports
        assert isinstance(begin, lsp.WorkDoneProgressBegin)
        assert begin.title == "ci" and begin.cancellable is True
        assert all(isinstance(r, lsp.WorkDoneProgressReport) for r in middle)
        percentages = [r.percentage for r in middle]
        assert percentages == sorted(percentages) and percentages[-1] == 100
        messages = [r.message for r in middle]
        assert "ci: echo lint" in messages and "hello" in messages and "finish" in messages
        assert isinstance(end, lsp.WorkDoneProgressEnd) and end.message.startswith("succeeded")
        started = await ses.wait_note("intentls/runStarted", runId=result["runId"])
        assert started["workDoneToken"] == token and started["intent"] == "ci"


async def test_progress_on_a_server_created_token(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        result = await ses.run("hello")
        started = await ses.wait_note("intentls/runStarted", runId=result["runId"])
        token = started["workDoneToken"]
        kinds = [r.kind for r in ses.client.progress_reports[token]]
        assert kinds[0] == "begin" and kinds[-1] == "end"


async def test_no_progress_without_the_capability(home: Path, folder: Path) -> None:
    async with session(home, [folder], caps=capabilities(progress=False)) as ses:
        result = await ses.run("hello")
        started = await ses.wait_note("intentls/runStarted", runId=result["runId"])
        assert "workDoneToken" not in started
        assert ses.client.progress_reports == {}


async def test_every_byte_of_output_arrives_in_order(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        result = await ses.run("$ seq 1 30000; echo to-stderr >&2; seq 30001 30003")
        assert result["status"] == "succeeded"
        expected = "".join(f"{n}\n" for n in range(1, 30001)) + "to-stderr\n30001\n30002\n30003\n"
        assert ses.output_of(result["runId"], "stdout") == expected, "one stream, in order"
        notes = [n for n in ses.notes_of("intentls/output") if n["runId"] == result["runId"]]
        assert {n["stepId"] for n in notes} == {"s1"}
        assert len(notes) < 50, "output is batched, not one notification per chunk"


async def test_a_failed_run_says_which_step_and_why(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        result = await ses.run("fail")
        assert result["status"] == "failed"
        (step,) = result["steps"]
        assert step["exitCode"] == 3 and step["status"] == "failed" and step["attempts"] == 1
        assert step["error"] == {
            "category": "unknown",
            "message": "broken",
            "severity": "error",
            "transient": False,
        }
        finished = await ses.wait_note("intentls/runFinished", runId=result["runId"])
        assert finished == result


async def test_then_and_composition(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        plan = await ses.command("intentls.plan", {"intent": "$ echo a and hello then $ echo b"})
        assert [(s["id"], s["dependsOn"]) for s in plan["steps"]] == [
            ("s1", []),
            ("s2", []),
            ("s3", ["s1", "s2"]),
        ]
        assert plan["folder"] == folder.as_uri() and plan["goal"].startswith("$ echo a")
        assert ses.notes_of("intentls/runStarted") == [], "plan runs nothing"
        result = await ses.run("fail then hello and $ echo c")
        assert [s["status"] for s in result["steps"]] == ["failed", "skipped", "skipped"]


async def test_quoted_words_stay_in_the_shell_command(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        result = await ses.run("$ echo 'fix and test' && echo 'then'")
        assert ses.output_of(result["runId"]) == "fix and test\nthen\n"


async def test_shell_words_and_then_belong_to_the_shell(home: Path, folder: Path) -> None:
    """Grammar v1.1: `and`/`then` in shell text split only before an intent, and the plan says
    how the text was read."""
    async with session(home, [folder]) as ses:
        result = await ses.run("$ echo cats and dogs")
        assert ses.output_of(result["runId"]) == "cats and dogs\n"
        text = "$ if true; then echo yes; fi then hello"
        plan = await ses.command("intentls.plan", {"intent": text})
        assert plan["reading"] == [["$ if true; then echo yes; fi"], ["hello"]]
        result = await ses.run(text)
        assert [s["status"] for s in result["steps"]] == ["succeeded", "succeeded"]
        assert ses.output_of(result["runId"]) == "yes\nhello\n"


async def test_params_env_and_cwd(home: Path, folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "intents.toml").write_text(
        """
[intents.where]
run = "pwd; echo $GREETING ${who}"
cwd = "sub"
env = { GREETING = "hi" }
params = { who = { default = "you" } }
""",
        encoding="utf-8",
    )
    async with session(home, [folder]) as ses:
        result = await ses.run("where", params={"who": "a b; rm -rf /"})
        assert result["status"] == "succeeded"
        assert ses.output_of(result["runId"]) == f"{folder / 'sub'}\nhi a b; rm -rf /\n"
        plan = await ses.command("intentls.plan", {"intent": "where"})
        assert plan["steps"][0]["args"]["env"] == ["GREETING"], "names only, never values"


async def test_list_names_every_intent_with_its_folder(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        intents = await ses.command("intentls.list")
        by_name = {i["name"]: i for i in intents}
        assert set(by_name) == {"hello", "greet", "fail", "ci"}
        assert by_name["hello"] == {
            "name": "hello",
            "title": "hello",
            "description": "Say hello",
            "source": "intents.toml",
            "folder": folder.as_uri(),
        }
        assert by_name["greet"]["params"] == [
            {"name": "who", "description": "whom to greet", "default": "world"}
        ]


async def test_the_folder_of_a_request_in_a_multi_root_workspace(
    home: Path, folder: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    (other / "deep").mkdir(parents=True)
    (other / "intents.toml").write_text('[intents.only-here]\nrun = "pwd"\n', encoding="utf-8")
    async with session(home, [folder, other]) as ses:
        assert {i["name"] for i in await ses.command("intentls.list")} >= {"hello"}
        by_uri = await ses.command("intentls.list", {"uri": (other / "deep" / "x.py").as_uri()})
        assert [i["name"] for i in by_uri] == ["only-here"]
        assert by_uri[0]["folder"] == other.as_uri()
        result = await ses.run("$ pwd", cwd=str(other / "deep"))
        assert result["folder"] == other.as_uri()
        assert ses.output_of(result["runId"]) == f"{other / 'deep'}\n"


async def test_background_runs_answer_at_once(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        result = await ses.run("$ echo started; sleep 60", background=True)
        assert result["status"] == "running" and result["undoable"] is False
        await ses.wait_note("intentls/output", runId=result["runId"], text="started\n")
        cancelled = await ses.command("intentls.cancel", {"runId": result["runId"]})
        assert cancelled["status"] == "cancelled"
        finished = await ses.wait_note("intentls/runFinished", runId=result["runId"])
        assert finished["status"] == "cancelled"


async def test_a_step_timeout_fails_with_category_timeout(home: Path, folder: Path) -> None:
    (folder / "intents.toml").write_text(
        '[intents.slow]\nrun = "sleep 30"\ntimeout = 0.2\n', encoding="utf-8"
    )
    async with session(home, [folder]) as ses:
        result = await ses.run("slow")
        assert result["status"] == "failed"
        assert result["steps"][0]["error"]["category"] == "timeout"


@pytest.mark.parametrize("intent", ["hello", "intents.toml:hello"])
async def test_source_qualified_names(home: Path, folder: Path, intent: str) -> None:
    async with session(home, [folder]) as ses:
        result = await ses.run(intent)
        assert result["status"] == "succeeded" and ses.output_of(result["runId"]) == "hello\n"


async def test_a_dry_run_runs_nothing_and_offers_the_real_run(home: Path, folder: Path) -> None:
    marker = folder / "made"
    async with session(home, [folder]) as ses:
        result = await ses.run(f"$ touch {marker}", dryRun=True)
        assert result["status"] == "blocked" and not marker.exists()
        assert [s["status"] for s in result["steps"]] == ["skipped"]
        assert [w["kind"] for w in result["warnings"]] == ["dryRun"]
        (action,) = result["actions"]
        assert "dryRun" not in action["arguments"][0]
        assert (await ses.command(action["command"], action["arguments"][0]))[
            "status"
        ] == "succeeded"
        assert marker.exists()
        assert ses.notes_of("intentls/runStarted")[0]["intent"] == f"$ touch {marker}"
