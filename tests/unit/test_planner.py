"""Intent text → Plan over a real intents.toml, and the catalog's cache."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

from intentls.model import Plan
from intentls.planning.catalog import Catalog, FolderIntents
from intentls.planning.intents import IntentDef, ShellAction
from intentls.planning.planner import AmbiguousIntent, IntentError, Planner, PlanRequest
from intentls.planning.sources import default_sources
from intentls.wire import to_wire

INTENTS = """
[intents.hello]
description = "Say hello"
run = "echo hello"

[intents.lint]
run = "echo lint"

[intents.typecheck]
run = "echo typecheck"

[intents.test]
run = "echo test"

[intents.greet]
run = "echo hello ${who}"
params = { who = { description = "whom to greet", default = "world" } }

[intents.copy]
run = "cp ${src} ${dst}"
params = { src = { description = "from" }, dst = { description = "to" } }

[intents.needy]
run = "echo ${what}"
params = { what = { description = "what to say" } }

[intents.ci]
steps = ["echo lint", { intent = "hello" }, { run = "echo done", title = "finish" }]

[intents.checks]
steps = [{ intent = "lint and typecheck" }, "echo after"]

[intents.outer]
steps = [{ intent = "ci" }, { intent = "greet" }]

[intents.loop]
steps = [{ intent = "loop" }]

[intents.ping]
steps = [{ intent = "pong" }]

[intents.pong]
steps = ["echo pong", { intent = "ping" }]

[intents.secret]
run = "deploy"
env = { API_TOKEN = "s3cr3t-value", REGION = "eu-west-9" }
cwd = "sub"
timeout = 30
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    (path / "intents.toml").write_text(INTENTS, encoding="utf-8")
    return path


def plan(
    folder: Path, text: str, params: dict[str, str] | None = None, cwd: Path | None = None
) -> Plan:
    intents = Catalog(default_sources()).for_folder(folder, True)
    assert intents.problems == []
    request = PlanRequest(text, folder, folder.as_uri(), cwd or folder, params or {})
    return Planner.plan(intents, request)


def commands(p: Plan) -> list[str]:
    return [s.args["command"] for s in p.steps]


def graph(p: Plan) -> dict[str, list[str]]:
    return {s.args["command"]: [_command(p, d) for d in s.depends_on] for s in p.steps}


def _command(p: Plan, step_id: str) -> str:
    return str(next(s.args["command"] for s in p.steps if s.id == step_id))


def test_single_intent(folder: Path) -> None:
    p = plan(folder, "hello")
    assert p.goal == "hello"
    assert p.folder == folder.as_uri()
    (step,) = p.steps
    assert step.tool == "shell"
    assert step.title == "hello"
    assert step.args == {"command": "echo hello", "cwd": ".", "intent": "intents.toml:hello"}
    assert step.depends_on == []
    assert step.cwd == os.fspath(folder)
    assert step.env == {}
    assert step.needs_trust


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello then test", {"echo hello": [], "echo test": ["echo hello"]}),
        ("hello and test", {"echo hello": [], "echo test": []}),
        (
            "lint and typecheck then test",
            {"echo lint": [], "echo typecheck": [], "echo test": ["echo lint", "echo typecheck"]},
        ),
        (
            "hello then lint and typecheck",
            {"echo hello": [], "echo lint": ["echo hello"], "echo typecheck": ["echo hello"]},
        ),
        (
            "hello then lint then test",
            {"echo hello": [], "echo lint": ["echo hello"], "echo test": ["echo lint"]},
        ),
        (
            "ci",
            {"echo lint": [], "echo hello": ["echo lint"], "echo done": ["echo hello"]},
        ),
        (
            "checks then test",
            {
                "echo lint": [],
                "echo typecheck": [],
                "echo after": ["echo lint", "echo typecheck"],
                "echo test": ["echo after"],
            },
        ),
        (
            "ci and test",
            {
                "echo lint": [],
                "echo hello": ["echo lint"],
                "echo done": ["echo hello"],
                "echo test": [],
            },
        ),
        (
            "$ make && make check then hello",
            {"make && make check": [], "echo hello": ["make && make check"]},
        ),
    ],
)
def test_dependencies(folder: Path, text: str, expected: dict[str, list[str]]) -> None:
    p = plan(folder, text)
    assert graph(p) == expected
    assert len({s.id for s in p.steps}) == len(p.steps)


