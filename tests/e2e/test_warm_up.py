"""The server warms a folder's snapshot index when it opens it, and a run that starts before the
warm-up ends still gets an exact before-state: its changedFiles and its undo are exact."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from lsprotocol import types as lsp

from tests.e2e.session import TIMEOUT_S, Session, session

PREFIX = "intentls warm-up:"


def repository(folder: Path, files: int) -> dict[str, bytes]:
    for n in range(files):
        path = folder / f"d{n // 100}" / f"f{n}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"file {n}\n" * 3)
    (folder / "notes.txt").write_text("untracked\n")
    for argv in (["init", "-q"], ["add", "d0", "d1"], ["commit", "-qm", "tree"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *argv],
            cwd=folder,
            check=True,
            capture_output=True,
        )
    return contents(folder)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.txt")}


async def warmed(ses: Session) -> str:
    while True:
        arrives = ses.client.protocol.wait_for_notification_async(lsp.WINDOW_LOG_MESSAGE)
        for message in ses.client.log_messages:
            if message.message.startswith(PREFIX):
                return message.message
        await asyncio.wait_for(arrives, TIMEOUT_S)


async def change_and_undo(ses: Session, folder: Path, before: dict[str, bytes]) -> None:
    run = await ses.run("$ rm d0/f1.txt && echo changed > d1/f150.txt && echo new > new.txt")
    assert run["status"] == "succeeded"
    assert run["changedFiles"] == ["d0/f1.txt", "d1/f150.txt", "new.txt"]
    undone = await ses.command("intentls.undo", {})
    assert undone["status"] == "undone", undone
    assert contents(folder) == before


async def test_a_folder_is_warmed_when_it_opens(home: Path, folder: Path) -> None:
    before = repository(folder, 300)
    async with session(home, [folder]) as ses:
        message = await warmed(ses)
        assert message.startswith(f"{PREFIX} {folder}: ") and " paths in " in message
        await change_and_undo(ses, folder, before)


async def test_a_run_racing_the_warm_up_gets_an_exact_before_state(
    home: Path, folder: Path
) -> None:
    before = repository(folder, 3000)
    async with session(home, [folder]) as ses:
        await change_and_undo(ses, folder, before)  # sent at once: the warm-up is under way
        assert (await warmed(ses)).startswith(PREFIX)
