"""Python project tools: pytest, tox, nox (read with ast, never imported), ruff, mypy."""

from __future__ import annotations

from pathlib import Path

import pytest

from intentls.planning.intents import ShellAction
from intentls.planning.sources.python import PythonSource
from tests.unit.source_fixtures import by_name, commands, project


def detect(folder: Path, files: dict[str, str]) -> dict[str, list[str]]:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    result = PythonSource().detect(folder, trusted=True)
    assert result.problems == []
    return {i.name: commands(i) for i in result.intents}


def test_a_pyproject_with_tox_nox_ruff_mypy_and_pytest(tmp_path: Path) -> None:
    folder = project(tmp_path, "python")
    result = PythonSource().detect(folder, trusted=False)
    assert result.problems == []
    found = by_name(result)
    assert {name: commands(i) for name, i in found.items()} == {
        "pytest": ["pytest"],
        "tox": ["tox"],
        "tox-py311": ["tox -e py311"],
        "tox-py312": ["tox -e py312"],
        "tox-lint": ["tox -e lint"],
        "tox-docs": ["tox -e docs"],
        "nox": ["nox"],
        "nox-tests": ["nox -s tests"],
        "nox-type-check": ["nox -s type-check"],
        "nox-docs": ["nox -s docs"],
        "ruff": ["ruff check ."],
        "ruff-format": ["ruff format ."],
        "mypy": ["mypy"],
    }
    assert all(i.source == "python" for i in result.intents)
    assert (found["pytest"].defined_in, found["pytest"].line) == (folder / "pyproject.toml", 6)
    assert (found["mypy"].line, found["ruff"].line) == (16, 10)
    assert found["nox-tests"].description == "Run the test suite."
    assert (found["nox-tests"].defined_in, found["nox-tests"].line) == (folder / "noxfile.py", 10)
    assert not (folder / "pwned-by-nox").exists(), "the noxfile was read, not run"
    assert not (tmp_path / "pwned-by-nox").exists()


def test_tools_from_the_projects_virtual_environment(tmp_path: Path) -> None:
    (tmp_path / ".venv/bin").mkdir(parents=True)
    (tmp_path / ".venv/bin/pytest").write_text("", encoding="utf-8")
    found = detect(tmp_path, {"pytest.ini": "[pytest]\n", "mypy.ini": "[mypy]\n"})
    assert found == {"pytest": [".venv/bin/pytest"], "mypy": ["mypy ."]}
    assert tmp_path / ".venv/bin" in PythonSource().watched_files(tmp_path)


@pytest.mark.parametrize(
    "files",
    [
        {"pytest.ini": "[pytest]\naddopts = -x\n"},
        {".pytest.ini": "[pytest]\n"},
        {"pyproject.toml": "[tool.pytest.ini_options]\nx = 1\n"},
        {"pyproject.toml": "[tool.pytest]\nminversion = '9'\n"},
        {"tox.ini": "[pytest]\ntestpaths = tests\n"},
        {"setup.cfg": "[tool:pytest]\ntestpaths = tests\n"},
        {"conftest.py": ""},
        {"tests/conftest.py": "import pytest\n"},
    ],
)
def test_pytest_when_the_project_uses_it(tmp_path: Path, files: dict[str, str]) -> None:
    assert detect(tmp_path, files) == {"pytest": ["pytest"]}


@pytest.mark.parametrize(
    "files",
    [
        {"pyproject.toml": "[project]\nname = 'x'\n"},
        {"setup.cfg": "[metadata]\nname = x\n"},
        {"tox.ini": "[flake8]\nmax-line-length = 100\n"},
    ],
)
def test_no_tools_without_their_configuration(tmp_path: Path, files: dict[str, str]) -> None:
    assert detect(tmp_path, files) == {}


