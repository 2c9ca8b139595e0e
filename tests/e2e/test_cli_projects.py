"""Real projects as a new user meets them in a terminal (issue 14): the real `intentls` in a
subprocess on real task files — Makefile file targets, conventional names, justfiles."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.terminal import cli, cli_into
from tests.unit.test_source_just import JUSTFILE
from tests.unit.test_source_make import GITLIKE


def git_init(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


def listed(home: Path, folder: Path) -> dict[str, dict[str, str]]:
    done = cli(home, folder, "list", "--json")
    assert done.returncode == 0, done.stderr
    return {i["name"]: i for i in json.loads(done.stdout)}


def test_makefile_file_targets_are_not_listed_but_run_by_name(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "c-project"
    folder.mkdir()
    git_init(folder)
    (folder / "Makefile").write_text(
        GITLIKE.replace("config.status: configure\n", "config.status:\n\t@echo configured\n"),
        encoding="utf-8",
    )
    names = listed(home, folder)
    assert {"all", "install", "help", "man-pages", "doc"} <= set(names)
    assert not {"git.o", "git.s", "po/git.pot", "config.status", "gen-version"} & set(names)
    ran = cli(home, folder, "run", "config.status")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "configured" in ran.stdout


def test_conventional_names_are_the_primary_build_systems(home: Path, tmp_path: Path) -> None:
    """git: a C project (Makefile) with a small Cargo crate — `build` and `test` are make's,
    `lint`/`format`/`typecheck` are not cargo's; vim's `types` target is no type check."""
    folder = tmp_path / "git"
    folder.mkdir()
    git_init(folder)
    (folder / "Makefile").write_text(
        ".PHONY: all check types\nall:\n\t@echo built-by-make\ncheck:\ntypes:\n", encoding="utf-8"
    )
    (folder / "Cargo.toml").write_text(
        '[package]\nname = "gitcore"\nversion = "0.1.0"\n', encoding="utf-8"
    )
    names = listed(home, folder)
    resolved = {n: i.get("resolvesTo") for n, i in names.items() if i.get("resolvesTo")}
    assert resolved == {"build": "make:all", "test": "make:check"}
    assert {"lint", "format", "typecheck"}.isdisjoint(names)
    ran = cli(home, folder, "run", "build")
    assert ran.returncode == 0 and "built-by-make" in ran.stdout, ran.stdout + ran.stderr


def test_just_aliases_and_positional_arguments(home: Path, tmp_path: Path) -> None:
    """The real just: an alias runs its recipe; words after a recipe are its arguments, a
    default replaced rather than followed."""
    folder = tmp_path / "justproject"
    folder.mkdir()
    git_init(folder)
    (folder / "justfile").write_text(JUSTFILE, encoding="utf-8")
    assert listed(home, folder)["t"]["description"] == "alias of test"
    for text, printed in [
        ("t", "testing"),
        ("filter foo", "foo"),
        ("watch", "watching lcheck"),
        ("watch ltest", "watching ltest"),
    ]:
        ran = cli(home, folder, "run", text)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert printed + "\n" in ran.stdout, (text, ran.stdout)


def test_a_folder_the_run_made_goes_with_what_it_ignores(home: Path, tmp_path: Path) -> None:
    """A run that makes a self-ignoring cache folder (`.ruff_cache/` holds a `*` .gitignore) is
    undone, the ignored content included; covered content made after the run stays."""
    folder = tmp_path / "cache"
    folder.mkdir()
    git_init(folder)
    made = cli(
        home,
        folder,
        "run",
        "$ mkdir -p .c/sub && printf '*\\n' > .c/.gitignore && touch .c/data .c/sub/x",
    )
    assert made.returncode == 0, made.stdout + made.stderr
    undone = cli(home, folder, "undo", "--json")
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert json.loads(undone.stdout)["status"] == "undone"
    assert not (folder / ".c").exists()
    assert (
        cli(
            home, folder, "run", "$ mkdir d && touch d/f && printf '*\\n' > d/.gitignore"
        ).returncode
        == 0
    )
    (folder / "d" / ".gitignore").write_text("ignored\n", encoding="utf-8")  # now d/ is covered
    (folder / "d" / "mine.txt").write_text("kept\n", encoding="utf-8")
    refused = json.loads(cli(home, folder, "undo", "--json").stdout)
    assert refused["status"] == "refused"
    assert (folder / "d" / "mine.txt").read_text(encoding="utf-8") == "kept\n"


def test_the_next_undo_returns_to_a_partly_undone_run(home: Path, tmp_path: Path) -> None:
    """A run partly undone (a file changed by hand since) stays the undo target: the next undo
    comes back to it, `--force` reaches what was left, and only then an older run is undone."""
    folder = tmp_path / "partial"
    folder.mkdir()
    git_init(folder)
    older = cli(home, folder, "run", "$ echo old > older.txt")
    newer = cli(home, folder, "run", "$ echo a > a.txt && echo b > b.txt")
    assert older.returncode == newer.returncode == 0
    (folder / "b.txt").write_text("by hand\n", encoding="utf-8")
    first = cli(home, folder, "undo")
    assert first.returncode == 1
    assert first.stdout.startswith("partly undone «$ echo a > a.txt && echo b > b.txt» (run ")
    assert "'intentls undo --force'" in first.stdout
    again = json.loads(cli(home, folder, "undo", "--json").stdout)
    assert again["status"] == "partial" and (folder / "older.txt").exists()
    forced = json.loads(cli(home, folder, "undo", "--force", "--json").stdout)
    assert (forced["runId"], forced["status"]) == (again["runId"], "undone")
    assert not (folder / "b.txt").exists()
    last = cli(home, folder, "undo")
    assert last.stdout.startswith("undone «$ echo old > older.txt» (run "), last.stdout
    assert not (folder / "older.txt").exists()
    redone = cli(home, folder, "redo")
    assert redone.stdout.startswith("redone «$ echo old > older.txt» (run "), redone.stdout


def test_a_closed_pipe_stops_writing_quietly(home: Path, tmp_path: Path) -> None:
    """`| head`: no traceback, the run ends as it would have (recorded succeeded, undoable),
    and `list --json` / `undo --json` stop writing quietly too."""
    folder = tmp_path / "piped"
    folder.mkdir()
    git_init(folder)
    ran = cli_into(home, folder, "head -1", "run", "$ seq 1 100000; echo done > out.txt")
    assert (ran.returncode, ran.stderr) == (0, "")
    (newest,) = json.loads(cli(home, folder, "history", "--json", "--limit", "1").stdout)
    assert (newest["status"], newest["undoable"]) == ("succeeded", True)
    assert (folder / "out.txt").read_text(encoding="utf-8") == "done\n"
    names = " ".join(f"target-number-{n}" for n in range(3000))
    (folder / "Makefile").write_text(f".PHONY: {names}\n{names}: ## a task\n", encoding="utf-8")
    listed = cli_into(home, folder, "head -c 100", "list", "--json")
    assert (listed.returncode, listed.stderr) == (0, "")
    many = "$ mkdir many && cd many && seq -f 'a-long-name-to-fill-a-pipe-%05g' 3000 | xargs touch"
    assert cli(home, folder, "run", many).returncode == 0
    undone = cli_into(home, folder, "head -c 300", "undo", "--json")
    assert (undone.returncode, undone.stderr) == (0, "")
    assert not (folder / "many").exists()


def test_the_folder_a_person_stands_in(home: Path, tmp_path: Path) -> None:
    """Below the repository's top, the nearest folder with task files is the project: its
    intents are listed (and `list` says which folder) and run; above any, the top's."""
    top = tmp_path / "mono"
    web = top / "packages" / "web"
    (web / "src").mkdir(parents=True)
    git_init(top)
    (top / "intents.toml").write_text('[intents.root]\nrun = "echo root"\n', encoding="utf-8")
    (web / "package.json").write_text(
        json.dumps({"scripts": {"compile": "echo compiled"}}), encoding="utf-8"
    )
    assert {i["folder"] for i in listed(home, web / "src").values()} == {web.as_uri()}
    shown = cli(home, web / "src", "list")
    assert shown.stdout.startswith(f"intents of .. ({web})"), shown.stdout
    ran = cli(home, web / "src", "run", "compile")
    assert ran.returncode == 0 and "compiled" in ran.stdout, ran.stdout + ran.stderr
    assert set(listed(home, top / "packages")) == {"root"}


