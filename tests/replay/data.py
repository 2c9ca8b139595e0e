"""Reading the real command sequences (never copied into the project: see their README)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from intentls.suggestions.sequence import Step

User = tuple[str, list[Step]]


def schonlau(root: Path) -> Iterator[User]:
    """One command name per line, in order."""
    for path in sorted((root / "schonlau").glob("*.txt")):
        names = path.read_text(encoding="latin-1").split()
        yield path.stem, [Step(name) for name in names]


def greenberg(root: Path) -> Iterator[User]:
    """Records of `C` (the line), `D`, `A`, `H`, `X` (an error code or NIL): the intent is the
    line's first word, the file type is the extension of the file named by the line before."""
    for path in sorted((root / "greenberg").glob("*.txt")):
        steps: list[Step] = []
        line: list[str] | None = None
        editing = ""
        with path.open(encoding="latin-1") as lines:
            for record in lines:
                if record.startswith("C "):
                    line = record[2:].split()
                elif record.startswith("X ") and line:
                    failed = record[2:].strip() != "NIL"
                    steps.append(Step(line[0], " ".join(line), editing, failed))
                    editing = _file_type(line)
                    line = None
        yield path.stem, steps


def _file_type(words: list[str]) -> str:
    for word in words[1:]:
        if not word.startswith("-"):
            ext = os.path.splitext(word)[1]
            if ext:
                return ext
    return ""
