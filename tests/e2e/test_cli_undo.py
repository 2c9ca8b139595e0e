"""The undo CLI in a terminal, on the same history and undo file as an editor's server: undo,
redo and blame of a run the server made, and checkpoints taken with the folder's editor settings."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.session import session
from tests.e2e.terminal import cli


async def test_a_servers_run_undone_redone_and_blamed_from_the_terminal(
    home: Path, folder: Path
) -> None:
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    async with session(home, [folder]) as ses:
        run = await ses.run("$ echo theirs > notes.txt", confirm=True)
        assert run["changedFiles"] == ["notes.txt"]
    blame = cli(home, folder, "blame", "notes.txt", "--json")
    assert blame.returncode == 0, blame.stderr
    [entry] = json.loads(blame.stdout)
    assert entry["runId"] == run["runId"] and entry["what"] == "modified"
    assert entry["intent"] == "$ echo theirs > notes.txt" and entry["undone"] is False
    undone = cli(home, folder, "undo")
    assert undone.returncode == 0, undone.stderr
    expected = f"undone «$ echo theirs > notes.txt» (run {run['runId']}): 1 path(s) restored"
    assert expected in undone.stdout
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    redone = cli(home, folder, "redo")
    assert redone.returncode == 0, redone.stderr
    assert redone.stdout.startswith("redone «$ echo theirs > notes.txt»"), redone.stdout
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "theirs\n"


async def test_the_cli_snapshots_with_the_folders_editor_settings(home: Path, folder: Path) -> None:
    init = {"trusted": True, "undo": {"exclude": ["*.gen"]}}
    async with session(home, [folder], init=init) as ses:
        await ses.run("$ echo one > made.txt")
    checkpoint = cli(home, folder, "checkpoint", "clean")
    assert checkpoint.returncode == 0, checkpoint.stderr
    (folder / "cache.gen").write_text("generated, excluded from undo\n", encoding="utf-8")
    (folder / "made.txt").write_text("two\n", encoding="utf-8")
    rolled = cli(home, folder, "rollback", checkpoint.stdout.strip())
    assert rolled.returncode == 0, rolled.stderr
    assert (folder / "made.txt").read_text(encoding="utf-8") == "one\n"
    assert (folder / "cache.gen").exists(), "excluded by the editor's undo.exclude: not undone"