def test_nested_refs_expand_in_order(folder: Path) -> None:
    p = plan(folder, "outer")
    assert commands(p) == ["echo lint", "echo hello", "echo done", "echo hello world"]
    assert [s.title for s in p.steps] == ["ci: echo lint", "hello", "finish", "greet"]
    for before, after in zip(p.steps, p.steps[1:], strict=False):
        assert after.depends_on == [before.id]


def test_shell_segment(folder: Path) -> None:
    sub = folder / "sub"
    p = plan(folder, '$ git commit -m "fix and test"', cwd=sub)
    (step,) = p.steps
    assert step.args == {"command": 'git commit -m "fix and test"', "cwd": "sub"}
    assert step.title == '$ git commit -m "fix and test"'
    assert step.cwd == os.fspath(sub)


@pytest.mark.parametrize(
    ("text", "reading", "commands"),
    [
        ("$ echo cats and dogs", [["$ echo cats and dogs"]], ["echo cats and dogs"]),
        (
            "$ if [ -f go.mod ]; then echo yes; fi",
            [["$ if [ -f go.mod ]; then echo yes; fi"]],
            ["if [ -f go.mod ]; then echo yes; fi"],
        ),
        ("$ echo x then hello", [["$ echo x"], ["hello"]], ["echo x", "echo hello"]),
        (
            "$ echo x and intents.toml:lint",
            [["$ echo x", "intents.toml:lint"]],
            ["echo x", "echo lint"],
        ),
        ("$ echo x and $ echo y", [["$ echo x", "$ echo y"]], ["echo x", "echo y"]),
        ("$ ls then mkdir out", [["$ ls"], ["mkdir out"]], ["ls"]),
        ("$ ls then builtin:mkdir out", [["$ ls"], ["builtin:mkdir out"]], ["ls"]),
        (
            "lint and typecheck then test",
            [["lint", "typecheck"], ["test"]],
            ["echo lint", "echo typecheck", "echo test"],
        ),
    ],
)
def test_shell_text_v11_reading(
    folder: Path, text: str, reading: list[list[str]], commands: list[str]
) -> None:
    """Grammar v1.1: inside `$ …`, `and`/`then` hand over only to an intent of the folder."""
    p = plan(folder, text)
    assert p.reading == reading
    assert [s.args["command"] for s in p.steps if s.tool == "shell"] == commands
    assert to_wire(p)["reading"] == reading


@pytest.mark.parametrize(
    ("text", "cycle"),
    [
        ("loop", "intents.toml:loop → intents.toml:loop"),
        ("ping", "intents.toml:ping → intents.toml:pong → intents.toml:ping"),
        ("hello then pong", "intents.toml:pong → intents.toml:ping → intents.toml:pong"),
    ],
)
def test_cycle(folder: Path, text: str, cycle: str) -> None:
    with pytest.raises(IntentError, match=cycle):
        plan(folder, text)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("helo", "did you mean hello"),
        ("tset", "did you mean test"),
        ("hello then lnit", "did you mean lint"),
        ("zzzzzz", "known intents: "),
    ],
)
def test_unknown_intent(folder: Path, text: str, hint: str) -> None:
    with pytest.raises(IntentError, match="unknown intent") as info:
        plan(folder, text)
    assert hint in str(info.value)


def test_unknown_intent_in_empty_folder(tmp_path: Path) -> None:
    intents = Catalog(default_sources()).for_folder(tmp_path, True)
    request = PlanRequest("test", tmp_path, tmp_path.as_uri(), tmp_path)
    with pytest.raises(IntentError, match="defines no intents"):
        Planner.plan(intents, request)


@pytest.mark.parametrize("text", ["", "hello then", "'unclosed", "$"])
def test_unreadable_text_is_an_intent_error(folder: Path, text: str) -> None:
    with pytest.raises(IntentError):
        plan(folder, text)


