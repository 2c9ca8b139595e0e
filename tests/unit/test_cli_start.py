"""The terminal's quick commands load only what they use: `intentls list` and `intentls
history` run in a fresh interpreter and must not have loaded the modules that made their start
slow (rich, the cattrs wire converter, asyncio, apsw.ext, the failure rules, numpy, the LSP).
How long they take is `make bench`'s business ("cli start"); this keeps the cause from coming
back unnoticed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "rich",
    "cattrs",
    "asyncio",
    "apsw.ext",
    "apsw.bestpractice",
    "numpy",
    "intentls.wire",
    "intentls.failures",
    "intentls.planning.sources.intents_spec",
    "intentls.lsp",
    "pygls",
    "lsprotocol",
)

PROBE = """
import contextlib, io, json, sys
from intentls.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    status = main(sys.argv[1:])
print(json.dumps({"status": status, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def loaded_by(args: list[str], folder: Path, history: Path) -> tuple[str, set[str]]:
    """What `intentls ARGS` printed, and the modules it had loaded when it returned."""
    env = {**os.environ, "INTENTLS_HISTORY": str(history), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["status"] == 0, done.stderr
    return answer["out"], set(answer["modules"])


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    here = tmp_path / "project"
    (here / ".git").mkdir(parents=True)  # the project's top: nothing above it is read
    return here


def test_list_in_an_empty_folder_loads_nothing_heavy(folder: Path, tmp_path: Path) -> None:
    out, modules = loaded_by(["list"], folder, tmp_path / "history.db")
    assert out.startswith("no intents in "), out
    assert heavy(modules) == []
    assert "intentls.planning.catalog" in modules  # it did list


def test_list_shows_a_folders_intents_in_columns(folder: Path, tmp_path: Path) -> None:
    (folder / "Makefile").write_text("build:\n\tcc -o app app.c\n# tests\ncheck:\n\t./app\n")
    out, modules = loaded_by(["list"], folder, tmp_path / "history.db")
    lines = out.splitlines()
    assert lines[0] == f"intents of . ({folder})"
    assert lines[1].split() == ["intent", "source", "description"]
    assert [line.split()[:2] for line in lines[2:4]] == [["build", "make"], ["check", "make"]]
    assert heavy(modules) == []


def test_history_reads_without_an_event_loop_or_the_wire(folder: Path, tmp_path: Path) -> None:
    history = tmp_path / "history.db"
    out, _ = loaded_by(["history"], folder, history)
    assert out == "no runs yet\n"
    # a run recorded by the terminal, then listed by a fresh `intentls history`
    subprocess.run(
        [sys.executable, "-m", "intentls", "run", "$ true"],
        cwd=folder,
        env={**os.environ, "INTENTLS_HISTORY": str(history)},
        capture_output=True,
        timeout=60,
        check=True,
    )
    loaded_by(["history"], folder, history)  # SQLite's `pragma optimize` may note statistics
    kept = history.read_bytes()
    out, modules = loaded_by(["history"], folder, history)
    assert history.read_bytes() == kept, "a reader writes nothing (no lease, no checkpoint)"
    header, run = out.splitlines()
    assert header.split() == ["started", "status", "duration", "intent", "run"]
    assert run.split()[2] == "succeeded" and " $ true " in run, out
    assert heavy(modules) == []
    assert "intentls.history.store" in modules


RUN_LAZY = (
    "intentls.failures.classifier",
    "intentls.failures.rules",
    "intentls.failures.book",
    "intentls.failures.matchers",
    "intentls.failures.fixes",
    "rapidfuzz",
    "intentls.wire",
    "cattrs",
    "platformdirs",
    "intentls.lsp",
    "pygls",
    "lsprotocol",
)
"""What a terminal `intentls run` whose steps succeed does without: the failure classifier's
rules, the problem matchers, the fixes' fuzzy matching, the wire converter (only the server
merges settings), platformdirs (the trust grants sit beside the history), the LSP."""


def test_a_local_run_that_succeeds_loads_no_failure_machinery(folder: Path, tmp_path: Path) -> None:
    out, modules = loaded_by(["run", "--local", "$ true"], folder, tmp_path / "history.db")
    assert "$ true: succeeded" in out, out
    assert "intentls.engine" in modules  # it did run, in this process
    assert (
        sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in RUN_LAZY)) == []
    )


def test_a_local_run_that_fails_still_classifies_and_points_at_problems(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "app.c").write_text("int main(void) { return 0; }\n")
    failing = "$ echo 'app.c:1:5: error: expected ; before }' >&2; exit 1"
    done = subprocess.run(
        [sys.executable, "-m", "intentls", "run", "--local", failing],
        cwd=folder,
        env={**os.environ, "INTENTLS_HISTORY": str(tmp_path / "history.db"), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "compileError: app.c:1:5: error: expected ; before }" in done.stdout, done.stdout
    # the problem matchers' line (indented under the step), beside the step's own output
    assert "  app.c:1:5: error: expected ; before }" in done.stdout.splitlines(), done.stdout
