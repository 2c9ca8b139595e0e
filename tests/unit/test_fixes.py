"""Proposed fixes: python → python3, the closest command or intent, the install command of the
project's environment for a missing module, the lockfile's for missing node modules, and fixes
learned from a real SQLite history offered first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from intentls.failures.fixes import Failure, learned, propose
from intentls.history.store import History
from intentls.model import StepError
from tests.unit.failure_history import FOLDER, record

NO_YAML = "ModuleNotFoundError: No module named 'yaml.loader'"


def only_python3(name: str) -> str | None:
    return "/usr/bin/python3" if name == "python3" else None


def test_python_becomes_python3(ws: Path) -> None:
    failure = Failure("gen", "python tools/gen.py --python-out x", "commandNotFound", "not found")
    (fix,) = propose(failure, ws, [], which=only_python3)
    assert fix.intent == "$ python3 tools/gen.py --python-out x"


def test_a_misspelt_intent_points_at_the_intent(ws: Path) -> None:
    failure = Failure("$ tset", "tset", "commandNotFound", "sh: 1: tset: not found")
    (fix,) = propose(failure, ws, [], intents=["test", "build"], which=only_python3)
    assert fix.intent == "test"


def test_a_misspelt_program_points_at_the_one_on_path(
    ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "frobnicate").write_text("#!/bin/sh\n")
    os.chmod(bin_dir / "frobnicate", 0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    failure = Failure("$ frobnicat -v", "frobnicat -v", "commandNotFound", "frobnicat: not found")
    (fix,) = propose(failure, ws, [], which=only_python3)
    assert fix.intent == "$ frobnicate -v"


@pytest.mark.parametrize(
    ("marker", "command"),
    [
        (None, "$ python3 -m pip install pyyaml"),
        (".venv/bin/python", "$ .venv/bin/python -m pip install pyyaml"),
        ("uv.lock", "$ uv add pyyaml"),
        ("poetry.lock", "$ poetry add pyyaml"),
    ],
)
def test_a_missing_module_is_installed_the_projects_way(
    ws: Path, marker: str | None, command: str
) -> None:
    if marker:
        (ws / marker).parent.mkdir(parents=True, exist_ok=True)
        (ws / marker).write_text("")
    (fix,) = propose(Failure("test", "pytest", "dependency", NO_YAML), ws, [])
    assert fix.intent == command and "yaml.loader" in fix.reason


@pytest.mark.parametrize(
    ("lockfile", "command"),
    [
        ("package-lock.json", "$ npm ci"),
        ("yarn.lock", "$ yarn install --frozen-lockfile"),
        (None, "$ npm install"),
    ],
)
def test_missing_node_modules_use_the_lockfile(
    ws: Path, lockfile: str | None, command: str
) -> None:
    (ws / "package.json").write_text("{}")
    if lockfile:
        (ws / lockfile).write_text("")
    failure = Failure("build", "tsc -p .", "commandNotFound", "sh: 1: tsc: not found")
    (fix,) = propose(failure, ws, [], which=only_python3)
    assert fix.intent == command
    (ws / "node_modules").mkdir()
    assert all(f.intent != command for f in propose(failure, ws, [], which=only_python3))


async def test_what_fixed_it_before_is_learned_and_offered_first(
    history: History, ws: Path
) -> None:
    missing = StepError("dependency", NO_YAML)
    await record(history, "f1", "test", 1000.0, error=missing)
    await record(history, "x1", "$ pip install --user pyyaml", 1010.0)
    await record(history, "p1", "test", 1020.0)
    await record(history, "f2", "test", 1030.0, error=StepError("testFailure", "assert"))
    await record(history, "x2", "$ echo unrelated", 1040.0)
    await record(history, "p2", "test", 1050.0)
    past = await history.outcomes(FOLDER)
    assert learned(past, "dependency", "test") == [("$ pip install --user pyyaml", 1)]
    fixes = propose(Failure("test", "pytest", "dependency", NO_YAML), ws, past)
    assert [f.intent for f in fixes] == [
        "$ pip install --user pyyaml",
        "$ python3 -m pip install pyyaml",
    ]
    assert fixes[0].learned and not fixes[1].learned