def test_tox_ini(tmp_path: Path) -> None:
    text = """[tox]
envlist =
    py3{10-12}-django{42,50}
    lint, docs
[testenv]
commands = pytest
[testenv:lint]
commands = ruff check .
[testenv:release]
commands = twine upload dist/*
"""
    source = PythonSource()
    (tmp_path / "tox.ini").write_text(text, encoding="utf-8")
    found = by_name(source.detect(tmp_path, True))
    assert [n for n in found if n.startswith("tox-")] == [
        "tox-py310-django42",
        "tox-py310-django50",
        "tox-py311-django42",
        "tox-py311-django50",
        "tox-py312-django42",
        "tox-py312-django50",
        "tox-lint",
        "tox-docs",
        "tox-release",
    ]
    assert found["tox-lint"].line == 7 and found["tox-docs"].line is None


def test_tox_native_toml(tmp_path: Path) -> None:
    found = detect(
        tmp_path,
        {
            "pyproject.toml": '[tool.tox]\nenv_list = ["3.13", "lint"]\n'
            '[tool.tox.env.lint]\ncommands = [["ruff"]]\n[tool.tox.env.fmt]\n',
            "tox.toml": 'env_list = ["other"]\n[env.other]\n',
        },
    )
    assert [n for n in found if n.startswith("tox-")] == [
        "tox-3.13",
        "tox-lint",
        "tox-fmt",
        "tox-other",
    ]


def test_nox_sessions(tmp_path: Path) -> None:
    text = """
import nox
import nox as n2

@nox.session
def plain(session): ...

@nox.session(python="3.12", name="renamed")
def original(session): ...

@nox.session(name=NAME)
def dynamic_name(session): ...

@some.other.decorator
@nox.session(reuse_venv=True)
async def stacked(session): ...

@n2.session
def aliased_module(session): ...

@nox.parametrize("x", [1])
def not_a_session(session): ...

class Nested:
    @nox.session
    def method(self): ...
"""
    found = detect(tmp_path, {"noxfile.py": text})
    assert [n for n in found if n.startswith("nox-")] == [
        "nox-plain",
        "nox-renamed",
        "nox-dynamic_name",
        "nox-stacked",
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"ruff.toml": "line-length = 90\n"}, {"ruff": ["ruff check ."]}),
        ({".ruff.toml": ""}, {"ruff": ["ruff check ."]}),
        ({"pyproject.toml": "[tool.ruff.lint]\nselect = ['E']\n"}, {"ruff": ["ruff check ."]}),
        ({"pyproject.toml": "[tool.mypy]\nstrict = true\n"}, {"mypy": ["mypy ."]}),
        ({".mypy.ini": "[mypy]\nfiles = src\n"}, {"mypy": ["mypy"]}),
        ({"setup.cfg": "[mypy]\nstrict = True\n"}, {"mypy": ["mypy ."]}),
    ],
)
def test_ruff_and_mypy(
    tmp_path: Path, files: dict[str, str], expected: dict[str, list[str]]
) -> None:
    found = detect(tmp_path, files)
    found.pop("ruff-format", None)
    assert found == expected


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"pyproject.toml": "[tool.ruff\n"}, "pyproject.toml"),
        ({"tox.ini": "[tox\nenvlist = a\n"}, "tox.ini"),
        ({"noxfile.py": "@nox.session\ndef broken(:\n"}, "noxfile.py line 2"),
        ({"tox.toml": "env_list = [\n"}, "tox.toml"),
    ],
)
def test_malformed_files_are_problems(tmp_path: Path, files: dict[str, str], words: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    result = PythonSource().detect(tmp_path, True)
    assert [i.name for i in result.intents] == ["pytest"]
    (problem,) = result.problems
    assert problem.startswith(words)


def test_names_are_shell_quoted(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text("[testenv:a;b]\n", encoding="utf-8")
    found = by_name(PythonSource().detect(tmp_path, True))
    assert found["tox-a-b"].actions == [ShellAction("tox -e 'a;b'")]


def test_no_python_files(tmp_path: Path) -> None:
    assert PythonSource().detect(tmp_path, True).intents == []
