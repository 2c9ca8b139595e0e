"""justfile recipes: parameters, descriptions, private recipes, imports; nothing evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest

from intentls.model import IntentParam
from intentls.planning.catalog import Catalog
from intentls.planning.intents import ShellAction
from intentls.planning.planner import Planner, PlanRequest
from intentls.planning.sources import default_sources
from intentls.planning.sources.just import JustSource
from tests.unit.source_fixtures import by_name, project


def test_recipes_of_a_real_justfile(tmp_path: Path) -> None:
    folder = project(tmp_path, "just")
    result = JustSource().detect(folder, trusted=False)
    assert result.problems == []
    found = by_name(result)
    assert list(found) == ["default", "build", "test", "deploy", "fmt", "release", "b"]
    build = found["build"]
    assert build.source == "just"
    assert build.actions == [ShellAction("just build ${mode}")]
    assert build.params == [IntentParam("mode", None, "debug")]
    assert build.description == "Build in the given mode"
    alias = found["b"]
    assert alias.actions == [ShellAction("just b ${mode}")] and alias.params == build.params
    assert alias.description == "alias of build: Build in the given mode"
    assert alias.line == 6
    assert (build.defined_in, build.line) == (folder / "justfile", 13)
    test = found["test"]
    assert test.description == "Run the tests, optionally filtered", "above the attribute"
    assert test.params == [IntentParam("filter", None, "")]
    assert test.actions == [ShellAction("just test ${filter}")], "*flags left to extra words"
    deploy = found["deploy"]
    assert deploy.description == "Deploy to an environment"
    assert deploy.params == [IntentParam("env")], "region's default is a variable: just's"
    assert deploy.actions == [ShellAction("just deploy ${env}")]
    assert found["fmt"].actions == [ShellAction("just fmt")]
    assert found["release"].params == [
        IntentParam("version"),
        IntentParam("notes", "one or more words"),
    ]


@pytest.mark.parametrize("name", ["justfile", "Justfile", ".justfile"])
def test_every_file_name(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("hello:\n    echo hi\n", encoding="utf-8")
    assert [i.name for i in JustSource().detect(tmp_path, True).intents] == ["hello"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("x := 'a:b'\ny:='c'\n", []),
        ("export X := 'a'\nalias t := test\nset shell := ['bash', '-c']\n", []),
        (
            "alias t := test\ntest:\n[private]\nalias _u := test\nalias v := nothing\n",
            ["test", "t"],
        ),
        ("[private]\nalias w := test\ntest:\nalias test := x\n", ["test"]),
        ("a: b c\nb:\nc:\n", ["a", "b", "c"]),
        ("url u='http://x:1':\n    curl {{u}}\n", ["url"]),
        ("_hidden:\n[private]\nalso:\n[group('x')]\nshown:\n", ["shown"]),
        ("[private, no-cd]\nalso:\nok:\n", ["ok"]),
        ("a:\n    echo b: c\n    # c:\n", ["a"]),
        ("#!/usr/bin/env just --justfile\nstart:\n", ["start"]),
        ("dup:\ndup:\n", ["dup"]),
        ("mod tools\nmod? extra 'x.just'\nok:\n", ["ok"]),
        ("ok: # trailing comment: with colon\n", ["ok"]),
    ],
)
def test_what_is_a_recipe(tmp_path: Path, text: str, names: list[str]) -> None:
    (tmp_path / "justfile").write_text(text, encoding="utf-8")
    assert [i.name for i in JustSource().detect(tmp_path, True).intents] == names


@pytest.mark.parametrize(
    ("header", "params", "passed"),
    [
        ("r a b", [IntentParam("a"), IntentParam("b")], ["a", "b"]),
        ('r a="x y"', [IntentParam("a", None, "x y")], ["a"]),
        ('r a="q\\"t"', [IntentParam("a", None, 'q"t')], ["a"]),
        ("r $a", [IntentParam("a")], ["a"]),
        ("r a=`date` b='x'", [], []),
        ("r a=(b + 'c')", [], []),
        ("r *rest", [], []),
        ("r a +rest", [IntentParam("a"), IntentParam("rest", "one or more words")], ["a", "rest"]),
    ],
)
def test_parameters(
    tmp_path: Path, header: str, params: list[IntentParam], passed: list[str]
) -> None:
    (tmp_path / "justfile").write_text(f"{header}:\n    echo\n", encoding="utf-8")
    (intent,) = JustSource().detect(tmp_path, True).intents
    assert intent.params == params
    assert intent.actions == [ShellAction(" ".join(["just r", *(f"${{{p}}}" for p in passed)]))]


def test_comment_then_blank_line_is_not_a_description(tmp_path: Path) -> None:
    (tmp_path / "justfile").write_text("# about the file\n\nr:\n", encoding="utf-8")
    (intent,) = JustSource().detect(tmp_path, True).intents
    assert intent.description is None


def test_imports_are_read_and_watched(tmp_path: Path) -> None:
    (tmp_path / "just").mkdir()
    (tmp_path / "justfile").write_text(
        "import 'just/more.just'\nimport? 'just/missing.just'\ntop:\n", encoding="utf-8"
    )
    (tmp_path / "just" / "more.just").write_text("# more\nmore:\n", encoding="utf-8")
    source = JustSource()
    result = source.detect(tmp_path, True)
    assert result.problems == []
    found = by_name(result)
    assert list(found) == ["more", "top"]
    assert found["more"].defined_in == tmp_path / "just" / "more.just"
    assert tmp_path / "just" / "more.just" in source.watched_files(tmp_path)


def test_a_missing_required_import_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "justfile").write_text("import 'gone.just'\nok:\n", encoding="utf-8")
    result = JustSource().detect(tmp_path, True)
    assert [i.name for i in result.intents] == ["ok"]
    (problem,) = result.problems
    assert "gone.just" in problem


def test_unreadable_justfile_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "justfile").write_bytes(b"\xff\xfe\n")
    result = JustSource().detect(tmp_path, True)
    assert result.intents == [] and result.problems[0].startswith("justfile")


JUSTFILE = """\
alias t := test
test:
    echo testing
filter PATTERN:
    echo {{PATTERN}}
watch target='lcheck' *rest:
    echo watching {{target}} {{rest}}
"""


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("t", "just t"),
        ("filter foo", "just filter foo"),
        ("watch", "just watch lcheck"),
        ("watch ltest", "just watch ltest"),
        ("watch ltest more words", "just watch ltest more words"),
        ("filter 'a b' c", "just filter 'a b' c"),
    ],
)
def test_words_after_a_recipe_are_its_arguments(tmp_path: Path, text: str, command: str) -> None:
    """Aliases run; words after the name fill the recipe's parameters in order, defaults
    included, and any left over follow them — as on just's own command line."""
    (tmp_path / "justfile").write_text(JUSTFILE, encoding="utf-8")
    intents = Catalog(default_sources()).for_folder(tmp_path, True)
    request = PlanRequest(text, tmp_path, tmp_path.as_uri(), tmp_path)
    (step,) = Planner.plan(intents, request).steps
    assert step.args["command"] == command


def test_a_named_param_still_wins_over_words(tmp_path: Path) -> None:
    (tmp_path / "justfile").write_text(JUSTFILE, encoding="utf-8")
    intents = Catalog(default_sources()).for_folder(tmp_path, True)
    request = PlanRequest("watch x", tmp_path, tmp_path.as_uri(), tmp_path, {"target": "t"})
    (step,) = Planner.plan(intents, request).steps
    assert step.args["command"] == "just watch t x"