@pytest.mark.parametrize(
    ("text", "params", "argv"),
    [
        ("greet", {}, ["echo", "hello", "world"]),
        ("greet", {"who": "Ada"}, ["echo", "hello", "Ada"]),
        ("greet", {"who": "Ada Lovelace"}, ["echo", "hello", "Ada Lovelace"]),
        ("greet", {"who": ""}, ["echo", "hello", ""]),
        (
            "greet",
            {"who": "$(rm -rf /); `x` 'q' \"d\""},
            ["echo", "hello", "$(rm -rf /); `x` 'q' \"d\""],
        ),
        ("greet", {"who": "x", "unused": "y"}, ["echo", "hello", "x"]),
        ("needy", {"what": "a;b"}, ["echo", "a;b"]),
        ("copy", {"src": "a b", "dst": "c d"}, ["cp", "a b", "c d"]),
    ],
)
def test_params(folder: Path, text: str, params: dict[str, str], argv: list[str]) -> None:
    (step,) = plan(folder, text, params).steps
    assert shlex.split(step.args["command"]) == argv


def test_param_value_is_not_substituted_again(folder: Path) -> None:
    (step,) = plan(folder, "copy", {"src": "${dst}", "dst": "x; touch pwned"}).steps
    assert shlex.split(step.args["command"]) == ["cp", "${dst}", "x; touch pwned"]


@pytest.mark.parametrize("text", ["needy", "copy", "hello then needy"])
def test_missing_param(folder: Path, text: str) -> None:
    with pytest.raises(IntentError, match=r"needs params\.(what|src)"):
        plan(folder, text)


def test_missing_param_message_has_its_description(folder: Path) -> None:
    with pytest.raises(IntentError, match="what to say"):
        plan(folder, "needy")


@pytest.mark.parametrize(
    ("text", "argv"),
    [
        ("hello world", ["echo", "hello", "world"]),
        ("hello 'a b' c;d", ["echo", "hello", "a b", "c;d"]),
        ('hello "$HOME" \\$x', ["echo", "hello", "$HOME", "$x"]),
        ("hello 'and' 'then'", ["echo", "hello", "and", "then"]),
        ("greet -n", ["echo", "hello", "world", "-n"]),
    ],
)
def test_extra_words_appended_quoted(folder: Path, text: str, argv: list[str]) -> None:
    (step,) = plan(folder, text).steps
    assert shlex.split(step.args["command"]) == argv


def test_extra_words_on_a_several_step_intent(folder: Path) -> None:
    with pytest.raises(IntentError, match="several steps"):
        plan(folder, "ci fast")


@pytest.mark.parametrize("text", ["intents.toml:hello", "hello"])
def test_source_qualified_name(folder: Path, text: str) -> None:
    (step,) = plan(folder, text).steps
    assert step.args["intent"] == "intents.toml:hello"


def test_unknown_source_qualified_name(folder: Path) -> None:
    with pytest.raises(IntentError, match="unknown intent 'make:hello'"):
        plan(folder, "make:hello")


def test_env_values_stay_off_the_plan(folder: Path) -> None:
    p = plan(folder, "secret")
    (step,) = p.steps
    assert step.args["env"] == ["API_TOKEN", "REGION"]
    assert step.env == {"API_TOKEN": "s3cr3t-value", "REGION": "eu-west-9"}
    assert step.args["cwd"] == "sub"
    assert step.cwd == os.fspath(folder / "sub")
    assert step.timeout_s == 30.0
    for value in ("s3cr3t-value", "eu-west-9"):
        assert value not in json.dumps(step.args)
        assert value not in json.dumps(to_wire(p))


def _two_sources(folder: Path) -> FolderIntents:
    return FolderIntents(
        folder,
        [
            IntentDef("test", "make", folder, [ShellAction("make test")]),
            IntentDef("test", "npm", folder, [ShellAction("npm test")]),
            IntentDef("lint", "npm", folder, [ShellAction("npm run lint")]),
        ],
        [],
    )


