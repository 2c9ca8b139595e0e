"""Bad input gets -32602 with a reason a person can act on, and the server keeps serving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from tests.e2e.session import Session, session

CASES: list[tuple[str, Any, str]] = [
    ("intentls.run", None, "intent"),
    ("intentls.run", {}, "required field missing @ arguments.intent"),
    ("intentls.run", {"intent": 42}, "expected a string"),
    ("intentls.run", "hello", "expected an object"),
    ("intentls.run", {"intent": "gret"}, "did you mean greet"),
    ("intentls.run", {"intent": "$ echo 'unclosed"}, "unclosed single quote"),
    ("intentls.run", {"intent": "hello then"}, "'then' needs an intent"),
    ("intentls.run", {"intent": "hello", "cwd": "relative/dir"}, "absolute path"),
    ("intentls.run", {"intent": "hello", "cwd": "/no/such/dir"}, "not a directory"),
    ("intentls.run", {"intent": "hello", "params": {"x": {"y": 1}}}, "params.x"),
    ("intentls.plan", {"intent": "greet", "params": []}, "params"),
    ("intentls.run", {"intent": "hello", "confirm": "yes"}, "confirm"),
    ("intentls.cancel", {"runId": "nope"}, "not running"),
    ("intentls.list", {"uri": "https://example.com/x"}, "file URI"),
]


async def _still_serving(ses: Session) -> None:
    assert (await ses.run("hello"))["status"] == "succeeded"


@pytest.mark.parametrize(("command", "args", "words"), CASES)
async def test_bad_arguments(home: Path, folder: Path, command: str, args: Any, words: str) -> None:
    async with session(home, [folder]) as ses:
        with pytest.raises(JsonRpcException) as error:
            await ses.command(command, args)
        assert error.value.code == -32602
        assert words in error.value.message
        await _still_serving(ses)


async def test_unknown_keys_are_ignored_and_absent_arguments_are_empty(
    home: Path, folder: Path
) -> None:
    async with session(home, [folder]) as ses:
        result = await ses.run("hello", someFutureOption=True)
        assert result["status"] == "succeeded"
        params = lsp.ExecuteCommandParams("intentls.list", [])
        listed = await ses.client.workspace_execute_command_async(params)
        assert len(listed) == 4


async def test_unknown_command(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        with pytest.raises(JsonRpcException) as error:
            await ses.command("intentls.nope", {})
        assert error.value.code == -32602 and "intentls.run" in error.value.message
        await _still_serving(ses)


async def test_unknown_intent_names_the_closest(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        with pytest.raises(JsonRpcException) as error:
            await ses.run("helo")
        assert error.value.message.endswith("unknown intent 'helo': did you mean hello?")


async def test_a_broken_intents_toml_is_reported(home: Path, folder: Path) -> None:
    (folder / "intents.toml").write_text("[intents.x\nrun = 1", encoding="utf-8")
    async with session(home, [folder]) as ses:
        with pytest.raises(JsonRpcException) as error:
            await ses.run("x")
        assert error.value.code == -32602
        assert (await ses.run("$ echo still fine"))["status"] == "succeeded"


async def test_a_directory_outside_the_workspace_never_becomes_a_folder(
    home: Path, folder: Path, tmp_path: Path
) -> None:
    (folder / "out").symlink_to(tmp_path)
    async with session(home, [folder]) as ses:
        for cwd, words in (
            ("/usr", "outside every workspace folder"),
            ("/proc", "outside every workspace folder"),
            (str(folder / "out"), "through a symbolic link"),
        ):
            with pytest.raises(JsonRpcException) as error:
                await ses.command("intentls.run", {"intent": "$ true", "cwd": cwd})
            assert error.value.code == -32602 and words in error.value.message
        await _still_serving(ses)


async def test_a_broken_intents_toml_gets_diagnostics_at_its_lines(
    home: Path, folder: Path
) -> None:
    path = folder / "intents.toml"
    text = '[intents.good]\nrun = "echo ok"\n\n[intents.bad]\nrun = "echo"\ntimeout = "10"\n'
    path.write_text(text, encoding="utf-8")
    async with session(home, [folder]) as ses:
        uri = path.as_uri()
        ses.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "toml", 1, text))
        )
        await ses.client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        (problem,) = ses.client.diagnostics[uri]
        assert problem.range.start.line == 5, "the line of timeout ="
        assert "timeout" in problem.message and problem.source == "intentls"
        fixed = text.replace('"10"', "10")
        ses.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=2, uri=uri),
                [lsp.TextDocumentContentChangeWholeDocument(fixed)],
            )
        )
        await ses.client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        assert not ses.client.diagnostics[uri], "cleared once the file reads cleanly"
