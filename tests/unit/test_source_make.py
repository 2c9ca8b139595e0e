"""Makefile targets read from the file: includes, help comments, what is not a target, and
nothing evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest

from intentls.planning.intents import ShellAction
from intentls.planning.sources.make import MakeSource
from tests.unit.source_fixtures import by_name, project


def test_targets_of_a_real_makefile_with_includes(tmp_path: Path) -> None:
    folder = project(tmp_path, "make")
    result = MakeSource().detect(folder, trusted=False)
    assert result.problems == []
    found = by_name(result)
    assert list(found) == [
        "docker-build",
        "docker-push",
        "release",
        "bench",
        "help",
        "build",
        "test",
        "lint",
        "install",
        "clean",
        "docs/widget.1",
        "ci-report",
    ]
    test = found["test"]
    assert test.source == "make" and test.qualified_name == "make:test"
    assert test.description == "Run the test suite"
    assert test.actions == [ShellAction("make test")]
    assert (test.defined_in, test.line) == (folder / "Makefile", 32)
    assert found["help"].line == 19 and found["help"].description == "Show this help"
    assert found["lint"].description is None
    assert found["docs/widget.1"].description is None, "one # is a comment, not a description"
    pushed = found["docker-push"]
    assert (pushed.defined_in, pushed.line) == (folder / "mk" / "docker.mk", 8)
    assert pushed.description == "Push the image"
    assert found["bench"].defined_in == folder / "mk" / "optional-bench.mk"


def test_nothing_was_evaluated(tmp_path: Path) -> None:
    folder = project(tmp_path, "make")
    MakeSource().detect(folder, trusted=True)
    assert not (folder / "pwned").exists()


def test_included_files_are_watched(tmp_path: Path) -> None:
    folder = project(tmp_path, "make")
    source = MakeSource()
    source.detect(folder, trusted=False)
    watched = source.watched_files(folder)
    for name in ("Makefile", "mk/docker.mk", "mk/release.mk", "mk/optional-bench.mk", "local.mk"):
        assert folder / name in watched


@pytest.mark.parametrize("name", ["GNUmakefile", "makefile", "Makefile"])
def test_every_name_make_reads(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("all:\n\techo hi\n", encoding="utf-8")
    assert [i.name for i in MakeSource().detect(tmp_path, True).intents] == ["all"]


def test_gnumakefile_is_read_before_makefile(tmp_path: Path) -> None:
    (tmp_path / "GNUmakefile").write_text("gnu:\n", encoding="utf-8")
    (tmp_path / "Makefile").write_text("plain:\n", encoding="utf-8")
    assert [i.name for i in MakeSource().detect(tmp_path, True).intents] == ["gnu"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("a b: c\n", ["a", "b"]),
        ("a:: \n", ["a"]),
        ("x y &: z\n", ["x", "y"]),
        ("VAR = a:b\nVAR2 := x\nV3 ::= y\nV4 ?= z\nV5 += w\nV6 != echo\n", []),
        ("export PATH := $(PWD)/bin:$(PATH)\n", []),
        ("override CFLAGS = -g\n", []),
        ("%.o: %.c\n\tcc\n", []),
        ("$(OUT)/x: y\n", []),
        ("$(OBJS): %.o: %.c\n", []),
        ("a.o b.o: %.o: %.c\n", ["a.o", "b.o"]),
        (".PHONY: a\n.SUFFIXES:\n.DEFAULT:\n.c.o:\n", []),
        ("target: VAR = value\n", []),
        ("t: override V += 1\nt2: export V := 2\nt3: private V ?= 3\n", []),
        (": orphan\n", []),
        ("long \\\n  names: deps\n", ["long", "names"]),
        ("define BLOCK\ninner: x\nendef\nafter:\n", ["after"]),
        ("a:\n\tb: not a target, a recipe line\n", ["a"]),
        ("ifeq ($(X),y)\nin-if:\nelse\nin-else:\nendif\n", ["in-if", "in-else"]),
        ("with\\#hash: x\n", ["with#hash"]),
        ("first: ## one\nfirst: ## two\n", ["first"]),
        ("vpath %.c src\n", []),
        ("a: $(shell touch pwned)\n", ["a"]),
    ],
)
def test_what_is_a_target(tmp_path: Path, text: str, names: list[str]) -> None:
    (tmp_path / "Makefile").write_text(text, encoding="utf-8")
    result = MakeSource().detect(tmp_path, True)
    assert [i.name for i in result.intents] == names
    assert result.problems == []


GITLIKE = """\
.PHONY: all install
all:: git$X
git.o: GIT-VERSION-FILE
git.o: EXTRA_CPPFLAGS = -DGIT_VERSION='"$(GIT_VERSION)"'
git.s git.o: git.c
po/git.pot: $(GENERATED_H)
config.status: configure
install: all
help:
\t@echo help
man-pages: doc
doc:
\t$(MAKE) -C Documentation
%.o: %.c
\t$(CC) -c $<
gen-%: gen/%.in
\tcp $< $@
gen-version:
\t./make-version
dist-%.tar:
.c.s:
\t$(CC) -S $<
"""


def test_listed_targets_are_tasks_and_file_targets_run_by_name(tmp_path: Path) -> None:
    """.PHONY targets and names that are no file are listed; `git.o`, `po/git.pot`,
    `config.status` and what a pattern rule makes (`gen-version`) only run when named."""
    (tmp_path / "Makefile").write_text(GITLIKE, encoding="utf-8")
    intents = MakeSource().detect(tmp_path, True).intents
    assert {i.name: i.listed for i in intents} == {
        "all": True,
        "git.o": False,
        "git.s": False,
        "po/git.pot": False,
        "config.status": False,
        "install": True,
        "help": True,
        "man-pages": True,
        "doc": True,
        "gen-version": False,
    }


def test_first_description_wins_and_later_lines_add_one(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("a:\na: ## later\nb: ## one\nb: ## two\n", encoding="utf-8")
    found = by_name(MakeSource().detect(tmp_path, True))
    assert (found["a"].line, found["a"].description) == (1, "later")
    assert found["b"].description == "one"


def test_targets_are_shell_quoted(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("it's:\n", encoding="utf-8")
    (intent,) = MakeSource().detect(tmp_path, True).intents
    assert intent.actions == [ShellAction("make 'it'\"'\"'s'")]


def test_includes_are_relative_to_the_folder_and_cycles_end(tmp_path: Path) -> None:
    (tmp_path / "mk").mkdir()
    (tmp_path / "Makefile").write_text("include mk/a.mk\ntop:\n", encoding="utf-8")
    (tmp_path / "mk" / "a.mk").write_text("include mk/b.mk\na:\n", encoding="utf-8")
    (tmp_path / "mk" / "b.mk").write_text("include mk/a.mk Makefile\nb:\n", encoding="utf-8")
    result = MakeSource().detect(tmp_path, True)
    assert [i.name for i in result.intents] == ["b", "a", "top"]


def test_missing_and_unexpandable_includes_are_ignored(tmp_path: Path) -> None:
    text = "include missing.mk\n-include $(HOME)/x.mk\nsinclude nope/*.mk\nok:\n"
    (tmp_path / "Makefile").write_text(text, encoding="utf-8")
    result = MakeSource().detect(tmp_path, True)
    assert [i.name for i in result.intents] == ["ok"]
    assert result.problems == []


def test_unreadable_makefile_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_bytes(b"ok:\n\xff\xfe: x\n")
    result = MakeSource().detect(tmp_path, True)
    assert result.intents == []
    (problem,) = result.problems
    assert problem.startswith("Makefile")


def test_no_makefile(tmp_path: Path) -> None:
    assert MakeSource().detect(tmp_path, True).intents == []