def _plan_two(folder: Path, text: str) -> Plan:
    return Planner.plan(_two_sources(folder), PlanRequest(text, folder, folder.as_uri(), folder))


def test_ambiguous_name(tmp_path: Path) -> None:
    with pytest.raises(AmbiguousIntent) as info:
        _plan_two(tmp_path, "lint then test")
    assert info.value.candidates == ["make:test", "npm:test"]
    assert info.value.alternatives == ["lint then make:test", "lint then npm:test"]
    for alternative in info.value.alternatives:
        assert [s.args["command"] for s in _plan_two(tmp_path, alternative).steps][-1] in (
            "make test",
            "npm test",
        )


@pytest.mark.parametrize(
    ("text", "command"), [("make:test", "make test"), ("npm:test", "npm test")]
)
def test_source_picks_one_of_several(tmp_path: Path, text: str, command: str) -> None:
    (step,) = _plan_two(tmp_path, text).steps
    assert step.args["command"] == command


def test_ambiguous_alternatives_replace_the_segment(tmp_path: Path) -> None:
    with pytest.raises(AmbiguousIntent) as info:
        _plan_two(tmp_path, "$ echo test then test")
    assert info.value.alternatives == [
        "$ echo test then make:test",
        "$ echo test then npm:test",
    ]


# ---- the catalog's cache ------------------------------------------------------------------


def test_catalog_caches_until_the_file_changes(tmp_path: Path) -> None:
    toml = tmp_path / "intents.toml"
    toml.write_text('[intents.a]\nrun = "echo aaa"\n', encoding="utf-8")
    catalog = Catalog(default_sources())
    first = catalog.for_folder(tmp_path, True)
    assert catalog.for_folder(tmp_path, True) is first

    # Different size.
    toml.write_text(
        '[intents.a]\nrun = "echo aaa"\n[intents.b]\nrun = "echo b"\n', encoding="utf-8"
    )
    assert sorted(i.name for i in catalog.for_folder(tmp_path, True).intents) == ["a", "b"]

    # Same size, different content and mtime.
    before = toml.stat()
    toml.write_text(
        '[intents.a]\nrun = "echo zzz"\n[intents.b]\nrun = "echo b"\n', encoding="utf-8"
    )
    os.utime(toml, ns=(before.st_atime_ns, before.st_mtime_ns + 2_000_000_000))
    (a,) = catalog.for_folder(tmp_path, True).lookup("a")
    assert a.actions == [ShellAction("echo zzz")]

    # Deleted, then created again.
    toml.unlink()
    assert catalog.for_folder(tmp_path, True).intents == []
    toml.write_text('[intents.c]\nrun = "echo c"\n', encoding="utf-8")
    assert [i.name for i in catalog.for_folder(tmp_path, True).intents] == ["c"]


def test_catalog_reports_problems(tmp_path: Path) -> None:
    (tmp_path / "intents.toml").write_text("[intents.x\n", encoding="utf-8")
    found = Catalog(default_sources()).for_folder(tmp_path, True)
    assert found.intents == []
    assert len(found.problems) == 1


def test_folder_intents_names_and_lookup(folder: Path) -> None:
    found = Catalog(default_sources()).for_folder(folder, True)
    assert "hello" in found.names()
    assert "intents.toml:hello" in found.names()
    assert [i.name for i in found.lookup("intents.toml:greet")] == ["greet"]
    assert found.lookup("nope") == []
    assert found.closest("helo")[0] == "hello"


def test_levels_and_critical_path_of_a_composition(tmp_path: Path) -> None:
    from intentls.planning.catalog import Catalog
    from intentls.planning.planner import Planner, PlanRequest
    from intentls.planning.sources import default_sources

    intents = Catalog(default_sources()).for_folder(tmp_path, True)
    plan = Planner.plan(
        intents,
        PlanRequest("$ a and $ b then $ c then $ d and $ e", tmp_path, "file:///p", tmp_path),
    )
    assert plan.levels == [["s1", "s2"], ["s3"], ["s4", "s5"]]
    assert plan.critical_path == ["s1", "s3", "s4"]