def test_messages_that_say_how_to_go_on(home: Path, tmp_path: Path) -> None:
    """A risky refusal names --yes; deleting what is not there is no risk but "nothing to
    delete"; a package.json with a BOM is read; long names are whole when piped; `plan` shows
    how text is read and what would run, and runs nothing."""
    folder = tmp_path / "messages"
    (folder / "build").mkdir(parents=True)
    git_init(folder)
    (folder / "build" / "a.o").write_text("x", encoding="utf-8")
    risky = cli(home, folder, "run", "delete build")
    assert risky.returncode == 2 and "intentls run 'delete build' --yes" in risky.stdout
    missing = cli(home, folder, "run", "delete nonexist")
    assert missing.returncode == 1 and "risk" not in missing.stdout
    assert "nothing to delete: nonexist not found" in missing.stdout
    long_name = "a-script-with-a-name-long-enough-to-be-cut-where-a-terminal-would-end-its-line"
    scripts = {"hello": "echo hi", long_name: "echo long"}
    (folder / "package.json").write_bytes(
        b"\xef\xbb\xbf" + json.dumps({"scripts": scripts}).encode()
    )
    shown = cli(home, folder, "list")
    assert shown.stderr == "" and long_name in shown.stdout.splitlines()[3], shown.stdout
    planned = cli(home, folder, "plan", "$ echo cats and dogs then hello")
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.startswith("read as: «$ echo cats and dogs» then «hello»\n")
    plan = json.loads(cli(home, folder, "plan", "$ echo a then hello", "--json").stdout)
    assert plan["reading"] == [["$ echo a"], ["hello"]]
    assert [s["args"]["command"] for s in plan["steps"]] == ["echo a", "npm run hello --"]
    unknown = cli(home, folder, "plan", "helo")
    assert unknown.returncode == 2 and "did you mean hello" in unknown.stderr
    ran = json.loads(cli(home, folder, "history", "--json").stdout)
    assert [r["intent"] for r in ran] == ["delete nonexist", "delete build"], "plan ran nothing"
