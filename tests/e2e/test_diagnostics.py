"""A failed run's output becomes diagnostics on the files it names (cleared when the intent
succeeds), with quick fixes: one server, real tools (python, make, gcc, pytest)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types as lsp

from tests.e2e.session import TIMEOUT_S, Session, read_code_actions_right, session
from tests.e2e.terminal import cli

PUBLISH = lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
PYTEST = f"{Path(sys.executable).parent}/pytest -q -p no:cacheprovider"


@pytest.fixture
def project(folder: Path) -> Path:
    (folder / "intents.toml").write_text(
        f"""
[intents.app]
run = "python3 app.py"

[intents.viamake]
run = "make broken"

[intents.c]
run = "gcc -c m.c -o m.o"

[intents.tests]
run = "{PYTEST}"
"""
    )
    (folder / "app.py").write_text("import os\n\ndef f(:\n    pass\n")
    (folder / "Makefile").write_text("broken:\n\tpython3 app.py\n")
    (folder / "m.c").write_text("int main(void) {\n  return undefined_name;\n}\n")
    (folder / "test_sum.py").write_text("def test_sum():\n    assert sum([1, 2]) == 4\n")
    return folder


async def _published(ses: Session, path: Path, count: int) -> list[dict[str, Any]]:
    """The diagnostics of the `count`-th publication for `path`."""
    uri = path.as_uri()

    def nth() -> bool:
        return len([n for n in ses.notes_of(PUBLISH) if n["uri"] == uri]) >= count

    async with ses._changed:
        await asyncio.wait_for(ses._changed.wait_for(nth), TIMEOUT_S)
    return [n for n in ses.notes_of(PUBLISH) if n["uri"] == uri][count - 1]["diagnostics"]


async def _fixes(ses: Session, path: Path, line: int) -> list[lsp.CodeAction]:
    where = lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0))
    params = lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(path.as_uri()),
        where,
        lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.QuickFix]),
    )
    found = await ses.client.text_document_code_action_async(params)
    return [a for a in found or [] if isinstance(a, lsp.CodeAction)]


@pytest.mark.skipif(
    shutil.which("make") is None or shutil.which("gcc") is None, reason="no make/gcc"
)
async def test_failures_land_on_their_lines(home: Path, project: Path) -> None:
    app = project / "app.py"
    async with session(home, [project]) as ses:
        read_code_actions_right(ses)
        result = await ses.run("app")
        assert result["steps"][0]["error"]["category"] == "syntax"
        (found,) = await _published(ses, app, 1)
        assert found["range"]["start"]["line"] == 2 and found["source"] == "intentls"
        assert found["code"] == "SyntaxError" and found["severity"] == 1
        assert found["message"] == "invalid syntax"

        fixes = await _fixes(ses, app, 2)
        titles = [f.title for f in fixes]
        assert titles[0] == "Re-run «app»" and "Show the run's output" in titles
        assert all(f.kind == lsp.CodeActionKind.QuickFix and f.diagnostics for f in fixes)
        assert await _fixes(ses, app, 0) == [], "nothing offered away from the diagnostic"

        made = await ses.run("viamake")
        assert made["steps"][0]["error"]["message"] == "SyntaxError: invalid syntax"
        (through_make,) = await _published(ses, app, 2)
        assert through_make["range"]["start"]["line"] == 2

        await ses.run("c")
        (compiled,) = await _published(ses, project / "m.c", 1)
        assert compiled["range"]["start"] == {"line": 1, "character": 9}
        assert "undefined_name" in compiled["message"]

        tested = await ses.run("tests")
        assert tested["steps"][0]["error"]["category"] == "testFailure"
        (failed,) = await _published(ses, project / "test_sum.py", 1)
        assert failed["range"]["start"]["line"] == 1 and failed["code"] == "AssertionError"
        rerun = next(
            f for f in await _fixes(ses, project / "test_sum.py", 1) if "failed test" in f.title
        )
        assert rerun.command is not None
        (arguments,) = rerun.command.arguments or []
        assert arguments["intent"].endswith("pytest test_sum.py::test_sum")
        again = await ses.command(rerun.command.command, arguments)
        assert again["status"] == "failed"

        shown = next(f for f in fixes if f.title == "Show the run's output")
        assert shown.command is not None
        answer = await ses.command(shown.command.command, shown.command.arguments[0])
        assert "invalid syntax" in _text_of(answer["uri"])

        app.write_text("print('fixed')\n")
        await ses.run("app")
        assert await _published(ses, app, 3) != [], "make's failure still stands"
        await ses.run("viamake")
        assert await _published(ses, app, 4) == [], "cleared once each intent succeeded"


def _text_of(uri: str) -> str:
    return Path(uri.removeprefix("file://")).read_text()


def test_the_terminal_prints_where(home: Path, project: Path) -> None:
    done = cli(home, project, "run", "app")
    assert done.returncode != 0
    assert "✗ app" in done.stdout and "syntax: SyntaxError: invalid syntax" in done.stdout
    assert "app.py:3:1: error: invalid syntax [SyntaxError]" in done.stdout


async def test_a_broken_intents_toml_and_a_run_naming_it_keep_both(
    home: Path, folder: Path
) -> None:
    """Both features' diagnostics on one file go out together (lsp/published.py): neither
    publication replaces the other's."""
    path = folder / "intents.toml"
    text = '[intents.bad]\nrun = "echo"\ntimeout = "10"\n'
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    failing = "$ test -f ok || { echo 'intents.toml:1:1: error: checked and refused'; exit 1; }"
    async with session(home, [folder]) as ses:
        ses.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "toml", 1, text))
        )
        (problem,) = await _published(ses, path, 1)
        assert problem["range"]["start"]["line"] == 2 and "timeout" in problem["message"]

        assert (await ses.run(failing))["status"] == "failed"
        both = await _published(ses, path, 2)
        assert sorted(d["message"] for d in both) == sorted(
            [problem["message"], "checked and refused"]
        )

        ses.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(version=2, uri=uri),
                [lsp.TextDocumentContentChangeWholeDocument(text.replace('"10"', "10"))],
            )
        )
        (left,) = await _published(ses, path, 3)
        assert left["message"] == "checked and refused", "the run's stays when the file reads"
        (folder / "ok").touch()
        assert (await ses.run(failing))["status"] == "succeeded"
        assert await _published(ses, path, 4) == [], "cleared once the intent succeeded"
