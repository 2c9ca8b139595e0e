"""Cargo's everyday commands where `Cargo.toml` exists: build, test, check, clippy, fmt, and
run for a package (not for a virtual workspace manifest, which has nothing to run by itself)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from intentls.planning.intents import SourceResult
from intentls.planning.sources.common import SingleFileSource, command_intent

MANIFEST = "Cargo.toml"
COMMANDS = {
    "build": "Compile the package",
    "test": "Run the tests",
    "check": "Check the package for errors without building it",
    "clippy": "Lint with clippy",
    "fmt": "Format the code with rustfmt",
    "run": "Run the package's binary",
}


class CargoSource(SingleFileSource):
    name = "cargo"
    file_name = MANIFEST

    def parse(self, folder: Path, path: Path, text: str) -> SourceResult:
        try:
            manifest = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return SourceResult(problems=[f"{MANIFEST}: {exc}"])
        has_package = isinstance(manifest.get("package"), dict)
        return SourceResult(
            [
                command_intent(self.name, folder, command, f"cargo {command}", description, path)
                for command, description in COMMANDS.items()
                if command != "run" or has_package
            ]
        )
