"""`.vscode/tasks.json`: JSONC, task types, quoting, options, dependsOn, groups, inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intentls.model import IntentParam
from intentls.planning import jsonc
from intentls.planning.intents import ShellAction, SourceResult
from intentls.planning.sources.vscode_tasks import VscodeTasksSource
from tests.unit.source_fixtures import by_name, project


def detect(folder: Path, tasks: list[object], **top: object) -> SourceResult:
    path = folder / ".vscode" / "tasks.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"version": "2.0.0", **top, "tasks": tasks}), encoding="utf-8")
    return VscodeTasksSource().detect(folder, trusted=True)


def test_a_real_tasks_json(tmp_path: Path) -> None:
    folder = project(tmp_path, "vscode")
    result = VscodeTasksSource().detect(folder, trusted=False)
    (problem,) = result.problems
    assert "'tsc: watch'" in problem and "typescript" in problem
    found = by_name(result)
    assert list(found) == [
        "prepare",
        "compile",
        "Run-server",
        "unit-tests",
        "build-all",
        "check",
        "npm-lint",
    ]
    env = {"NODE_ENV": "development", "LOG_LEVEL": "info"}
    prepare = found["prepare"]
    assert prepare.source == "vscode" and prepare.qualified_name == "vscode:prepare"
    assert prepare.actions == [ShellAction(f"echo preparing 'in {folder}'", env=env)]
    assert prepare.description == "Create the output folders"
    assert (prepare.defined_in, prepare.line) == (folder / ".vscode/tasks.json", 9)
    compile_ = found["compile"]
    assert compile_.actions == [
        ShellAction("echo compile ${file}", cwd="src", env={**env, "LOG_LEVEL": "debug"})
    ]
    assert compile_.problem_matchers == [
        "$tsc",
        {"base": "$eslint-stylish", "fileLocation": "relative"},
    ]
    assert (compile_.group, compile_.group_default) == ("build", True)
    server = found["Run-server"]
    argv = ["node", "server.js", "--port", "${input:port}", "--linux"]
    assert server.actions == [
        ShellAction(" ".join(argv[:3]) + " '${input:port}' --linux", env=env, argv=argv)
    ]
    assert server.title == "Run server"
    assert server.params == [IntentParam("port", "Port to listen on", "8080")]
    assert (found["unit-tests"].group, found["unit-tests"].group_default) == ("test", False)
    build_all = found["build-all"]
    assert build_all.actions == []
    assert build_all.depends_on == ["vscode:prepare", "vscode:compile"]
    assert build_all.depends_in_sequence
    check = found["check"]
    assert check.depends_on == ["vscode:unit-tests", "vscode:npm-lint"]
    assert not check.depends_in_sequence
    lint = found["npm-lint"]
    assert lint.actions == [ShellAction("npm run lint --", env=env)]
    assert lint.problem_matchers == ["$eslint-stylish"]
    assert lint.line == 50


def test_shell_args_are_quoted_and_variables_stay_bare(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        [
            {
                "label": "t",
                "command": "grep",
                "args": ["a b", "${file}", "--x=${env:HOME}/y z", "", {"value": "it's"}],
            }
        ],
    )
    (intent,) = result.intents
    assert intent.actions == [
        ShellAction("grep 'a b' ${file} --x=${env:HOME}'/y z' '' 'it'\"'\"'s'")
    ]


def test_process_tasks_exec_without_a_shell(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        [{"label": "p", "type": "process", "command": "${workspaceFolder}/run", "args": ["a b"]}],
    )
    (intent,) = result.intents
    (action,) = intent.actions
    assert isinstance(action, ShellAction)
    assert action.argv == [f"{tmp_path}/run", "a b"]


def test_options_layers_and_cwd(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        [
            {"label": "a", "command": "x", "options": {"cwd": "${workspaceFolder}"}},
            {"label": "b", "command": "x", "options": {"cwd": "/elsewhere"}},
            {"label": "c", "command": "x", "linux": {"options": {"env": {"B": "3"}}}},
            {"label": "d", "command": "x", "options": {"cwd": "${fileDirname}"}},
        ],
        options={"cwd": "sub", "env": {"A": "1", "B": "2"}},
        linux={"options": {"env": {"A": "linux"}}},
    )
    actions = {i.name: i.actions[0] for i in result.intents}
    assert actions["a"] == ShellAction("x", cwd=None, env={"A": "linux", "B": "2"})
    assert actions["b"] == ShellAction("x", cwd="/elsewhere", env={"A": "linux", "B": "2"})
    assert actions["c"] == ShellAction("x", cwd="sub", env={"A": "linux", "B": "3"})
    assert actions["d"] == ShellAction("x", cwd="${fileDirname}", env={"A": "linux", "B": "2"})


def test_linux_section_wins_and_other_platforms_are_ignored(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        [
            {
                "label": "t",
                "command": "generic",
                "linux": {"command": "on-linux"},
                "osx": {"command": "on-mac"},
                "windows": {"command": "on-windows"},
            }
        ],
    )
    assert result.intents[0].actions == [ShellAction("on-linux")]


def test_depends_on_forms(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        [
            {"label": "one", "command": "x"},
            {"label": "a", "dependsOn": "one"},
            {"label": "b", "dependsOn": [{"type": "npm", "script": "build"}, "npm: test"]},
            {"label": "c", "dependsOn": ["elsewhere"], "command": "y"},
        ],
    )
    found = by_name(result)
    assert found["a"].depends_on == ["vscode:one"]
    assert found["b"].depends_on == ["npm:build", "npm:test"]
    assert found["c"].depends_on == ["elsewhere"]


def test_labels_become_unique_shell_words(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        [
            {"label": "a b", "command": "x"},
            {"label": "a-b", "command": "x"},
            {"label": " it's: $(odd) ", "command": "x", "dependsOn": ["a-b", "a b"]},
        ],
    )
    found = by_name(result)
    assert list(found) == ["a-b", "a-b-2", "it-s-odd"]
    assert [i.title for i in result.intents] == ["a b", "a-b", " it's: $(odd) "]
    assert found["it-s-odd"].depends_on == ["vscode:a-b-2", "vscode:a-b"]


def test_pick_string_inputs(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        [{"label": "t", "command": "deploy ${input:env}"}],
        inputs=[{"id": "env", "type": "pickString", "options": ["dev", {"value": "prod"}]}],
    )
    assert result.intents[0].params == [IntentParam("env", "one of: dev, prod", None)]


@pytest.mark.parametrize(
    ("task", "words"),
    [
        ({"command": "x"}, "#1: has no label"),
        ({"label": "t"}, "'t': has no command"),
        ({"label": "t", "type": "gulp", "task": "x"}, "'t': type 'gulp'"),
        ({"label": "t", "command": "x", "args": [3]}, "'t': args"),
        ({"label": "t", "command": "x", "options": 3}, "'t': options"),
        ({"label": "t", "type": "npm"}, "'t': an npm task needs a script"),
        ({"label": "t", "dependsOn": [3]}, "'t': cannot depend on 3"),
        ("just a string", "#1: must be an object"),
    ],
)
def test_a_bad_task_is_a_problem_and_the_others_load(
    tmp_path: Path, task: object, words: str
) -> None:
    result = detect(tmp_path, [task, {"label": "ok", "command": "echo"}])
    assert [i.name for i in result.intents] == ["ok"]
    (problem,) = result.problems
    assert problem.startswith(".vscode/tasks.json: task ") and words in problem


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{ // nothing closes", "line 1"),
        ('{"tasks": 3}', "tasks array"),
        ("[]", "tasks array"),
        ('{"tasks": [], "options": 3}', "options"),
    ],
)
def test_a_broken_file_is_one_problem(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "tasks.json").write_text(text, encoding="utf-8")
    result = VscodeTasksSource().detect(tmp_path, True)
    assert result.intents == []
    (problem,) = result.problems
    assert problem.startswith(".vscode/tasks.json") and words in problem


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a": 1, // c\n "b": [1, 2,],}', {"a": 1, "b": [1, 2]}),
        (
            '/* x */ {"a": "//not a comment", "b": "/* nor */"}',
            {"a": "//not a comment", "b": "/* nor */"},
        ),
        ('{"a": "quote \\" inside, ]"  ,  /* c */ }', {"a": 'quote " inside, ]'}),
        ("[1, 2, /* last */ ]", [1, 2]),
        ('{"a": [ ], }', {"a": []}),
    ],
)
def test_jsonc(text: str, value: object) -> None:
    assert jsonc.loads(text) == value


def test_jsonc_keeps_lines_and_columns() -> None:
    text = '{\n  // comment\n  "a": 1,\n  /* multi\n  line */ "b": 2,\n}\n'
    cleaned = jsonc.clean(text)
    assert len(cleaned) == len(text)
    assert cleaned.splitlines()[2] == '  "a": 1,'
    assert cleaned.count("\n") == text.count("\n")


def test_jsonc_errors_name_the_line() -> None:
    with pytest.raises(jsonc.JsoncError, match="line 3"):
        jsonc.loads('{\n  "a": 1,\n  "b" 2\n}')


def test_no_tasks_json(tmp_path: Path) -> None:
    assert VscodeTasksSource().detect(tmp_path, True) == SourceResult()
