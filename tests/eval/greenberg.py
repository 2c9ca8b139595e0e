"""Reads Greenberg's csh traces (`../shared/data/command-sequences/greenberg/`, see its
README): one user per file, each command a `C`/`D`/`A`/`H`/`X` record, `X` an error code or
`NIL`. Read from where they are, never copied into the project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs

DATA = Path(__file__).resolve().parents[2].parent / "shared/data/command-sequences/greenberg"


@attrs.frozen
class Command:
    line: str
    directory: str
    error: str | None
    """The trace's error code; None: it succeeded."""


def users(data: Path = DATA) -> Iterator[tuple[str, list[Command]]]:
    """Each user's commands in the order they were typed."""
    for path in sorted(data.glob("*.txt")):
        yield path.stem, list(_commands(path))


def _commands(path: Path) -> Iterator[Command]:
    record: dict[str, str] = {}
    with path.open(encoding="latin-1") as lines:
        for raw in lines:
            tag, _, value = raw.rstrip("\n").partition(" ")
            if tag == "C":
                record = {"C": value}
            elif tag in ("D", "A", "H") and record:
                record[tag] = value
            elif tag == "X" and record:
                error = " ".join(value.split())
                yield Command(record["C"], record.get("D", ""), None if error == "NIL" else error)
                record = {}
