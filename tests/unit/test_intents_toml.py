"""`intents.toml`: what each key becomes, and every malformed intent reported by name while the
others still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from intentls.model import IntentParam
from intentls.planning.intents import IntentDef, IntentRef, ShellAction, SourceResult
from intentls.planning.sources.intents_toml import IntentsTomlSource, read

GOOD = """
[intents.good]
run = "echo good"
"""


def detect(folder: Path, text: str, trusted: bool = True) -> SourceResult:
    (folder / "intents.toml").write_text(text, encoding="utf-8")
    return IntentsTomlSource().detect(folder, trusted)


def only(result: SourceResult, name: str) -> IntentDef:
    (found,) = [i for i in result.intents if i.name == name]
    return found


def test_no_file_is_no_intents_and_no_problems(tmp_path: Path) -> None:
    assert IntentsTomlSource().detect(tmp_path, True) == SourceResult()


def test_watched_file(tmp_path: Path) -> None:
    assert IntentsTomlSource().watched_files(tmp_path) == [tmp_path / "intents.toml"]


def test_run_intent(tmp_path: Path) -> None:
    result = detect(tmp_path, '[intents.hello]\nrun = "echo hello"\n')
    assert result.problems == []
    intent = only(result, "hello")
    assert intent.actions == [ShellAction("echo hello")]
    assert intent.source == "intents.toml"
    assert intent.qualified_name == "intents.toml:hello"
    assert intent.folder == tmp_path
    assert intent.title == "hello"
    assert intent.description is None
    assert intent.params == []
    assert intent.needs_trust
    assert intent.defined_in == tmp_path / "intents.toml"
    assert intent.line == 1


def test_every_key(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        """
[intents.test]
title = "Unit tests"
description = "Runs pytest"
run = "pytest -x ${k}"
cwd = "server"
env = { PYTHONWARNINGS = "error", MODE = "ci" }
timeout = 600
params = { k = { description = "pytest -k expression", default = "" } }
""",
    )
    assert result.problems == []
    intent = only(result, "test")
    assert intent.title == "Unit tests"
    assert intent.description == "Runs pytest"
    assert intent.actions == [
        ShellAction(
            "pytest -x ${k}",
            None,
            "server",
            {"PYTHONWARNINGS": "error", "MODE": "ci"},
            600.0,
        )
    ]
    assert intent.params == [IntentParam("k", "pytest -k expression", "")]


def test_steps(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        """
[intents.ci]
cwd = "top"
env = { A = "1", B = "2" }
timeout = 1.5
steps = [
    "echo lint",
    { intent = "build then test" },
    { run = "echo done", title = "finish", env = { B = "3" }, cwd = "sub" },
    { run = "echo plain" },
]
""",
    )
    assert result.problems == []
    assert only(result, "ci").actions == [
        ShellAction("echo lint", None, "top", {"A": "1", "B": "2"}, 1.5),
        IntentRef("build then test"),
        ShellAction("echo done", "finish", "sub", {"A": "1", "B": "3"}, 1.5),
        ShellAction("echo plain", None, "top", {"A": "1", "B": "2"}, 1.5),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            '{ who = { description = "whom", default = "world" } }',
            [IntentParam("who", "whom", "world")],
        ),
        ('{ who = { description = "whom" } }', [IntentParam("who", "whom", None)]),
        ("{ who = {} }", [IntentParam("who")]),
        ('{ who = "world" }', [IntentParam("who", None, "world")]),
        ("{ n = 3 }", [IntentParam("n", None, "3")]),
        ("{ n = { default = 2.5 } }", [IntentParam("n", None, "2.5")]),
        (
            '{ a = "1", b = { default = "2" } }',
            [IntentParam("a", None, "1"), IntentParam("b", None, "2")],
        ),
    ],
)
def test_params(tmp_path: Path, params: str, expected: list[IntentParam]) -> None:
    result = detect(tmp_path, f'[intents.p]\nrun = "echo"\nparams = {params}\n')
    assert result.problems == []
    assert only(result, "p").params == expected


def test_lines_of_definitions(tmp_path: Path) -> None:
    result = detect(
        tmp_path,
        """# intents of this project

[intents.first]
run = "echo 1"

[intents."dotted.name"]
run = "echo 2"

  [intents.indented]
  run = "echo 3"

