"""Code lenses on the files that define intents, refreshed after runs."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from tests.e2e.session import session


async def _lenses(ses: object, path: Path) -> list[lsp.CodeLens]:
    client = ses.client  # type: ignore[attr-defined]
    params = lsp.CodeLensParams(lsp.TextDocumentIdentifier(path.as_uri()))
    return list(await client.text_document_code_lens_async(params))


async def test_a_lens_per_intent_with_its_last_run(home: Path, folder: Path) -> None:
    toml = folder / "intents.toml"
    async with session(home, [folder]) as ses:
        lenses = await _lenses(ses, toml)
        by_title = {lens.command.title: lens for lens in lenses}
        assert set(by_title) == {"▶ Run hello", "▶ Run greet", "▶ Run fail", "▶ Run ci"}
        hello = by_title["▶ Run hello"]
        assert hello.range.start.line == 1  # [intents.hello] is on the second line
        assert hello.command.command == "intentls.run"
        assert list(hello.command.arguments) == [{"intent": "hello", "cwd": str(folder)}]
        await ses.run("hello")
        await ses.run("fail")
        await ses.wait_note(lsp.WORKSPACE_CODE_LENS_REFRESH)
        titles = {lens.command.title for lens in await _lenses(ses, toml)}
        assert any(t.startswith("▶ Run hello · ✓ ") and "just now" in t for t in titles)
        assert any(t.startswith("▶ Run fail · ✗ ") for t in titles)
        result = await ses.command(hello.command.command, hello.command.arguments[0])
        assert result["status"] == "succeeded"


async def test_no_lenses_elsewhere(home: Path, folder: Path) -> None:
    other = folder / "notes.md"
    other.write_text("hello")
    async with session(home, [folder]) as ses:
        assert await _lenses(ses, other) == []


async def test_an_outside_edit_refreshes_lenses(home: Path, folder: Path) -> None:
    async with session(home, [folder]) as ses:
        await ses.command("intentls.list")
        with (folder / "intents.toml").open("a") as toml:
            toml.write('\n[intents.added]\nrun = "echo new"\n')
        await ses.wait_note(lsp.WORKSPACE_CODE_LENS_REFRESH)
        titles = {lens.command.title for lens in await _lenses(ses, folder / "intents.toml")}
        assert "▶ Run added" in titles
