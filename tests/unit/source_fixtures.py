"""Copies of the projects under tests/data/projects, so a test may change them freely."""

from __future__ import annotations

import shutil
from pathlib import Path

from intentls.planning.intents import IntentDef, SourceResult

PROJECTS = Path(__file__).resolve().parent.parent / "data" / "projects"


def project(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(PROJECTS / name, target)
    return target


def by_name(result: SourceResult) -> dict[str, IntentDef]:
    return {i.name: i for i in result.intents}


def commands(intent: IntentDef) -> list[str]:
    return [getattr(a, "command", repr(a)) for a in intent.actions]
