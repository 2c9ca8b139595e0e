"""Suggestions over the wire, against the real server: learned from runs as they finish,
offered with a run's result, as code actions and by `intentls.suggest`; taking one runs it and
counts as accepted; "nothing changed" and "stale" on a Makefile's lenses; turned off by the
setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import apsw
from lsprotocol import types as lsp

from tests.e2e.session import Session, read_code_actions_right, session

MAKEFILE = """\
fmt:
\tdate +%s%N > formatted.txt

test:
\t@echo tests pass
"""


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    (path / "Makefile").write_text(MAKEFILE)
    (path / "app.py").write_text("print('hi')\n")
    return path


async def _actions(ses: Session, doc: Path, trigger: lsp.CodeActionTriggerKind | None) -> Any:
    params = lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(doc.as_uri()),
        lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
        lsp.CodeActionContext(diagnostics=[], only=["intentls.suggest"], trigger_kind=trigger),
    )
    return list(await ses.client.text_document_code_action_async(params) or [])


async def _lens_titles(ses: Session, doc: Path) -> list[str]:
    params = lsp.CodeLensParams(lsp.TextDocumentIdentifier(doc.as_uri()))
    return [lens.command.title for lens in await ses.client.text_document_code_lens_async(params)]


def _events(home: Path, suggestion_id: str) -> list[str]:
    conn = apsw.Connection(str(home / "history.db"), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        rows = conn.execute(
            "SELECT event FROM suggestion_events WHERE suggestion_id = ? ORDER BY at",
            (suggestion_id,),
        )
        return [str(r[0]) for r in rows]
    finally:
        conn.close()


async def test_learned_offered_taken_and_fresh(home: Path, tmp_path: Path) -> None:
    project = _project(tmp_path)
    app, makefile = project / "app.py", project / "Makefile"
    async with session(home, [project]) as ses:
        read_code_actions_right(ses)
        for _ in range(6):
            assert (await ses.run("fmt", cwd=str(project)))["status"] == "succeeded"
            assert (await ses.run("test", cwd=str(project)))["status"] == "succeeded"
        after_fmt = await ses.run("fmt", cwd=str(project))
        [next_step] = after_fmt["suggestions"]
        assert next_step["command"]["arguments"][0]["intent"] == "test"
        assert "after fmt" in next_step["reason"]

        # Never a lightbulb on a cursor move; when asked, `test` first, at most 3, distinct.
        assert await _actions(ses, app, lsp.CodeActionTriggerKind.Automatic) == []
        actions = await _actions(ses, app, lsp.CodeActionTriggerKind.Invoked)
        assert 1 <= len(actions) <= 3
        assert all(a.kind == "intentls.suggest" for a in actions)
        assert len({a.command.arguments[0]["intent"] for a in actions}) == len(actions)
        first = actions[0].command
        assert first.arguments[0]["intent"] == "test"
        suggestion_id = first.arguments[0]["suggestionId"]
        taken = await ses.command(first.command, first.arguments[0])
        assert taken["status"] == "succeeded"
        assert _events(home, suggestion_id) == ["shown", "taken"]

        # Lenses on the Makefile: last status, and whether anything changed since.
        titles = await _lens_titles(ses, makefile)
        [test_lens] = [t for t in titles if t.startswith("▶ Run test")]
        assert " · ✓ " in test_lens
        assert test_lens.endswith(" · nothing changed")
        await ses.run("test", cwd=str(project))  # the same intent again: still nothing changed
        assert any(t.endswith("nothing changed") for t in await _lens_titles(ses, makefile))
        app.write_text("print('changed')\n")  # an edit outside any run
        titles = await _lens_titles(ses, makefile)
        [test_lens] = [t for t in titles if t.startswith("▶ Run test")]
        assert test_lens.endswith(" · stale")
        assert not any("nothing changed" in t for t in titles)

        # The palette's and the terminal's list: same shape as PROTOCOL.md's Suggestion.
        found = await ses.command("intentls.suggest", {"uri": app.as_uri()})
        assert found and set(found[0]) == {"id", "title", "reason", "confidence", "command"}
        assert (
            await ses.command(
                "intentls.feedback", {"suggestionId": found[0]["id"], "accepted": False}
            )
            == {}
        )
        assert _events(home, found[0]["id"]) == ["shown", "dismissed"]


async def test_turned_off_and_bad_feedback(home: Path, tmp_path: Path) -> None:
    project = _project(tmp_path)
    init = {"trusted": True, "suggestions": {"enabled": False}}
    async with session(home, [project], init=init) as ses:
        read_code_actions_right(ses)
        for _ in range(3):
            await ses.run("fmt", cwd=str(project))
            result = await ses.run("test", cwd=str(project))
        assert "suggestions" not in result
        assert await ses.command("intentls.suggest", {"cwd": str(project)}) == []
        assert await _actions(ses, project / "app.py", None) == []
        titles = await _lens_titles(ses, project / "Makefile")
        assert not any("nothing changed" in t or "stale" in t for t in titles)
        try:
            await ses.command("intentls.feedback", {"suggestionId": "nope", "accepted": True})
        except Exception as exc:
            assert "unknown suggestionId" in str(exc)
        else:
            raise AssertionError("an unknown suggestionId was accepted")
