"""Recovery, prediction and "why did it fail now?" over the wire, on one server: transient
failures retried (attempts counted), a failing test never retried, a missing module offered its
install command (not run), a prediction after three failures with nothing changed, and
`intentls.explain` naming the file whose edit broke a run."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.e2e.session import session

FLAKY_NETWORK = (
    "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; "
    'if [ "$n" -lt 3 ]; then '
    "echo 'curl: (7) Failed to connect to example.com port 443: Connection refused' >&2; "
    "exit 7; fi; echo fetched"
)


def _project(path: Path) -> Path:
    path.mkdir()
    python = sys.executable
    (path / "intents.toml").write_text(
        f"""
[intents.fetch]
run = '''{FLAKY_NETWORK}'''

[intents.unit]
run = "echo ran >> runs.log; {python} -m pytest -q -p no:cacheprovider test_unit.py"

[intents.broken]
run = "{python} -c 'import nosuchmod'"

[intents.check]
run = "{python} check.py"
""",
        encoding="utf-8",
    )
    (path / "test_unit.py").write_text("def test_one():\n    assert 1 == 2\n")
    (path / "lib.py").write_text("VALUE = 1\n")
    (path / "check.py").write_text("import lib\nprint(lib.VALUE)\n")
    return path


async def test_recovery_prediction_and_explain(home: Path, tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    init = {"trusted": True, "retry": {"baseDelayMs": 1, "maxDelayMs": 5}}
    async with session(home, [project], init=init) as ses:
        fetched = await ses.run("fetch")
        assert fetched["status"] == "succeeded"
        assert fetched["steps"][0]["attempts"] == 3
        assert ses.output_of(fetched["runId"]).count("trying again") == 2

        unit = await ses.run("unit")
        assert unit["status"] == "failed"
        assert unit["steps"][0]["attempts"] == 1
        assert unit["steps"][0]["error"]["category"] == "testFailure"
        assert (project / "runs.log").read_text() == "ran\n"

        for _ in range(3):
            broken = await ses.run("broken")
            assert broken["status"] == "failed"
        (fix,) = [w for w in broken["warnings"] if w["kind"] == "proposedFix"]
        assert fix["message"].endswith("run «$ python3 -m pip install nosuchmod»?")
        (action,) = [a for a in broken["actions"] if "pip install" in a["title"]]
        assert action["command"] == "intentls.run"
        assert action["arguments"][0]["intent"] == "$ python3 -m pip install nosuchmod"
        plan = await ses.command("intentls.plan", {"intent": "broken"})
        assert plan["predictedSuccess"] < 0.5
        (warning,) = [w for w in plan["warnings"] if w["kind"] == "pastFailure"]
        assert warning["message"].startswith("«broken» failed the last 3 times with dependency")
        assert warning["message"].endswith("nothing changed since")

        good = await ses.run("check")
        assert good["status"] == "succeeded"
        (project / "lib.py").write_text("raise RuntimeError('lib is broken')\n")
        bad = await ses.run("check")
        assert bad["status"] == "failed"
        why = await ses.command("intentls.explain", {})
        assert why["runId"] == bad["runId"] and why["comparedWith"] == good["runId"]
        assert why["changedFiles"] == ["lib.py"]
        assert any("lib is broken" in line for line in why["newErrors"])
        assert "lib.py" in why["summary"] and why["flaky"] is False
        assert (await ses.command("intentls.explain", {"runId": fetched["runId"]}))["status"] == (
            "succeeded"
        )
