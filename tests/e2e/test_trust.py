"""PROTOCOL.md's "When a run needs a person": trust from the client only, blocked runs with
ready actions, prompts when asked for, remembered grants."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from tests.e2e.session import session


async def test_an_untrusted_run_is_blocked_with_ready_actions(home: Path, folder: Path) -> None:
    marker = folder / "ran"
    async with session(home, [folder], init={"trusted": False}) as ses:
        result = await ses.run(f"$ touch {marker}")
        assert result["status"] == "blocked" and not marker.exists()
        assert [w["kind"] for w in result["warnings"]] == ["untrusted"]
        (action,) = result["actions"]
        assert action["command"] == "intentls.run"
        assert action["arguments"][0]["confirm"] is True
        assert ses.notes_of("intentls/runStarted") == [], "a blocked run never started"
        confirmed = await ses.command(action["command"], action["arguments"][0])
        assert confirmed["status"] == "succeeded" and marker.exists()


async def test_workspace_intents_are_blocked_too(home: Path, folder: Path) -> None:
    async with session(home, [folder], init={}) as ses:
        assert (await ses.run("hello"))["status"] == "blocked"
        assert {i["name"] for i in await ses.command("intentls.list")} >= {"hello"}


async def test_a_grant_is_remembered_but_never_over_an_explicit_false(
    home: Path, folder: Path
) -> None:
    async with session(home, [folder], init={}) as ses:
        assert (await ses.run("hello"))["status"] == "blocked"
        ses.client.protocol.notify(
            "intentls/setTrust", {"trusted": True, "folder": folder.as_uri()}
        )
        assert (await ses.run("hello"))["status"] == "succeeded"
    async with session(home, [folder], init={}) as ses:
        assert (await ses.run("hello"))["status"] == "succeeded", "remembered"
    async with session(home, [folder], init={"trusted": False}) as ses:
        assert (await ses.run("hello"))["status"] == "blocked", "false is final"
        ses.client.protocol.notify("intentls/setTrust", {"trusted": True})
        assert (await ses.run("hello"))["status"] == "succeeded", "until the client says yes"


async def test_prompt_answered_yes_no_and_not_at_all(home: Path, folder: Path) -> None:
    init = {"prompts": True}
    async with session(home, [folder], init=init, env={"INTENTLS_PROMPT_TIMEOUT_S": "1"}) as ses:
        ses.prompt_answer = "Run once"
        assert (await ses.run("hello"))["status"] == "succeeded"
        (asked,) = ses.prompts
        assert asked.type == lsp.MessageType.Warning and "hello" in asked.message
        ses.prompt_answer = "Don't run"
        assert (await ses.run("hello"))["status"] == "blocked"
        ses.prompt_answer = None
        silent = await ses.run("hello")
        assert silent["status"] == "blocked" and silent["actions"]
        assert len(ses.prompts) == 3


async def test_no_prompt_when_the_client_said_false(home: Path, folder: Path) -> None:
    async with session(home, [folder], init={"prompts": True, "trusted": False}) as ses:
        ses.prompt_answer = "Run once"
        assert (await ses.run("hello"))["status"] == "blocked"
        assert ses.prompts == []
