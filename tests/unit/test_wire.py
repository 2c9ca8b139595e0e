"""`intentls.wire`: the JSON shapes of PROTOCOL.md, strict argument types; and settings merging."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from intentls.lsp.arguments import CancelArgs, HistoryArgs, ListArgs, PlanArgs, RunArgs
from intentls.model import (
    Command,
    IntentInfo,
    IntentParam,
    IntentWarning,
    Plan,
    PlanStep,
    RunResult,
    RunStatus,
    RunSummary,
    StepError,
    StepResult,
    StepStatus,
)
from intentls.settings import Settings, SuggestionSettings, UndoSettings, merge
from intentls.wire import ArgumentError, from_wire, to_wire

SERVER_ONLY = {"env", "cwd", "needsTrust", "needs_trust", "timeoutS", "timeout_s"}


def step(**kw: Any) -> PlanStep:
    return PlanStep(
        id="s1",
        title="test",
        tool="shell",
        args={"command": "pytest", "cwd": "."},
        depends_on=["s0"],
        risk=1,
        needs_trust=False,
        cwd="/secret/place",
        env={"TOKEN": "s3cr3t"},
        timeout_s=12.5,
        **kw,
    )


def test_plan_step_keeps_server_fields_off_the_wire() -> None:
    wire = to_wire(step())
    assert wire == {
        "id": "s1",
        "title": "test",
        "tool": "shell",
        "args": {"command": "pytest", "cwd": "."},
        "dependsOn": ["s0"],
        "risk": 1,
    }
    assert "s3cr3t" not in json.dumps(wire)


def test_plan() -> None:
    plan = Plan("test", "file:///p", [step()], warnings=[IntentWarning("risk", "careful")])
    wire = to_wire(plan)
    assert set(wire) == {
        "goal",
        "folder",
        "steps",
        "confidence",
        "warnings",
        "levels",
        "reading",
        "criticalPath",
    }
    assert not SERVER_ONLY & set(wire["steps"][0])
    assert wire["warnings"] == [{"kind": "risk", "message": "careful"}]
    assert to_wire(Plan("g", "f", [], predicted_success=0.5))["predictedSuccess"] == 0.5


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            StepResult("s1", "lint", StepStatus.SUCCEEDED),
            {"id": "s1", "title": "lint", "status": "succeeded", "durationMs": 0, "attempts": 0},
        ),
        (
            StepResult("s1", "lint", StepStatus.SUCCEEDED, 5, 1, 0),
            {
                "id": "s1",
                "title": "lint",
                "status": "succeeded",
                "durationMs": 5,
                "attempts": 1,
                "exitCode": 0,
            },
        ),
        (
            StepResult(
                "s1", "t", StepStatus.FAILED, 7, 1, 2, StepError("unknown", "boom", "error", True)
            ),
            {
                "id": "s1",
                "title": "t",
                "status": "failed",
                "durationMs": 7,
                "attempts": 1,
                "exitCode": 2,
                "error": {
                    "category": "unknown",
                    "message": "boom",
                    "severity": "error",
                    "transient": True,
                },
            },
        ),
        (
            IntentInfo("test", "Test", "intents.toml", "file:///p"),
            {"name": "test", "title": "Test", "source": "intents.toml", "folder": "file:///p"},
        ),
        (
            IntentInfo("g", "G", "intents.toml", "file:///p", "greets", [IntentParam("who")]),
            {
                "name": "g",
                "title": "G",
                "source": "intents.toml",
                "folder": "file:///p",
                "description": "greets",
                "params": [{"name": "who"}],
            },
        ),
        (IntentParam("who", None, ""), {"name": "who", "default": ""}),
        (
            RunSummary(
                "r1",
                "test",
                "file:///p",
                RunStatus.INTERRUPTED,
                "2026-01-01T00:00:00.000Z",
                3,
                False,
                True,
            ),
            {
                "runId": "r1",
                "intent": "test",
                "folder": "file:///p",
                "status": "interrupted",
                "startedAt": "2026-01-01T00:00:00.000Z",
                "durationMs": 3,
                "undoable": False,
                "undone": True,
            },
        ),
        (
            Command("Run", "intentls.run", [{"intent": "x", "confirm": True}]),
            {
                "title": "Run",
                "command": "intentls.run",
                "arguments": [{"intent": "x", "confirm": True}],
            },
        ),
    ],
)
def test_to_wire(obj: Any, expected: dict[str, Any]) -> None:
    wire = to_wire(obj)
    assert wire == expected
    assert json.loads(json.dumps(wire)) == expected


def test_run_result() -> None:
    result = RunResult("r1", "test", "file:///p", RunStatus.SUCCEEDED, 10, [])
    assert to_wire(result) == {
        "runId": "r1",
        "intent": "test",
        "folder": "file:///p",
        "status": "succeeded",
        "durationMs": 10,
        "steps": [],
        "undoable": False,
        "changedFiles": [],
    }
    full = RunResult(
        "r1",
        "test",
        "file:///p",
        RunStatus.BLOCKED,
        0,
        [],
        warnings=[IntentWarning("untrusted", "trust the folder")],
        actions=[Command("Run anyway", "intentls.run", [{"intent": "test", "confirm": True}])],
    )
    wire = to_wire(full)
    assert wire["warnings"] == [{"kind": "untrusted", "message": "trust the folder"}]
    assert wire["actions"][0]["command"] == "intentls.run"


def test_lists_of_objects() -> None:
    assert to_wire([IntentWarning("risk", "a"), IntentWarning("ambiguous", "b")]) == [
        {"kind": "risk", "message": "a"},
        {"kind": "ambiguous", "message": "b"},
    ]


def test_round_trip() -> None:
    result = RunResult(
        "r1",
        "test",
        "file:///p",
        RunStatus.FAILED,
        10,
        [
            StepResult(
                "s1", "t", StepStatus.FAILED, 7, 1, 2, StepError("unknown", "boom", "error", True)
            )
        ],
        changed_files=["a.py"],
    )
    assert from_wire(to_wire(result), RunResult) == result


# ---- arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "data", "field"),
    [
        (RunArgs, {"intent": 3}, "intent"),
        (RunArgs, {"intent": None}, "intent"),
        (RunArgs, {"intent": ["test"]}, "intent"),
        (RunArgs, {"intent": "x", "dryRun": "yes"}, "dryRun"),
        (RunArgs, {"intent": "x", "confirm": 1}, "confirm"),
        (RunArgs, {"intent": "x", "background": "true"}, "background"),
        (RunArgs, {"intent": "x", "suggestionId": 1}, "suggestionId"),
        (RunArgs, {"intent": "x", "cwd": 7}, "cwd"),
        (RunArgs, {"intent": "x", "uri": False}, "uri"),
        (RunArgs, {"intent": "x", "params": "who=me"}, "params"),
        (RunArgs, {}, "intent"),
        (PlanArgs, {"intent": 1.5}, "intent"),
        (HistoryArgs, {"limit": "5"}, "limit"),
        (HistoryArgs, {"limit": True}, "limit"),
        (HistoryArgs, {"limit": 2.5}, "limit"),
        (HistoryArgs, {"allFolders": 1}, "allFolders"),
        (HistoryArgs, {"status": 0}, "status"),
        (HistoryArgs, {"since": 1700000000}, "since"),
        (CancelArgs, {"runId": 5}, "runId"),
    ],
)
def test_strict_arguments(cls: type[Any], data: dict[str, Any], field: str) -> None:
    with pytest.raises(ArgumentError) as info:
        from_wire(data, cls)
    assert field in str(info.value)


@pytest.mark.parametrize("data", [[], "test", 3, True])
def test_arguments_must_be_an_object(data: Any) -> None:
    with pytest.raises(ArgumentError, match="object"):
        from_wire(data, RunArgs)


@pytest.mark.parametrize(
    ("cls", "data", "expected"),
    [
        (RunArgs, {"intent": "x", "bogus": 1, "dry_run": "?"}, RunArgs(intent="x")),
        (
            RunArgs,
            {
                "intent": "x",
                "dryRun": True,
                "confirm": True,
                "background": False,
                "suggestionId": "s",
            },
            RunArgs(intent="x", dry_run=True, confirm=True, suggestion_id="s"),
        ),
        (
            RunArgs,
            {"intent": "x", "params": {"who": "me"}},
            RunArgs(intent="x", params={"who": "me"}),
        ),
        (ListArgs, None, ListArgs()),
        (ListArgs, {}, ListArgs()),
        (CancelArgs, {"runId": "r1"}, CancelArgs(run_id="r1")),
        (HistoryArgs, {"limit": 5, "allFolders": True}, HistoryArgs(limit=5, all_folders=True)),
        (
            PlanArgs,
            {"intent": "x", "cwd": "/p", "uri": "file:///p/a"},
            PlanArgs(cwd="/p", uri="file:///p/a", intent="x"),
        ),
    ],
)
def test_arguments(cls: type[Any], data: Any, expected: Any) -> None:
    assert from_wire(data, cls) == expected


def test_float_field_takes_an_integer() -> None:
    plan = from_wire({"goal": "g", "folder": "f", "steps": [], "confidence": 1}, Plan)
    assert plan.confidence == 1.0
    assert isinstance(plan.confidence, float)


# ---- settings -----------------------------------------------------------------------------


def test_defaults() -> None:
    settings = Settings()
    assert settings.max_parallel == (os.cpu_count() or 2)
    assert settings.undo == UndoSettings()
    assert settings.suggestions.enabled


def test_priority() -> None:
    init, problems = merge(
        Settings(),
        {
            "maxParallel": 3,
            "retentionDays": 30,
            "undo": {"maxFileBytes": 100, "exclude": ["*.log"]},
        },
        "initializationOptions",
    )
    assert problems == []
    config, problems = merge(
        init,
        {"maxParallel": 5, "undo": {"enabled": False}, "suggestions": {"enabled": False}},
        "configuration",
    )
    assert problems == []
    assert config.max_parallel == 5
    assert config.retention_days == 30
    assert config.undo == UndoSettings(enabled=False, max_file_bytes=100, exclude=["*.log"])
    assert config.suggestions == SuggestionSettings(enabled=False)


@pytest.mark.parametrize(
    "values", [None, {}, {"historyPath": "/x", "trusted": True, "token": "t"}, {"nope": 1}]
)
def test_nothing_to_change(values: Any) -> None:
    base = Settings(max_parallel=4)
    merged, _ = merge(base, values, "configuration")
    assert merged == base


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"maxParallel": "many"}, "maxParallel"),
        ({"maxParallel": 0}, "maxParallel"),
        ({"maxParallel": -2}, "maxParallel"),
        ({"maxParallel": True}, "maxParallel"),
        ({"maxParallel": 2.5}, "maxParallel"),
        ({"maxParallel": None}, "maxParallel"),
        ({"retentionDays": "90"}, "retentionDays"),
        ({"retentionDays": 0}, "retentionDays"),
        ({"undo": "off"}, "undo"),
        ({"undo": {"enabled": "no"}}, "enabled"),
        ({"undo": {"maxFileBytes": "big"}}, "maxFileBytes"),
        ({"undo": {"maxFileBytes": False}}, "maxFileBytes"),
        ({"undo": {"exclude": [1]}}, "exclude"),
        ({"suggestions": {"enabled": 1}}, "enabled"),
        ({"suggestions": []}, "suggestions"),
    ],
)
def test_bad_values_keep_their_value(values: dict[str, Any], key: str) -> None:
    base = Settings(
        max_parallel=4, retention_days=7, undo=UndoSettings(max_file_bytes=9, exclude=["a"])
    )
    merged, problems = merge(base, values, "configuration")
    assert merged == base
    (problem,) = problems
    assert "configuration" in problem
    assert key in problem


def test_one_bad_value_does_not_drop_the_good_ones() -> None:
    merged, problems = merge(
        Settings(max_parallel=4),
        {"maxParallel": "x", "retentionDays": 5, "undo": {"enabled": "x", "maxFileBytes": 10}},
        "configuration",
    )
    assert len(problems) == 2
    assert merged.max_parallel == 4
    assert merged.retention_days == 5
    assert merged.undo.enabled
    assert merged.undo.max_file_bytes == 10


@pytest.mark.parametrize("values", ["x", 3, ["maxParallel"]])
def test_settings_not_an_object(values: Any) -> None:
    merged, problems = merge(Settings(max_parallel=4), values, "initializationOptions")
    assert merged == Settings(max_parallel=4)
    (problem,) = problems
    assert "initializationOptions" in problem


def test_exclude_string_is_a_bad_value() -> None:
    base = Settings(undo=UndoSettings(exclude=["a"]))
    merged, problems = merge(base, {"undo": {"exclude": "*.log"}}, "configuration")
    assert merged == base
    assert len(problems) == 1
