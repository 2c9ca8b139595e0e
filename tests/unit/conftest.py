"""Fixtures the unit tests share: an empty workspace, an undo engine and a history on real
files, and a git repository with one commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from intentls.history.store import History
from intentls.undo.core import UndoCore
from tests.unit.toolkit import git, init_repo


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    path.mkdir()
    return path


@pytest.fixture
def core(tmp_path: Path) -> Iterator[UndoCore]:
    undo = UndoCore(tmp_path / "undo.db")
    yield undo
    undo.close()


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    h = History(tmp_path / "history.db")
    yield h
    h.close()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    init_repo(path)
    (path / "a.txt").write_text("one\n")
    git(path, "add", "a.txt")
    git(path, "commit", "-q", "-m", "first")
    return path
