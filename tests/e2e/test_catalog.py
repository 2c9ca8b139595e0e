"""Autodetected tasks through the real server: listing per folder, real make and npm runs,
tasks.json dependencies, conventional and ambiguous names, refresh on edit, and nothing
evaluated while listing or planning."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.session import session

PROJECTS = Path(__file__).resolve().parent.parent / "data" / "projects"
QUIET_NPM = {"npm_config_update_notifier": "false", "npm_config_fund": "false"}

pytestmark = pytest.mark.skipif(
    not (shutil.which("make") and shutil.which("npm")), reason="needs make and npm"
)


def make_project(path: Path, makefile: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "Makefile").write_text(makefile, encoding="utf-8")
    return path


def npm_project(path: Path, scripts: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    manifest = {"name": path.name, "version": "1.0.0", "private": True, "scripts": scripts}
    (path / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path


async def test_list_in_a_multi_root_workspace(home: Path, tmp_path: Path) -> None:
    backend = make_project(tmp_path / "backend", "build: ## Compile\n\t@echo built\n")
    frontend = npm_project(tmp_path / "frontend", {"start": "vite"})
    tasks = shutil.copytree(PROJECTS / "vscode", tmp_path / "tools")
    async with session(home, [backend, frontend, tasks]) as ses:
        listed = {}
        for folder in (backend, frontend, tasks):
            intents = await ses.command("intentls.list", {"cwd": str(folder)})
            assert {i["folder"] for i in intents} == {folder.as_uri()}
            listed[folder.name] = {(i["source"], i["name"]) for i in intents}
        assert listed["backend"] == {("make", "build")}
        assert listed["frontend"] == {("npm", "start"), ("npm", "run")}
        assert ("vscode", "Run-server") in listed["tools"]
        by_uri = await ses.command("intentls.list", {"uri": (backend / "src" / "a.c").as_uri()})
        assert by_uri == [
            {
                "name": "build",
                "title": "build",
                "description": "Compile",
                "source": "make",
                "folder": backend.as_uri(),
            }
        ]


async def test_real_make_and_npm_runs(home: Path, tmp_path: Path) -> None:
    folder = make_project(tmp_path / "ws", "hello:\n\t@echo hello from make in $(CURDIR)\n")
    npm_project(folder, {"greet": "echo hello from npm"})
    async with session(home, [folder], env=QUIET_NPM) as ses:
        made = await ses.run("hello")
        assert made["status"] == "succeeded", made
        assert ses.output_of(made["runId"], "stdout") == f"hello from make in {folder}\n"
        npm = await ses.run("greet")
        assert npm["status"] == "succeeded", npm
        assert "hello from npm\n" in ses.output_of(npm["runId"], "stdout")
        plan = await ses.command("intentls.plan", {"intent": "greet"})
        (step,) = plan["steps"]
        assert step["args"]["command"] == "npm run greet --"
        assert step["args"]["intent"] == "npm:greet"


async def test_npm_workspace_script_runs_in_its_package(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mono"
    folder.mkdir()
    (folder / "package.json").write_text(
        json.dumps({"name": "mono", "private": True, "workspaces": ["packages/*"]}),
        encoding="utf-8",
    )
    npm_project(folder / "packages" / "web", {"where": "pwd"})
    async with session(home, [folder], env=QUIET_NPM) as ses:
        result = await ses.run("web/where")
        assert result["status"] == "succeeded", result
        out = ses.output_of(result["runId"], "stdout")
        assert out.strip().splitlines()[-1] == str(folder / "packages" / "web")


async def test_tasks_json_dependencies_run_first_in_sequence(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    (folder / ".vscode").mkdir(parents=True)
    (folder / ".vscode" / "tasks.json").write_text(
        """{
  // dependencies first, one after the other
  "version": "2.0.0",
  "tasks": [
    { "label": "first step", "type": "shell", "command": "echo one; sleep 0.2; echo one-done" },
    { "label": "second", "type": "process", "command": "echo", "args": ["two", "a  b"] },
    {
      "label": "all",
      "command": "echo three",
      "dependsOn": ["first step", "second"],
      "dependsOrder": "sequence",
    },
  ],
}
""",
        encoding="utf-8",
    )
    async with session(home, [folder]) as ses:
        result = await ses.run("all")
        assert result["status"] == "succeeded", result
        assert [s["title"] for s in result["steps"]] == ["first-step", "second", "all"]
        assert ses.output_of(result["runId"], "stdout") == "one\none-done\ntwo a  b\nthree\n"


async def test_conventional_test_resolves_and_says_so(home: Path, tmp_path: Path) -> None:
    folder = make_project(tmp_path / "ws", "check: ## GNU's name for the tests\n\t@echo checked\n")
    async with session(home, [folder]) as ses:
        intents = await ses.command("intentls.list")
        (conventional,) = [i for i in intents if i["name"] == "test"]
        assert conventional["resolvesTo"] == "make:check"
        assert conventional["title"] == "test → make:check"
        assert conventional["source"] == "make"
        plan = await ses.command("intentls.plan", {"intent": "test"})
        assert [s["args"]["intent"] for s in plan["steps"]] == ["make:check"]
        result = await ses.run("test")
        assert result["status"] == "succeeded"
        assert ses.output_of(result["runId"]) == "checked\n"


async def test_ambiguous_test_is_blocked_with_one_action_per_source(
    home: Path, tmp_path: Path
) -> None:
    folder = make_project(tmp_path / "ws", "test:\n\t@echo make tests\n")
    npm_project(folder, {"test": "echo npm tests"})
    async with session(home, [folder], env=QUIET_NPM) as ses:
        blocked = await ses.run("test")
        assert blocked["status"] == "blocked" and blocked["steps"] == []
        assert [w["kind"] for w in blocked["warnings"]] == ["ambiguous"]
        assert [a["arguments"][0]["intent"] for a in blocked["actions"]] == [
            "make:test",
            "npm:test",
        ]
        assert ses.notes_of("intentls/runStarted") == []
        action = blocked["actions"][0]
        result = await ses.command(action["command"], action["arguments"][0])
        assert result["status"] == "succeeded"
        assert ses.output_of(result["runId"]) == "make tests\n"


async def test_make_shell_functions_never_run_while_listing_or_planning(
    home: Path, tmp_path: Path
) -> None:
    folder = shutil.copytree(PROJECTS / "make", tmp_path / "ws")
    shutil.copytree(PROJECTS / "python", folder / "py")
    pwned = folder / "pwned"
    for init in ({"trusted": False}, {}, {"trusted": True}):
        async with session(home, [folder, folder / "py"], init=init) as ses:
            intents = await ses.command("intentls.list")
            assert {"help", "build", "test", "docker-build", "release"} <= {
                i["name"] for i in intents
            }
            plan = await ses.command("intentls.plan", {"intent": "test then release"})
            assert [s["args"]["command"] for s in plan["steps"]] == [
                "make test",
                "make release",
            ]
            nox = await ses.command("intentls.list", {"cwd": str(folder / "py")})
            assert "nox-tests" in {i["name"] for i in nox}
            if init.get("trusted") is not True:
                result = await ses.run("help")
                assert result["status"] == "blocked"
            assert not pwned.exists()
            assert not (folder / "py" / "pwned-by-nox").exists()


async def test_an_edited_makefile_is_listed_without_a_restart(home: Path, tmp_path: Path) -> None:
    folder = make_project(tmp_path / "ws", "one:\n\t@echo 1\n")
    async with session(home, [folder]) as ses:
        assert [i["name"] for i in await ses.command("intentls.list")] == ["one"]
        makefile = folder / "Makefile"
        makefile.write_text("one:\n\t@echo 1\ntwo: ## the second\n\t@echo 2\n", encoding="utf-8")
        os.utime(makefile, ns=(1, 1))  # a new stat whatever the file system's clock
        assert [i["name"] for i in await ses.command("intentls.list")] == ["one", "two"]
        result = await ses.run("two")
        assert ses.output_of(result["runId"]) == "2\n"


async def test_intents_toml_refers_to_detected_tasks(home: Path, tmp_path: Path) -> None:
    folder = make_project(tmp_path / "ws", "build:\n\t@echo make-build\n")
    npm_project(folder, {"build": "echo npm-build"})
    (folder / "intents.toml").write_text(
        '[intents.release]\nsteps = [{intent = "make:build"}, "echo released"]\n'
        '[intents.build]\nrun = "echo mine"\nneeds = ["npm:build"]\n',
        encoding="utf-8",
    )
    async with session(home, [folder], env=QUIET_NPM) as ses:
        release = await ses.run("release")
        assert release["status"] == "succeeded"
        assert ses.output_of(release["runId"]) == "make-build\nreleased\n"
        build = await ses.run("build")
        assert build["status"] == "succeeded", "intents.toml settles the shared name"
        out = ses.output_of(build["runId"], "stdout")
        assert "npm-build" in out and out.endswith("mine\n")
