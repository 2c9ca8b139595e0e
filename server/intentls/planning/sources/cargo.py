"""Cargo's everyday commands where `Cargo.toml` exists: build, test, check, clippy, fmt, and
run for a package (not for a virtual workspace manifest, which has nothing to run by itself).

At a workspace root the commands take the whole workspace (`cargo test --workspace`, `cargo fmt
--all`): without it cargo acts on the root package alone and leaves the members untested."""

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

WORKSPACE_FLAGS = {
    "build": ("--workspace",),
    "test": ("--workspace",),
    "check": ("--workspace",),
    "clippy": ("--workspace",),
    "fmt": ("--all",),
}
"""At a workspace root: every member, not just the root package."""


class CargoSource(SingleFileSource):
    name = "cargo"
    file_name = MANIFEST

    def parse(self, folder: Path, path: Path, text: str) -> SourceResult:
        try:
            manifest = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return SourceResult(problems=[f"{MANIFEST}: {exc}"])
        has_package = isinstance(manifest.get("package"), dict)
        flags = WORKSPACE_FLAGS if isinstance(manifest.get("workspace"), dict) else {}
        return SourceResult(
            [
                command_intent(
                    self.name,
                    folder,
                    command,
                    " ".join(["cargo", command, *flags.get(command, ())]),
                    description,
                    path,
                )
                for command, description in COMMANDS.items()
                if command != "run" or has_package
            ]
        )
