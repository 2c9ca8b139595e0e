"""`intentls history --failures` and `intentls explain` in a terminal: category and message of
each failure, and why the newest one failed (the file edited since the last success)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.e2e.terminal import cli


def test_history_failures_and_explain_in_a_terminal(home: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "intents.toml").write_text(f'[intents.check]\nrun = "{sys.executable} check.py"\n')
    (project / "check.py").write_text("import helper\n")
    (project / "helper.py").write_text("VALUE = 1\n")
    assert cli(home, project, "run", "check").returncode == 0
    (project / "helper.py").write_text("import nosuchmod\n")
    assert cli(home, project, "run", "check").returncode != 0

    listed = cli(home, project, "history", "--failures", "--json")
    assert listed.returncode == 0, listed.stderr
    [failure] = json.loads(listed.stdout)
    assert failure["intent"] == "check" and failure["category"] == "dependency"
    assert "No module named 'nosuchmod'" in failure["message"]
    table = cli(home, project, "history", "--failures")
    assert "dependency" in table.stdout and failure["runId"] in table.stdout

    why = cli(home, project, "explain", "--json")
    assert why.returncode == 0, why.stderr
    answer = json.loads(why.stdout)
    assert answer["runId"] == failure["runId"] and answer["changedFiles"] == ["helper.py"]
    shown = cli(home, project, "explain", failure["runId"])
    assert "helper.py" in shown.stdout and "nosuchmod" in shown.stdout
    missing = cli(home, project, "explain", "no-such-run")
    assert missing.returncode == 1 and "no run 'no-such-run'" in missing.stderr
