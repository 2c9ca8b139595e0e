"""The hostile untrusted repository: every git chore through the server, in a folder opened
with `trusted: false`, and how many of the repository's traps went off."""

from __future__ import annotations

import subprocess
from pathlib import Path

import attrs

from tests.hostile import arm, fired
from tests.probe.wire import RawServer

CHORES = [
    "git status",
    "stage a.txt",
    'commit -m "probe"',
    "stash",
    "create branch probe-side",
    "switch to main",
    "undo",
]


@attrs.frozen
class HostileFigures:
    traps: int
    chores: int
    done: list[str]
    markers: list[str]

    def lines(self) -> list[str]:
        return [
            f"hostile untrusted repository: {self.traps} traps, {self.chores} git chores and "
            f"their undo ({len(self.done)} done: {', '.join(self.done)}): "
            f"{len(self.markers)} markers {self.markers or ''}".rstrip()
        ]


def _git(repo: Path, *argv: str) -> None:
    subprocess.run(["git", *argv], cwd=repo, check=True, capture_output=True)


async def probe(base: Path) -> HostileFigures:
    repo = base / "repo"
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "Probe")
    _git(repo, "config", "user.email", "probe@example.com")
    (repo / "a.txt").write_text("one\n")
    _git(repo, "add", "a.txt")
    _git(repo, "commit", "-q", "-m", "first")
    markers = base / "markers"
    traps = arm(repo, markers)
    server = await RawServer.start(base / "home")
    done = []
    try:
        await server.initialize([repo], trusted=False)
        for chore in CHORES:
            if chore == "stash":
                (repo / "a.txt").write_text("three\n")
            elif chore == "stage a.txt":
                (repo / "a.txt").write_text("two\n")
            if chore == "undo":
                result = await server.command("intentls.undo", {})
                ok = result["status"] in ("undone", "partial")
            else:
                result = await server.command("intentls.run", {"intent": chore})
                ok = result["status"] == "succeeded"
            if ok:
                done.append(chore.split()[0])
    finally:
        await server.close()
    return HostileFigures(len(traps), len(CHORES), done, fired(markers))
