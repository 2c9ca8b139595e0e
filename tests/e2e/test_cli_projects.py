"""Real projects as a new user meets them in a terminal (issue 14): the real `intentls` in a
subprocess on real task files — Makefile file targets, conventional names, justfiles."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.terminal import cli
from tests.unit.test_source_make import GITLIKE


def git_init(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


def listed(home: Path, folder: Path) -> dict[str, dict[str, str]]:
    done = cli(home, folder, "list", "--json")
    assert done.returncode == 0, done.stderr
    return {i["name"]: i for i in json.loads(done.stdout)}


def test_makefile_file_targets_are_not_listed_but_run_by_name(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "c-project"
    folder.mkdir()
    git_init(folder)
    (folder / "Makefile").write_text(
        GITLIKE.replace("config.status: configure\n", "config.status:\n\t@echo configured\n"),
        encoding="utf-8",
    )
    names = listed(home, folder)
    assert {"all", "install", "help", "man-pages", "doc"} <= set(names)
    assert not {"git.o", "git.s", "po/git.pot", "config.status", "gen-version"} & set(names)
    ran = cli(home, folder, "run", "config.status")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "configured" in ran.stdout
