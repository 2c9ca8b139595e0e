"""text.replace on real files: counts, regex, binary and links skipped, the prior content
recorded, the risk of many files."""

from __future__ import annotations

from pathlib import Path

import pytest

from intentls.tools.base import ToolError
from tests.unit.toolkit import content, do, plan


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    for rel, text in {
        "src/a.py": "foo = 1\nfoo()\n",
        "src/pkg/b.py": "print('foo')\n",
        "src/pkg/deep/c.py": "nothing here\n",
        "src/d.txt": "foo\n",
        "top.py": "foo\n",
    }.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    (path / "src/bin.py").write_bytes(b"foo\x00\xff")
    return path


def test_counts_per_file_and_total(ws: Path) -> None:
    done = do(ws, "text.replace", {"find": "foo", "replace": "bar", "glob": "src/**/*.py"})
    assert done.lines == [
        "src/a.py: 2 replacements",
        "src/bin.py: skipped (binary)",
        "src/pkg/b.py: 1 replacement",
        "total: 3 replacements in 2 files",
    ]
    assert (ws / "src/a.py").read_text() == "bar = 1\nbar()\n"
    assert (ws / "src/d.txt").read_text() == "foo\n"
    assert (ws / "top.py").read_text() == "foo\n"
    assert (ws / "src/bin.py").read_bytes() == b"foo\x00\xff"
    assert done.planned.risk == 2
    assert done.planned.args["writes"] == ["src/a.py", "src/pkg/b.py"]
    assert "3 matches in 2 of 4 files now" in done.planned.title
    assert [(o["op"], content(o)) for o in done.ops] == [
        ("restore", b"foo = 1\nfoo()\n"),
        ("restore", b"print('foo')\n"),
    ]


def test_literal_text_is_not_a_pattern(ws: Path) -> None:
    (ws / "r.txt").write_text("a.b a+b \\1\n")
    do(ws, "text.replace", {"find": "a.b", "replace": "\\1", "glob": "*.txt"})
    assert (ws / "r.txt").read_text() == "\\1 a+b \\1\n"


def test_regex_with_groups(ws: Path) -> None:
    done = do(
        ws,
        "text.replace",
        {"find": r"(\w+) = (\d)", "replace": r"\2 = \1", "glob": "src/*.py", "regex": True},
    )
    assert (ws / "src/a.py").read_text() == "1 = foo\nfoo()\n"
    assert done.lines[-1] == "total: 1 replacement in 1 file"


def test_bad_regex_is_refused_at_plan_time(ws: Path) -> None:
    with pytest.raises(ToolError, match="bad regular expression"):
        plan(ws, "text.replace", {"find": "(", "replace": "", "glob": "*", "regex": True})
    with pytest.raises(ToolError, match="bad regular expression"):
        plan(ws, "text.replace", {"find": "a", "replace": r"\9", "glob": "*", "regex": True})


def test_links_are_skipped(ws: Path) -> None:
    (ws / "link.py").symlink_to("top.py")
    done = do(ws, "text.replace", {"find": "foo", "replace": "x", "glob": "*.py"})
    assert "link.py: skipped (symbolic link)" in done.lines
    assert (ws / "top.py").read_text() == "x\n"


def test_many_files_is_risk_3(ws: Path) -> None:
    for n in range(21):
        (ws / f"m{n}.md").write_text("foo\n")
    assert plan(ws, "text.replace", {"find": "foo", "replace": "x", "glob": "*.md"}).risk == 3


def test_no_match_at_all_is_not_found(ws: Path) -> None:
    with pytest.raises(ToolError) as info:
        do(ws, "text.replace", {"find": "foo", "replace": "x", "glob": "*.rs"})
    assert info.value.category == "notFound"
