"""package.json scripts: the package manager, workspaces of a monorepo, lines, problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intentls.planning.intents import ShellAction
from intentls.planning.sources.npm import NpmSource, pnpm_packages
from tests.unit.source_fixtures import by_name, project


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def test_pnpm_monorepo(tmp_path: Path) -> None:
    folder = project(tmp_path, "pnpm-monorepo")
    # Packages installed inside a workspace are not workspaces (and not in git: made here).
    write_json(folder / "apps/docs/node_modules/dep/package.json", {"scripts": {"x": "y"}})
    result = NpmSource().detect(folder, trusted=False)
    assert result.problems == []
    found = by_name(result)
    assert list(found) == [
        "build",
        "test",
        "lint",
        "format",
        "typecheck",
        "ui/build",
        "ui/test",
        "ui/storybook:dev",
        "docs/build",
        "web/dev",
        "web/build",
        "web/start",
    ], "packages/internal is excluded by '!packages/internal'"
    assert found["test"].actions == [ShellAction("pnpm run test")]
    assert found["test"].description == "pnpm -r test"
    assert (found["test"].defined_in, found["test"].line) == (folder / "package.json", 7)
    web = found["web/build"]
    assert web.actions == [ShellAction("pnpm run build", cwd="apps/web")]
    assert (web.defined_in, web.line) == (folder / "apps/web/package.json", 5)
    assert web.title == "build (web)"
    assert all(":" not in name.split("/")[0] for name in found)


def test_workspace_files_are_watched(tmp_path: Path) -> None:
    folder = project(tmp_path, "pnpm-monorepo")
    source = NpmSource()
    source.detect(folder, trusted=False)
    watched = source.watched_files(folder)
    for name in ("package.json", "pnpm-workspace.yaml", "pnpm-lock.yaml", "packages", "apps"):
        assert folder / name in watched
    assert folder / "apps/web/package.json" in watched


@pytest.mark.parametrize(
    ("files", "manifest", "expected"),
    [
        ([], {}, "npm run test --"),
        (["package-lock.json"], {}, "npm run test --"),
        (["pnpm-lock.yaml"], {}, "pnpm run test"),
        (["yarn.lock"], {}, "yarn run test"),
        (["bun.lockb"], {}, "bun run test"),
        (["bun.lock"], {}, "bun run test"),
        (["package-lock.json"], {"packageManager": "yarn@4.1.0"}, "yarn run test"),
        ([], {"packageManager": "pnpm@9.0.0+sha512.abc"}, "pnpm run test"),
        (["yarn.lock"], {"packageManager": "cnpm@1"}, "yarn run test"),
    ],
)
def test_package_manager(
    tmp_path: Path, files: list[str], manifest: dict[str, str], expected: str
) -> None:
    for name in files:
        (tmp_path / name).write_text("", encoding="utf-8")
    write_json(tmp_path / "package.json", {**manifest, "scripts": {"test": "jest"}})
    (intent,) = NpmSource().detect(tmp_path, True).intents
    assert intent.actions == [ShellAction(expected)]


def test_npm_workspaces_and_yarn_packages_object(tmp_path: Path) -> None:
    write_json(tmp_path / "package.json", {"workspaces": ["libs/*", "tools/cli"]})
    write_json(tmp_path / "libs/core/package.json", {"scripts": {"test": "node --test"}})
    write_json(tmp_path / "tools/cli/package.json", {"scripts": {"start": "node ."}})
    (tmp_path / "libs/empty").mkdir()
    found = by_name(NpmSource().detect(tmp_path, True))
    assert list(found) == ["core/test", "cli/start"]
    assert found["core/test"].actions == [ShellAction("npm run test --", cwd="libs/core")]
    write_json(tmp_path / "package.json", {"workspaces": {"packages": ["libs/*"]}})
    assert [i.name for i in NpmSource().detect(tmp_path, True).intents] == ["core/test"]


def test_packages_sharing_a_directory_name_use_their_path(tmp_path: Path) -> None:
    write_json(tmp_path / "package.json", {"workspaces": ["apps/*", "packages/*"]})
    write_json(tmp_path / "apps/web/package.json", {"scripts": {"build": "a"}})
    write_json(tmp_path / "packages/web/package.json", {"scripts": {"build": "b"}})
    write_json(tmp_path / "packages/ui/package.json", {"scripts": {"build": "c"}})
    names = [i.name for i in NpmSource().detect(tmp_path, True).intents]
    assert names == ["apps/web/build", "ui/build", "packages/web/build"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("packages:\n  - 'a/*'\n  - \"b\"\n  - c/** # comment\n", ["a/*", "b", "c/**"]),
        ("# x\npackages:\n\n  - a\nother:\n  - b\n", ["a"]),
        ("packages: ['a/*', \"b/*\"]\n", ["a/*", "b/*"]),
        ("catalog:\n  x: 1\n", []),
        ("packages:\n- top-level-dash\n", []),
    ],
)
def test_pnpm_workspace_yaml(text: str, expected: list[str]) -> None:
    assert pnpm_packages(text) == expected


def test_lines_of_scripts(tmp_path: Path) -> None:
    text = """{
  "name": "x",
  "config": { "scripts": { "fake": 1 } },
  "scripts": {
    "a": "echo {\\"scripts\\": 1}",
    "b:c": "echo",
    "nested": "x"
  },
  "a": 1
}
"""
    (tmp_path / "package.json").write_text(text, encoding="utf-8")
    result = NpmSource().detect(tmp_path, True)
    assert {i.name: i.line for i in result.intents} == {"a": 5, "b:c": 6, "nested": 7}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{ not json", "line 1"),
        ("[]", "object"),
        ('{"scripts": []}', "scripts"),
    ],
)
def test_malformed_package_json_is_a_problem(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "package.json").write_text(text, encoding="utf-8")
    result = NpmSource().detect(tmp_path, True)
    assert result.intents == []
    (problem,) = result.problems
    assert problem.startswith("package.json") and words in problem


def test_a_bad_script_does_not_hide_the_others(tmp_path: Path) -> None:
    write_json(tmp_path / "package.json", {"scripts": {"bad": 3, "good": "echo"}})
    result = NpmSource().detect(tmp_path, True)
    assert [i.name for i in result.intents] == ["good"]
    assert result.problems == ["package.json: script 'bad' must be a string"]


def test_a_broken_workspace_package_is_a_problem_naming_it(tmp_path: Path) -> None:
    write_json(tmp_path / "package.json", {"workspaces": ["p/*"], "scripts": {"t": "x"}})
    (tmp_path / "p/bad").mkdir(parents=True)
    (tmp_path / "p/bad/package.json").write_text("{", encoding="utf-8")
    result = NpmSource().detect(tmp_path, True)
    assert [i.name for i in result.intents] == ["t"]
    (problem,) = result.problems
    assert problem.startswith("p/bad/package.json")


def test_no_package_json(tmp_path: Path) -> None:
    assert NpmSource().detect(tmp_path, True).intents == []
