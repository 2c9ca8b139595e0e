"""`intentls suggest` in a terminal: the same history and model as an editor's server, so what
runs in the editor is suggested in the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.session import session
from tests.e2e.terminal import cli


async def test_the_terminal_suggests_what_the_editor_learned(home: Path, folder: Path) -> None:
    assert "nothing to suggest yet" in cli(home, folder, "suggest").stdout
    async with session(home, [folder]) as ses:
        for _ in range(3):
            await ses.run("hello")
            await ses.run("greet")
        await ses.run("hello")
    found = cli(home, folder, "suggest", "--json")
    assert found.returncode == 0, found.stderr
    first = json.loads(found.stdout)[0]
    assert first["title"] == "Run greet" and "after hello" in first["reason"]
    assert first["command"]["arguments"] == [{"intent": "greet", "cwd": folder.as_uri()}]
    table = cli(home, folder, "suggest")
    assert "intentls run greet" in table.stdout
