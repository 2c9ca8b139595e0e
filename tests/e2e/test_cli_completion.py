"""Shell completion as a person gets it: `intentls completion bash` sourced in a real bash,
which then completes intent names, run ids and checkpoint ids of the folder it stands in."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.terminal import bash, cli


def _complete(home: Path, folder: Path, line: str) -> list[str]:
    """What bash offers after `line` (TAB at its end), with intentls's own completion loaded."""
    words = line.split(" ")
    script = (
        "source <(intentls completion bash)\n"
        f"COMP_LINE={json.dumps(line)}; COMP_POINT={len(line)}\n"
        f"COMP_WORDS=({' '.join(json.dumps(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
        f"_python_argcomplete intentls {json.dumps(words[-1])} {json.dumps(words[-2])}\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = bash(home, folder, script)
    assert done.returncode == 0, done.stderr
    return [w.strip() for w in done.stdout.splitlines() if w.strip()]


def test_bash_completes_intents_runs_and_checkpoints(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "intents.toml").write_text(
        '[intents.test]\nrun = "echo t"\n\n[intents.testall]\nrun = "echo all"\n\n'
        '[intents.lint]\nrun = "echo l"\n',
        encoding="utf-8",
    )
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    assert _complete(home, folder, "intentls run te") == ["test", "testall"]

    assert cli(home, folder, "run", "test").returncode == 0
    (run,) = json.loads(cli(home, folder, "history", "--json").stdout)
    assert run["runId"] in _complete(home, folder, "intentls undo ")
    assert run["runId"] in _complete(home, folder, "intentls output ")

    checkpoint = cli(home, folder, "checkpoint", "before").stdout.strip()
    assert checkpoint in _complete(home, folder, "intentls rollback ")


def test_each_shell_gets_its_script(home: Path, tmp_path: Path) -> None:
    for shell, marker in (
        ("bash", "complete "),
        ("zsh", "#compdef intentls"),
        ("fish", "complete "),
    ):
        done = cli(home, tmp_path, "completion", shell)
        assert done.returncode == 0 and marker in done.stdout, shell
