"""Values of environment variables are used, never kept: `${env:API_TOKEN}` runs with the
secret yet no table, file or message of intentls holds it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.session import session

SECRET = "tok-5f1b9c2e-never-stored"


async def test_env_values_run_but_are_never_recorded(home: Path, folder: Path) -> None:
    (folder / "intents.toml").write_text(
        '[intents.deploy]\nrun = "test -n \\"${env:API_TOKEN}\\""\n'
        '[intents.greet]\nrun = "test ${who} = \\"$EXPECTED\\""\nparams = { who = {} }\n',
        encoding="utf-8",
    )
    (folder / ".vscode").mkdir()
    process = {
        "label": "check",
        "type": "process",
        "command": "test",
        "args": ["-n", "${env:API_TOKEN}"],
    }
    (folder / ".vscode" / "tasks.json").write_text(json.dumps({"tasks": [process]}))
    env = {"API_TOKEN": SECRET, "EXPECTED": SECRET}
    async with session(home, [folder], env=env) as ses:
        shell = await ses.run('$ test "${env:API_TOKEN}" = "$EXPECTED"')
        named = await ses.run("deploy")
        param = await ses.run("greet", params={"who": "${env:API_TOKEN}"})
        task = await ses.run("check")
        plan = await ses.command("intentls.plan", {"intent": "$ echo ${env:API_TOKEN}"})
        history = await ses.command("intentls.history", {})
    for result in (shell, named, param, task):
        assert result["status"] == "succeeded", result
    seen = json.dumps([shell, named, param, task, plan, history, ses.notes])
    assert SECRET not in seen
    assert plan["steps"][0]["args"]["command"] == 'echo "${API_TOKEN}"'
    assert _files_holding(home, SECRET) == []


def _files_holding(root: Path, text: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]
