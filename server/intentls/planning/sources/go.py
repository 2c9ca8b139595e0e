"""Go's everyday commands where `go.mod` exists: build, test and vet of `./...`."""

from __future__ import annotations

from pathlib import Path

from intentls.planning.intents import IntentDef, ShellAction, SourceResult
from intentls.planning.sources.common import Unreadable, read_text

MODULE_FILE = "go.mod"
COMMANDS = {
    "build": "Compile every package of the module",
    "test": "Test every package of the module",
    "vet": "Report suspicious constructs in every package",
}


class GoSource:
    name = "go"

    def watched_files(self, folder: Path) -> list[Path]:
        return [folder / MODULE_FILE]

    def detect(self, folder: Path, trusted: bool) -> SourceResult:
        path = folder / MODULE_FILE
        try:
            text = read_text(folder, path)
        except Unreadable as exc:
            return SourceResult(problems=[str(exc)])
        if text is None:
            return SourceResult()
        if not any(line.split()[:1] == ["module"] for line in text.splitlines()):
            return SourceResult(problems=[f"{MODULE_FILE}: no module directive"])
        return SourceResult(
            [
                IntentDef(
                    name=command,
                    source=self.name,
                    folder=folder,
                    actions=[ShellAction(f"go {command} ./...")],
                    title=f"go {command} ./...",
                    description=description,
                    defined_in=path,
                )
                for command, description in COMMANDS.items()
            ]
        )
