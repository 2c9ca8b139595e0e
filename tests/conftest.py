from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """Where a test's servers keep user data (history file, trust grants)."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A workspace folder with a few intents."""
    path = tmp_path / "project"
    path.mkdir()
    (path / "intents.toml").write_text(
        """
[intents.hello]
description = "Say hello"
run = "echo hello"

[intents.greet]
run = "echo hello ${who}"
params = { who = { description = "whom to greet", default = "world" } }

[intents.fail]
run = "echo about to fail; echo broken >&2; exit 3"

[intents.ci]
steps = ["echo lint", { intent = "hello" }, { run = "echo done", title = "finish" }]
""",
        encoding="utf-8",
    )
    return path
