""" "Why did it fail now?" and flaky detection on a real SQLite history: the files changed since
the last success (by runs and by edits between runs), environment names, new error lines, a
duration outlier, quiet flips."""

from __future__ import annotations

from pathlib import Path

from intentls.failures import flaky
from intentls.failures.explain import explain
from intentls.history.environment import fingerprint, key_for
from intentls.history.store import History
from intentls.model import EnvChange, StepError
from tests.unit.failure_history import FOLDER, record

NAME_ERROR = StepError("syntax", "NameError: name 'x' is not defined")


async def test_explain_names_the_edit_the_env_and_the_new_error(history: History) -> None:
    key = history.env_key
    before = fingerprint({"PATH": "/usr/bin", "CI": "1"}, key)
    after = fingerprint({"PATH": "/opt/bin", "DEBUG": "1"}, key)
    await record(history, "ok", "test", 1000.0, tail="collected 3 items\n3 passed", env=before)
    await record(history, "gen", "$ make gen", 1010.0, changed=["gen/out.py"], env=before)
    await record(
        history,
        "bad",
        "test",
        1020.0,
        error=NAME_ERROR,
        tail="collected 3 items\nE   NameError: name 'x' is not defined\n1 failed",
        edited=["src/app.py"],
        env=after,
        duration_ms=9000,
    )
    await record(history, "later", "$ make gen", 1030.0, changed=["gen/late.py"], env=after)
    past = await history.outcomes(FOLDER)
    (bad,) = [r for r in past if r.run_id == "bad"]
    answer = explain(bad, past)
    assert answer.compared_with == "ok"
    assert answer.changed_files == ["gen/out.py", "src/app.py"]
    assert answer.env == [
        EnvChange("CI", "removed"),
        EnvChange("DEBUG", "added"),
        EnvChange("PATH", "changed"),
    ]
    assert answer.new_errors[0] == "NameError: name 'x' is not defined"
    assert "1 failed" in answer.new_errors
    assert answer.duration_ms.this == 9000 and answer.duration_ms.usual == 1000
    assert "src/app.py" in answer.summary and "9.0x its usual 1.0 s" in answer.summary
    assert not answer.flaky


async def test_env_values_are_never_stored(history: History, tmp_path: Path) -> None:
    secret = "hunter2-very-secret"
    await record(history, "r", "test", 1000.0, env=fingerprint({"TOKEN": secret}, history.env_key))
    history.close()
    assert secret.encode() not in (tmp_path / "history.db").read_bytes()
    key_file = tmp_path / "history.db.envkey"
    assert key_file.stat().st_mode & 0o077 == 0
    assert key_for(tmp_path / "history.db") == key_file.read_bytes()


async def test_a_failure_never_followed_by_success_has_nothing_to_compare(history: History) -> None:
    await record(history, "bad", "test", 1000.0, error=NAME_ERROR, tail="boom")
    past = await history.outcomes(FOLDER)
    answer = explain(past[0], past)
    assert answer.compared_with is None and answer.changed_files == []
    assert "never succeeded" in answer.summary


async def test_a_quiet_flip_is_flaky_and_an_edit_between_is_not(history: History) -> None:
    await record(history, "f1", "test", 1000.0, error=NAME_ERROR)
    await record(history, "p1", "test", 1010.0)
    await record(history, "f2", "lint", 1020.0, error=NAME_ERROR)
    await record(history, "p2", "lint", 1030.0, edited=["src/app.py"])
    past = await history.outcomes(FOLDER)
    assert flaky.verdict(past, "p1") is not None
    assert flaky.verdict(past, "p2") is None
    assert [(a.run_id, b.run_id) for a, b in flaky.flips(past, "test")] == [("f1", "p1")]
    await record(history, "f3", "test", 1040.0, error=NAME_ERROR)
    past = await history.outcomes(FOLDER)
    assert "is flaky" in (flaky.verdict(past, "f3") or "")
    assert explain(past[-1], past).flaky


def test_a_fingerprint_asked_again_is_the_same_and_follows_every_change() -> None:
    """The last environment's fingerprint is kept (every run start asks): asking again gives
    the same, and a changed value, a new variable or another key is fingerprinted anew."""
    key = b"k" * 32
    env = {"PATH": "/usr/bin", "HOME": "/home/a"}
    first = fingerprint(env, key)
    kept = dict(first)
    first["PATH"] = "changed by the caller"  # what a caller gets is its own
    assert fingerprint({"HOME": "/home/a", "PATH": "/usr/bin"}, key) == kept
    moved = fingerprint({**env, "HOME": "/home/b"}, key)
    assert moved["HOME"] != kept["HOME"] and moved["PATH"] == kept["PATH"]
    assert fingerprint(env, key) == kept
    assert set(fingerprint({**env, "CI": "1"}, key)) == {"PATH", "HOME", "CI"}
    assert fingerprint(env, b"o" * 32)["PATH"] != kept["PATH"]
