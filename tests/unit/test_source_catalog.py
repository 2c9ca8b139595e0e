"""The catalog over every source: tiers of plain names, conventional names, `SOURCE:NAME`,
intents.toml referring to detected tasks, refresh when any read file changes, and nothing run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from intentls.model import Plan
from intentls.planning.catalog import Catalog, FolderIntents
from intentls.planning.planner import AmbiguousIntent, IntentError, Planner, PlanRequest
from intentls.planning.sources import default_sources
from intentls.wire import to_wire
from tests.unit.source_fixtures import project


def catalog_of(folder: Path, trusted: bool = True) -> FolderIntents:
    return Catalog(default_sources()).for_folder(folder, trusted)


def plan(intents: FolderIntents, text: str) -> Plan:
    folder = intents.folder
    return Planner.plan(intents, PlanRequest(text, folder, folder.as_uri(), folder))


def steps(p: Plan) -> list[tuple[str, str, str]]:
    return [(s.title, s.args["command"], s.args.get("intent", "")) for s in p.steps]


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


MAKE_AND_NPM = {
    "Makefile": "test: ## make's tests\n\techo make-test\nbuild:\n\techo make-build\n",
    "package.json": json.dumps({"scripts": {"test": "echo npm-test", "lint": "echo lint"}}),
}


def test_two_task_files_defining_a_name_are_ambiguous(tmp_path: Path) -> None:
    write(tmp_path, MAKE_AND_NPM)
    intents = catalog_of(tmp_path)
    assert [i.qualified_name for i in intents.lookup("test")] == ["npm:test", "make:test"]
    with pytest.raises(AmbiguousIntent) as info:
        plan(intents, "test then lint")
    assert info.value.candidates == ["make:test", "npm:test"]
    assert info.value.alternatives == ["make:test then lint", "npm:test then lint"]
    assert steps(plan(intents, "make:test")) == [("test", "make test", "make:test")]
    assert steps(plan(intents, "npm:test")) == [("test", "npm run test --", "npm:test")]


def test_intents_toml_settles_a_shared_name_and_refers_to_detected_tasks(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **MAKE_AND_NPM,
            "intents.toml": '[intents.test]\nsteps = [{intent = "make:test"}]\n'
            '[intents.ci]\nrun = "echo ci"\nneeds = ["npm:lint", "build"]\n',
        },
    )
    intents = catalog_of(tmp_path)
    assert steps(plan(intents, "test")) == [("test", "make test", "make:test")]
    ci = plan(intents, "ci")
    assert steps(ci) == [
        ("lint", "npm run lint --", "npm:lint"),
        ("build", "make build", "make:build"),
        ("ci", "echo ci", "intents.toml:ci"),
    ]
    assert ci.steps[2].depends_on == ["s1", "s2"]


def test_a_definition_that_refers_to_an_ambiguous_name_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {**MAKE_AND_NPM, "intents.toml": '[intents.ci]\nneeds = ["test"]\nrun = "x"\n'})
    with pytest.raises(IntentError, match="make:test, npm:test"):
        plan(catalog_of(tmp_path), "ci")


def test_task_files_win_over_tool_commands(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "Makefile": "test:\n\tcargo test --all\n",
            "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n',
        },
    )
    intents = catalog_of(tmp_path)
    assert [i.qualified_name for i in intents.lookup("test")] == ["make:test"]
    assert [i.qualified_name for i in intents.lookup("build")] == ["cargo:build"]
    assert [i.qualified_name for i in intents.lookup("cargo:test")] == ["cargo:test"]


def test_two_tools_defining_a_name_are_ambiguous(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"go.mod": "module x\n", "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n'},
    )
    assert len(catalog_of(tmp_path).lookup("build")) == 2


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"package.json": json.dumps({"scripts": {"start": "node ."}})}, {"run": "npm:start"}),
        (
            {"package.json": json.dumps({"scripts": {"tsc": "tsc", "eslint": "eslint ."}})},
            {"typecheck": "npm:tsc", "lint": "npm:eslint"},
        ),
        ({"Makefile": "check:\n"}, {"test": "make:check"}),
        (
            {"package.json": json.dumps({"scripts": {"check": "svelte-check"}})},
            {},
        ),
        ({"justfile": "fmt:\n    x\n"}, {"format": "just:fmt"}),
        (
            {"Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n'},
            {"lint": "cargo:clippy", "format": "cargo:fmt", "typecheck": "cargo:check"},
        ),
        ({"go.mod": "module x\n"}, {"lint": "go:vet"}),
        # The primary build system (a task file) over a tool found beside it; exact names only.
        (
            {
                "Makefile": ".PHONY: all check\nall:\ncheck:\nstyle:\n",
                "Cargo.toml": '[package]\nname = "gitcore"\nversion = "0.1.0"\n',
            },
            {"build": "make:all", "test": "make:check"},
        ),
        ({"Makefile": "types: syntax/vim.vim\nsyntax/vim.vim:\n"}, {}),
        ({"Makefile": "docs:\n", "pyproject.toml": "[tool.pytest.ini_options]\n"}, {}),
        (
            {"pyproject.toml": "[tool.ruff]\n[tool.mypy]\n[tool.pytest.ini_options]\n"},
            {
                "test": "python:pytest",
                "lint": "python:ruff",
                "format": "python:ruff-format",
                "typecheck": "python:mypy",
            },
        ),
        (
            {
                "Makefile": "lint:\n",
                "pyproject.toml": "[tool.ruff]\n",
                "package.json": json.dumps({"scripts": {"prettier": "prettier -w ."}}),
            },
            {"format": "npm:prettier"},
        ),
        (
            {
                "Makefile": "tests:\n",
                "package.json": json.dumps({"scripts": {"tests": "x"}}),
                "intents.toml": '[intents.tests]\nrun = "x"\n',
            },
            {"test": "intents.toml:tests"},
        ),
    ],
)
def test_conventional_names(
    tmp_path: Path, files: dict[str, str], expected: dict[str, str]
) -> None:
    write(tmp_path, files)
    intents = catalog_of(tmp_path)
    assert {k: v.qualified_name for k, v in intents.conventional.items()} == expected
    for name, target in expected.items():
        assert [i.qualified_name for i in intents.lookup(name)] == [target]
        assert name in intents.names()


def test_vscode_group_default_first(tmp_path: Path) -> None:
    tasks = {
        "version": "2.0.0",
        "tasks": [
            {"label": "b1", "command": "x", "group": "build"},
            {"label": "b2", "command": "x", "group": {"kind": "build", "isDefault": True}},
            {"label": "t", "command": "x", "group": {"kind": "test"}},
        ],
    }
    write(
        tmp_path,
        {
            ".vscode/tasks.json": json.dumps(tasks),
            "package.json": json.dumps({"scripts": {"compile": "tsc"}}),
        },
    )
    intents = catalog_of(tmp_path)
    assert {k: v.qualified_name for k, v in intents.conventional.items()} == {
        "build": "vscode:b2",
        "test": "vscode:t",
    }


def test_a_conventional_name_plans_the_task_it_stands_for(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": json.dumps({"scripts": {"start": "node server.js"}})})
    p = plan(catalog_of(tmp_path), "run then run")
    assert steps(p) == [("start", "npm run start --", "npm:start")] * 2
    with pytest.raises(IntentError, match="did you mean run"):
        plan(catalog_of(tmp_path), "rnu")


def test_list_says_what_a_conventional_name_stands_for(tmp_path: Path) -> None:
    write(tmp_path, {"package.json": json.dumps({"scripts": {"start": "node server.js"}})})
    infos = to_wire(catalog_of(tmp_path).infos("file:///ws"))
    assert infos == [
        {
            "name": "start",
            "title": "start",
            "description": "node server.js",
            "source": "npm",
            "folder": "file:///ws",
        },
        {
            "name": "run",
            "title": "run → npm:start",
            "description": "Runs npm:start: node server.js",
            "source": "npm",
            "folder": "file:///ws",
            "resolvesTo": "npm:start",
        },
    ]


def test_every_project_fixture_lists_and_plans_without_running_anything(tmp_path: Path) -> None:
    for name in ("make", "pnpm-monorepo", "vscode", "just", "python", "rust", "go"):
        folder = project(tmp_path, name)
        for trusted in (False, True):
            intents = catalog_of(folder, trusted)
            assert intents.intents, name
            to_wire(intents.infos(folder.as_uri()))
            for intent in intents.intents:
                try:
                    plan(intents, intent.qualified_name)
                except IntentError as exc:  # no request params, no editor file: said clearly
                    assert "needs params" in str(exc) or "needs a file" in str(exc), exc
    assert sorted(p.name for p in tmp_path.rglob("pwned*")) == []


def test_an_edited_include_refreshes_the_catalog(tmp_path: Path) -> None:
    folder = project(tmp_path, "make")
    catalog = Catalog(default_sources())
    first = catalog.for_folder(folder, True)
    assert catalog.for_folder(folder, True).lookup("docker-build")
    included = folder / "mk" / "docker.mk"
    included.write_text(included.read_text(encoding="utf-8") + "docker-lint:\n", encoding="utf-8")
    os.utime(included, ns=(1, 1))  # a different stat whatever the clock's resolution
    assert catalog.for_folder(folder, True).lookup("docker-lint")
    assert not first.lookup("docker-lint")


def test_a_new_workspace_package_refreshes_the_catalog(tmp_path: Path) -> None:
    folder = project(tmp_path, "pnpm-monorepo")
    catalog = Catalog(default_sources())
    catalog.for_folder(folder, True)
    assert catalog.for_folder(folder, True).lookup("web/build")
    (folder / "apps" / "admin").mkdir()
    (folder / "apps" / "admin" / "package.json").write_text(
        json.dumps({"scripts": {"build": "vite build"}}), encoding="utf-8"
    )
    os.utime(folder / "apps", ns=(1, 1))
    assert catalog.for_folder(folder, True).lookup("admin/build")


def test_a_cached_catalog_is_reused(tmp_path: Path) -> None:
    folder = project(tmp_path, "make")
    catalog = Catalog(default_sources())
    catalog.for_folder(folder, True)
    second = catalog.for_folder(folder, True)
    assert catalog.for_folder(folder, True) is second