[intents.first2]
run = "echo 4"
""",
    )
    assert result.problems == []
    assert {i.name: i.line for i in result.intents} == {
        "first": 3,
        "dotted.name": 6,
        "indented": 9,
        "first2": 12,
    }


def test_line_of_inline_table_intent(tmp_path: Path) -> None:
    result = detect(tmp_path, '[intents]\nhello = { run = "echo hello" }\n')
    assert only(result, "hello").line == 2


def test_untrusted_folder_is_parsed_the_same(tmp_path: Path) -> None:
    text = '[intents.hello]\nrun = "echo hello"\n'
    assert detect(tmp_path, text, trusted=False) == detect(tmp_path, text, trusted=True)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ('run = "a"\nsteps = ["b"]', "either run or steps"),
        ("", "run"),
        ('description = "only words"', "run"),
        ('run = ""', "run"),
        ('run = "   "', "run"),
        ("run = 3", "run"),
        ('run = ["echo"]', "run"),
        ("steps = []", "steps"),
        ('steps = "echo"', "steps"),
        ("steps = [3]", "step"),
        ("steps = [{ title = 'x' }]", "step"),
        ("steps = [{ intent = 3 }]", "step"),
        ("steps = [{ run = '' }]", "run"),
        ('run = "a"\nenv = { A = 1 }', "env"),
        ('run = "a"\nenv = "A=1"', "env"),
        ('steps = [{ run = "b", env = { B = true } }]', "env"),
        ('run = "a"\ntimeout = -1', "timeout"),
        ('run = "a"\ntimeout = 0', "timeout"),
        ('run = "a"\ntimeout = "10"', "timeout"),
        ('run = "a"\ncwd = 3', "cwd"),
        ('run = "a"\ntitle = 3', "title"),
        ('run = "a"\ndescription = 3', "description"),
        ('run = "a"\nparams = 3', "params"),
        ('run = "a"\nparams = { k = { description = 3 } }', "description"),
    ],
)
def test_malformed_intent_is_a_problem_naming_it(tmp_path: Path, spec: str, words: str) -> None:
    result = detect(tmp_path, f"{GOOD}\n[intents.bad]\n{spec}\n\n[intents.after]\nrun = 'ok'\n")
    assert [i.name for i in result.intents] == ["good", "after"], result.problems
    (problem,) = result.problems
    assert "'bad'" in problem
    assert "intents.toml" in problem
    assert words in problem


def test_intent_that_is_not_a_table(tmp_path: Path) -> None:
    result = detect(tmp_path, '[intents]\nbad = "echo"\ngood = { run = "echo" }\n')
    assert [i.name for i in result.intents] == ["good"]
    (problem,) = result.problems
    assert "'bad'" in problem


def test_boolean_timeout_is_a_problem(tmp_path: Path) -> None:
    result = detect(tmp_path, f'{GOOD}\n[intents.bad]\nrun = "a"\ntimeout = true\n')
    assert [i.name for i in result.intents] == ["good"]
    assert len(result.problems) == 1


@pytest.mark.parametrize(
    "text",
    [
        "[intents.x\nrun = 'a'",
        "[intents.x]\nrun = 'a\n",
        "[intents.x]\nrun = 'a'\nrun = 'b'\n",
        "intents = [",
    ],
)
def test_bad_toml_is_one_problem(tmp_path: Path, text: str) -> None:
    result = detect(tmp_path, text)
    assert result.intents == []
    (problem,) = result.problems
    assert problem.startswith("intents.toml")


@pytest.mark.parametrize("text", ["intents = 3", "intents = ['a']"])
def test_intents_not_a_table(tmp_path: Path, text: str) -> None:
    result = detect(tmp_path, text)
    assert result.intents == []
    (problem,) = result.problems
    assert "table" in problem


def test_unreadable_bytes_are_a_problem(tmp_path: Path) -> None:
    (tmp_path / "intents.toml").write_bytes(b"[intents.x]\nrun = '\xff\xfe'\n")
    result = IntentsTomlSource().detect(tmp_path, True)
    assert result.intents == []
    assert len(result.problems) == 1


def test_no_intents_table(tmp_path: Path) -> None:
    assert detect(tmp_path, "[other]\nx = 1\n") == SourceResult()


def test_each_problem_is_at_the_line_of_its_key(tmp_path: Path) -> None:
    text = (
        '[intents.ok]\nrun = "x"\n\n'
        '[intents.bad]\nrun = "a"\ntimeout = "10"\nenv = { A = 1 }\n\n'
        '[intents.whole]\ndescription = "no run"\n\n'
        "[intents]\ninline = { run = 3 }\n"
    )
    intents, problems = read(tmp_path, tmp_path / "intents.toml", text)
    assert [i.name for i in intents] == ["ok"]
    assert sorted((p.line, p.message) for p in problems) == [
        (6, "intent 'bad': timeout: must be a number, not a string"),
        (7, "intent 'bad': env['A']: must be a string, not an integer"),
        (9, "intent 'whole': needs run = \"…\" or steps = [...]"),
        (13, "intent 'inline': run: must be a string, not an integer"),
    ]


def test_a_toml_syntax_error_is_at_its_line(tmp_path: Path) -> None:
    _, (problem,) = read(tmp_path, tmp_path / "intents.toml", '[intents.x]\nrun = "a\n')
    assert problem.line == 2
