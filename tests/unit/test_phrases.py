"""Free-text phrases → plans: a table of phrases with the tool, arguments and risk they plan;
precedence against intent names; and the planner never crashes on arbitrary text."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intentls.model import Plan
from intentls.planning.catalog import Catalog, FolderIntents
from intentls.planning.planner import AmbiguousIntent, IntentError, Planner, PlanRequest
from intentls.planning.sources import default_sources

FILES = {
    "a.py": "foo\n",
    "old name.txt": "x\n",
    "x.pdf": "",
    "y.pdf": "",
    "docs/readme.md": "foo\n",
    "src/m.py": "foo\n",
    "src/pkg/n.py": "foo bar\n",
    "build/out.o": "",
    "notes.txt": "n\n",
}


def _make(path: Path, intents: str = '[intents.test]\nrun = "pytest"\n') -> Path:
    for rel, text in FILES.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    (path / "intents.toml").write_text(intents)
    return path


@pytest.fixture(scope="module")
def ws() -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        yield _make(Path(tmp).resolve())


def planned(ws: Path, text: str) -> Plan:
    intents = Catalog(default_sources()).for_folder(ws, True)
    return Planner.plan(intents, PlanRequest(text, ws, ws.as_uri(), ws))


M, C, D = "file.move", "file.copy", "file.delete"
TABLE: list[tuple[str, str, dict[str, Any], int]] = [
    # rename / move
    ("rename a.py to b.py", M, {"sources": ["a.py"], "destination": "b.py"}, 2),
    ("RENAME a.py TO b.py", M, {"sources": ["a.py"], "destination": "b.py"}, 2),
    ("rename 'old name.txt' to 'new name.txt'", M, {"destination": "new name.txt"}, 2),
    ('rename "old name.txt" to new\\ name.txt', M, {"sources": ["old name.txt"]}, 2),
    ("rename a.py to notes.txt", M, {"overwrite": True}, 3),
    ("rename a.py to src/", M, {"destination": "src/", "into": True}, 2),
    ("move *.pdf to docs/", M, {"sources": ["*.pdf"], "destination": "docs/", "into": True}, 2),
    ("move *.pdf into docs", M, {"destination": "docs/", "into": True}, 2),
    ("move a.py notes.txt to archive/", M, {"sources": ["a.py", "notes.txt"]}, 2),
    ("move a.py to b.py", M, {"into": False, "destination": "b.py"}, 2),
    ("mv a.py b.py", M, {"sources": ["a.py"], "destination": "b.py"}, 2),
    ("mv x.pdf y.pdf docs", M, {"sources": ["x.pdf", "y.pdf"], "into": True}, 2),
    ("move src/**/*.py to flat/", M, {"reads": ["src/m.py", "src/pkg/n.py"]}, 2),
    ("move 'to' to x", M, {"sources": ["to"], "destination": "x"}, 2),
    # copy
    ("copy a.py to b.py", C, {"sources": ["a.py"], "destination": "b.py"}, 2),
    ("copy a.py to docs/", C, {"destination": "docs/", "into": True}, 2),
    ("copy *.pdf to docs", C, {"writes": ["docs/x.pdf", "docs/y.pdf"]}, 2),
    ("cp a.py b.py", C, {"sources": ["a.py"], "destination": "b.py"}, 2),
    ("copy src to src2", C, {"sources": ["src"], "destination": "src2"}, 2),
    ("copy a.py to notes.txt", C, {"overwrite": True}, 3),
    ("copy 'old name.txt' into docs", C, {"sources": ["old name.txt"]}, 2),
    # delete
    ("delete build", D, {"paths": ["build"], "writes": ["build"]}, 3),
    ("delete a.py notes.txt", D, {"paths": ["a.py", "notes.txt"]}, 3),
    ("delete *.pdf", D, {"writes": ["x.pdf", "y.pdf"]}, 3),
    ("delete folder build", D, {"paths": ["build"]}, 3),
    ("delete file a.py", D, {"paths": ["a.py"]}, 3),
    ("remove build", D, {"paths": ["build"]}, 3),
    ("rm -rf build", D, {"paths": ["build"]}, 3),
    ("delete 'old name.txt'", D, {"paths": ["old name.txt"]}, 3),
    ("delete file", D, {"paths": ["file"]}, 1),  # nothing there now: nothing to confirm
    ("delete nonexist", D, {"paths": ["nonexist"], "writes": ["nonexist"]}, 1),
    # create, mkdir
    ("create file notes/todo.md", "file.create", {"path": "notes/todo.md", "content": ""}, 1),
    (
        "create file notes/todo.md with content buy milk",
        "file.create",
        {"path": "notes/todo.md", "content": "buy milk\n"},
        1,
    ),
    ("create file t.md containing 'a b'", "file.create", {"content": "a b\n"}, 1),
    ("create file 'my notes.md'", "file.create", {"path": "my notes.md"}, 1),
    ("new file n.md", "file.create", {"path": "n.md"}, 1),
    ("touch n.md", "file.create", {"path": "n.md"}, 1),
    ("mkdir out", "file.mkdir", {"path": "out"}, 1),
    ("mkdir -p out/deep", "file.mkdir", {"path": "out/deep"}, 1),
    ("create folder out", "file.mkdir", {"path": "out"}, 1),
    ("create directory 'my dir'", "file.mkdir", {"path": "my dir"}, 1),
    ("new folder out", "file.mkdir", {"path": "out"}, 1),
    # write, append
    ("write hello world to file out.txt", "file.write", {"content": "hello world\n"}, 2),
    ("write hello to out.txt", "file.write", {"path": "out.txt", "overwrite": False}, 2),
    ("write 'a to b' to notes.txt", "file.write", {"content": "a to b\n", "overwrite": True}, 3),
    ("append TODO: more to notes.txt", "file.append", {"content": "TODO: more\n"}, 1),
    ("append x to file new.log", "file.append", {"path": "new.log"}, 1),
    # replace
    (
        "replace foo with bar in src/**/*.py",
        "text.replace",
        {"find": "foo", "replace": "bar", "glob": "src/**/*.py", "regex": False},
        2,
    ),
    (
        "replace regex 'fo+' with baz in '**/*.md'",
        "text.replace",
        {"find": "fo+", "regex": True, "writes": ["docs/readme.md"]},
        2,
    ),
    ("replace 'foo bar' with 'baz' in src/pkg/*.py", "text.replace", {"find": "foo bar"}, 2),
    ("replace foo with '' in *.py", "text.replace", {"replace": ""}, 2),
    ("replace with with in in *.py", "text.replace", {"find": "with", "replace": "in"}, 2),
    # git
    ("commit with message fix the bug", "git.commit", {"message": "fix the bug"}, 1),
    ("commit -m 'fix and test'", "git.commit", {"message": "fix and test"}, 1),
    ("git commit -m wip", "git.commit", {"message": "wip"}, 1),
    ("stage a.py src", "git.stage", {"paths": ["a.py", "src"]}, 1),
    ("stage all", "git.stage", {"paths": ["."]}, 1),
    ("git add .", "git.stage", {"paths": ["."]}, 1),
    ("stash", "git.stash", {}, 2),
    ("stash with message half done", "git.stash", {"message": "half done"}, 2),
    ("git stash push -m wip", "git.stash", {"message": "wip"}, 2),
    ("git stash", "git.stash", {}, 2),
    ("switch to branch main", "git.branch", {"name": "main", "create": False}, 2),
    ("switch to main", "git.branch", {"name": "main", "create": False}, 2),
    ("checkout main", "git.branch", {"name": "main", "create": False}, 2),
    ("git switch main", "git.branch", {"name": "main", "create": False}, 2),
    ("create branch feature/x", "git.branch", {"name": "feature/x", "create": True}, 1),
    ("new branch feature", "git.branch", {"name": "feature", "create": True}, 1),
    ("git checkout -b feature", "git.branch", {"name": "feature", "create": True}, 1),
    ("git switch -c feature", "git.branch", {"name": "feature", "create": True}, 1),
    ("git status", "git.status", {}, 0),
    ("builtin:copy a.py to b.py", C, {"sources": ["a.py"]}, 2),
]


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 60


@pytest.mark.parametrize(("text", "tool", "args", "risk"), TABLE, ids=[t[0] for t in TABLE])
def test_phrase(ws: Path, text: str, tool: str, args: dict[str, Any], risk: int) -> None:
    plan = planned(ws, text)
    (step,) = plan.steps
    assert step.tool == tool
    assert {k: step.args.get(k) for k in args} == args
    assert step.risk == risk
    assert step.needs_trust is False
    assert "reads" in step.args and "writes" in step.args
    assert 0 < plan.confidence <= 1


@pytest.mark.parametrize(
    ("text", "confidence"),
    [("rename a.py to b.py", 1.0), ("mv a.py b.py", 0.9), ("checkout main", 0.9), ("test", 1.0)],
)
def test_confidence(ws: Path, text: str, confidence: float) -> None:
    assert planned(ws, text).confidence == confidence


def test_composition(ws: Path) -> None:
    plan = planned(ws, "stage all then commit -m 'x and y' then $ git log")
    assert [s.tool for s in plan.steps] == ["git.stage", "git.commit", "shell"]
    assert [s.depends_on for s in plan.steps] == [[], ["s1"], ["s2"]]
    both = planned(ws, "mkdir a and mkdir b then git status")
    assert [s.depends_on for s in both.steps] == [[], [], ["s1", "s2"]]


@pytest.fixture
def with_copy(tmp_path: Path) -> Path:
    return _make(tmp_path, '[intents.copy]\nrun = "cp -r"\n[intents.test]\nrun = "pytest"\n')


def test_intent_name_wins_when_the_phrase_does_not_match(with_copy: Path) -> None:
    ws = with_copy
    (step,) = planned(ws, "copy").steps
    assert step.tool == "shell" and step.args["command"] == "cp -r"
    (step,) = planned(ws, "copy a b").steps
    assert step.tool == "shell"


def test_intent_name_and_phrase_is_ambiguous(with_copy: Path) -> None:
    ws = with_copy
    with pytest.raises(AmbiguousIntent) as info:
        planned(ws, "copy a.py to b.py")
    assert info.value.candidates == ["builtin:copy", "intents.toml:copy"]
    assert info.value.alternatives == [
        "builtin:copy a.py to b.py",
        "intents.toml:copy a.py to b.py",
    ]
    assert planned(ws, info.value.alternatives[0]).steps[0].tool == "file.copy"
    assert planned(ws, info.value.alternatives[1]).steps[0].tool == "shell"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rename a.py", "does not read as the built-in phrase rename A to B"),
        ("replace foo with bar", "replace [regex] FIND with REPLACEMENT in GLOB"),
        ("renmae a to b", "or the built-in phrase rename A to B?"),
        ("tets", "did you mean test"),
        ("builtin:frobnicate x", "is not a built-in phrase"),
        ("'rename' a to b", "unknown intent 'rename'"),
        ("delete ../x", "outside the workspace folders"),
        ("replace regex '(' with x in *.py", "bad regular expression"),
    ],
)
def test_what_matches_nothing(ws: Path, text: str, message: str) -> None:
    with pytest.raises(IntentError) as info:
        planned(ws, text)
    assert message in str(info.value)


WORDS = st.sampled_from(
    [
        "rename", "move", "copy", "delete", "to", "into", "with", "in", "then", "and", "$",
        "regex", "replace", "create", "file", "folder", "branch", "git", "status", "commit",
        "-m", "message", "stash", "switch", "*.py", "**", "../x", "/", "/etc", "a", "'a b'",
        '"', "'", "\\", "builtin:copy", "test", "copy", "mkdir", "append", "write", ".", "",
    ]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=60), st.lists(WORDS, max_size=8).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_never_crashes(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = _make(Path(tmp).resolve(), '[intents.copy]\nrun = "cp"\n[intents.test]\nrun = "t"\n')
        intents: FolderIntents = Catalog(default_sources()).for_folder(ws, True)
        try:
            plan = Planner.plan(intents, PlanRequest(text, ws, ws.as_uri(), ws))
        except IntentError as exc:
            assert str(exc)
            return
        assert isinstance(plan, Plan) and plan.steps
        assert all(0 <= s.risk <= 3 for s in plan.steps)
