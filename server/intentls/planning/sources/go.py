"""Go's everyday commands where `go.mod` exists: build, test and vet of `./...`."""

from __future__ import annotations

from pathlib import Path

from intentls.planning.intents import SourceResult
from intentls.planning.sources.common import SingleFileSource, command_intent

MODULE_FILE = "go.mod"
COMMANDS = {
    "build": "Compile every package of the module",
    "test": "Test every package of the module",
    "vet": "Report suspicious constructs in every package",
}


class GoSource(SingleFileSource):
    name = "go"
    file_name = MODULE_FILE

    def parse(self, folder: Path, path: Path, text: str) -> SourceResult:
        if not any(line.split()[:1] == ["module"] for line in text.splitlines()):
            return SourceResult(problems=[f"{MODULE_FILE}: no module directive"])
        return SourceResult(
            [
                command_intent(self.name, folder, command, f"go {command} ./...", description, path)
                for command, description in COMMANDS.items()
            ]
        )
