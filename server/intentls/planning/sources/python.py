"""Python project tools, when the project's files say it uses them:

- `pytest` when configured: pytest.ini / .pytest.ini, `[tool.pytest.ini_options]` (or
  `[tool.pytest]`) in pyproject.toml, `[pytest]` in tox.ini, `[tool:pytest]` in setup.cfg, or a
  conftest.py at the root or in tests/;
- `tox` (every env) and `tox-ENV` per env: tox.ini `envlist` and `[testenv:ENV]`, pyproject's
  `[tool.tox]` (`legacy_tox_ini`, or `env_list` and `[tool.tox.env.ENV]`), tox.toml; generative
  names (`py{311,312}-lint`) expanded;
- `nox` (the default sessions) and `nox-SESSION` per session of noxfile.py: functions decorated
  with `@nox.session` / `@session`, `name=` honoured. The noxfile is parsed with `ast`, never
  imported: importing it would run it;
- `ruff` (`ruff check .`) and `ruff-format` (`ruff format .`) when `[tool.ruff]`, ruff.toml or
  .ruff.toml exists; `mypy` when `[tool.mypy]`, mypy.ini, .mypy.ini or `[mypy]` in setup.cfg
  exists (`mypy .` unless the configuration names `files`).

Tools run from the project's virtual environment when `.venv/bin/TOOL` (or `venv/bin/TOOL`)
exists, else from PATH.
"""

from __future__ import annotations

import ast
import configparser
import itertools
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import attrs

from intentls.planning.intents import IntentDef, SourceResult
from intentls.planning.sources.common import Unreadable, command_intent, one_word, read_text

PYPROJECT = "pyproject.toml"
FILES = (
    PYPROJECT,
    "setup.cfg",
    "tox.ini",
    "tox.toml",
    "pytest.ini",
    ".pytest.ini",
    "conftest.py",
    "tests/conftest.py",
    "noxfile.py",
    "ruff.toml",
    ".ruff.toml",
    "mypy.ini",
    ".mypy.ini",
)
VENVS = (".venv/bin", "venv/bin")


@attrs.define
class _Found:
    """What the files said, gathered before intents are made."""

    folder: Path
    problems: list[str] = attrs.Factory(list)
    texts: dict[str, str] = attrs.Factory(dict)
    pytest: tuple[str, str] | None = None
    """(file, section header) that configures pytest."""
    tox_envs: dict[str, tuple[str, int | None]] = attrs.Factory(dict)
    tox_file: str | None = None
    nox_sessions: dict[str, tuple[int, str | None]] = attrs.Factory(dict)
    ruff: tuple[str, str | None] | None = None
    mypy: tuple[str, str | None] | None = None
    mypy_files: bool = False


class PythonSource:
    name = "python"

    def watched_files(self, folder: Path) -> list[Path]:
        return [folder / n for n in FILES] + [folder / v for v in VENVS]

    def detect(self, folder: Path, trusted: bool) -> SourceResult:
        found = _Found(folder)
        for name in FILES:
            try:
                text = read_text(folder, folder / name)
            except Unreadable as exc:
                found.problems.append(str(exc))
                continue
            if text is not None:
                found.texts[name] = text
        if not found.texts:
            return SourceResult()
        _pyproject(found)
        _ini_files(found)
        _tox_toml(found)
        _noxfile(found)
        if found.pytest is None:
            conftest = next(
                (c for c in ("conftest.py", "tests/conftest.py") if c in found.texts), None
            )
            if conftest is not None:
                found.pytest = (conftest, "")
        return SourceResult(_intents(self.name, found), found.problems)


def _intents(source: str, found: _Found) -> list[IntentDef]:
    folder = found.folder
    made: list[IntentDef] = []

    def add(name: str, command: str, description: str, file: str | None, line: int | None) -> None:
        defined_in = folder / file if file else None
        made.append(command_intent(source, folder, name, command, description, defined_in, line))

    if found.pytest is not None:
        file, header = found.pytest
        add(
            "pytest",
            _tool(folder, "pytest"),
            "Run the tests with pytest",
            file,
            _line(found, file, header),
        )
    if found.tox_envs:
        add("tox", _tool(folder, "tox"), "Run every tox environment", found.tox_file, None)
        for env, (file, line) in found.tox_envs.items():
            add(
                f"tox-{one_word(env)}",
                f"{_tool(folder, 'tox')} -e {shlex.quote(env)}",
                f"tox environment {env}",
                file,
                line,
            )
    if found.nox_sessions:
        add("nox", _tool(folder, "nox"), "Run nox's default sessions", "noxfile.py", None)
        for session, (line, doc) in found.nox_sessions.items():
            add(
                f"nox-{one_word(session)}",
                f"{_tool(folder, 'nox')} -s {shlex.quote(session)}",
                doc or f"nox session {session}",
                "noxfile.py",
                line,
            )
    if found.ruff is not None:
        ruff_file, ruff_header = found.ruff
        line = _line(found, ruff_file, ruff_header)
        ruff = _tool(folder, "ruff")
        add("ruff", f"{ruff} check .", "Lint with ruff", ruff_file, line)
        add("ruff-format", f"{ruff} format .", "Format with ruff", ruff_file, line)
    if found.mypy is not None:
        mypy_file, mypy_header = found.mypy
        command = _tool(folder, "mypy") + ("" if found.mypy_files else " .")
        add(
            "mypy", command, "Type-check with mypy", mypy_file, _line(found, mypy_file, mypy_header)
        )
    return made


def _tool(folder: Path, name: str) -> str:
    for venv in VENVS:
        if (folder / venv / name).is_file():
            return f"{venv}/{name}"
    return name


def _line(found: _Found, file: str | None, header: str | None) -> int | None:
    if file is None or not header or file not in found.texts:
        return None
    for number, line in enumerate(found.texts[file].splitlines(), start=1):
        if line.strip().startswith(header):
            return number
    return None


def _pyproject(found: _Found) -> None:
    text = found.texts.get(PYPROJECT)
    if text is None:
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found.problems.append(f"{PYPROJECT}: {exc}")
        return
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return
    pytest = tool.get("pytest")
    if isinstance(pytest, dict):
        header = "[tool.pytest.ini_options]" if "ini_options" in pytest else "[tool.pytest]"
        found.pytest = (PYPROJECT, header)
    if isinstance(tool.get("ruff"), dict):
        found.ruff = (PYPROJECT, "[tool.ruff")
    mypy = tool.get("mypy")
    if isinstance(mypy, dict):
        found.mypy = (PYPROJECT, "[tool.mypy]")
        found.mypy_files = "files" in mypy
    tox = tool.get("tox")
    if isinstance(tox, dict):
        legacy = tox.get("legacy_tox_ini")
        if isinstance(legacy, str):
            config = _ini(found, PYPROJECT, legacy)
            if config is not None:
                _tox_ini_envs(found, config, PYPROJECT)
        else:
            _tox_native(found, tox, PYPROJECT, "tool.tox.env.")


def _tox_toml(found: _Found) -> None:
    text = found.texts.get("tox.toml")
    if text is None:
        return
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found.problems.append(f"tox.toml: {exc}")
        return
    _tox_native(found, data, "tox.toml", "env.")


def _tox_native(found: _Found, table: dict[str, Any], file: str, prefix: str) -> None:
    names = table.get("env_list", [])
    envs = table.get("env", {})
    listed = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
    declared = list(envs) if isinstance(envs, dict) else []
    for env in dict.fromkeys(listed + declared):
        found.tox_envs.setdefault(env, (file, _line(found, file, f"[{prefix}{env}]")))
    found.tox_file = found.tox_file or file


def _ini(found: _Found, file: str, text: str) -> configparser.RawConfigParser | None:
    config = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        config.read_string(text, source=file)
    except configparser.Error as exc:
        found.problems.append(f"{file}: {exc.message if hasattr(exc, 'message') else exc}")
        return None
    return config


def _ini_files(found: _Found) -> None:
    for file, pytest_section, mypy_section in (
        ("pytest.ini", "pytest", None),
        (".pytest.ini", "pytest", None),
        ("tox.ini", "pytest", None),
        ("setup.cfg", "tool:pytest", "mypy"),
        ("mypy.ini", None, "mypy"),
        (".mypy.ini", None, "mypy"),
    ):
        text = found.texts.get(file)
        if text is None:
            continue
        config = _ini(found, file, text)
        if config is None:
            continue
        if pytest_section and config.has_section(pytest_section) and found.pytest is None:
            found.pytest = (file, f"[{pytest_section}]")
        if mypy_section and config.has_section(mypy_section) and found.mypy is None:
            found.mypy = (file, f"[{mypy_section}]")
            found.mypy_files = config.has_option(mypy_section, "files")
        if file == "tox.ini":
            _tox_ini_envs(found, config, file)
    for file in ("ruff.toml", ".ruff.toml"):
        if file in found.texts and found.ruff is None:
            found.ruff = (file, None)


def _tox_ini_envs(found: _Found, config: configparser.RawConfigParser, file: str) -> None:
    listed: list[str] = []
    if config.has_section("tox"):
        for key in ("envlist", "env_list"):
            if config.has_option("tox", key):
                listed += _env_names(config.get("tox", key))
    sections = [s.removeprefix("testenv:") for s in config.sections() if s.startswith("testenv:")]
    for section in sections:
        listed += _expand(section.strip())
    for env in dict.fromkeys(listed):
        line = _line(found, file, f"[testenv:{env}]") if file != PYPROJECT else None
        found.tox_envs.setdefault(env, (file, line))
    found.tox_file = found.tox_file or file


def _env_names(value: str) -> list[str]:
    """`py{311,312}, lint` (commas or newlines) → ["py311", "py312", "lint"]."""
    names: list[str] = []
    depth, current = 0, ""
    for ch in value:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch in ",\n" and depth == 0:
            names += _expand(current.strip())
            current = ""
        else:
            current += ch
    names += _expand(current.strip())
    return [n for n in names if n and not n.startswith("#")]


def _expand(name: str) -> list[str]:
    """tox's generative names: `py{311,312}-x` → py311-x, py312-x; `py3{10-12}` ranges too."""
    parts = re.split(r"(\{[^{}]*\})", name)
    choices: list[list[str]] = []
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            options: list[str] = []
            for option in part[1:-1].split(","):
                option = option.strip()
                span = re.fullmatch(r"(\d+)-(\d+)", option)
                if span and int(span.group(1)) <= int(span.group(2)):
                    options += [str(n) for n in range(int(span.group(1)), int(span.group(2)) + 1)]
                else:
                    options.append(option)
            choices.append(options)
        else:
            choices.append([part])
    return ["".join(combo) for combo in itertools.product(*choices)]


def _noxfile(found: _Found) -> None:
    text = found.texts.get("noxfile.py")
    if text is None:
        return
    try:
        tree = ast.parse(text, filename="noxfile.py")
    except (SyntaxError, ValueError) as exc:
        where = f" line {exc.lineno}" if isinstance(exc, SyntaxError) and exc.lineno else ""
        found.problems.append(f"noxfile.py{where}: cannot parse: {exc}")
        return
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            name = _session_name(decorator, node.name)
            if name is not None:
                doc = ast.get_docstring(node)
                first = doc.strip().splitlines()[0] if doc and doc.strip() else None
                found.nox_sessions.setdefault(name, (node.lineno, first))
                break


def _session_name(decorator: ast.expr, function: str) -> str | None:
    """The session name if `decorator` is `@nox.session`, `@session` or a call of either."""
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    is_session = (isinstance(target, ast.Name) and target.id == "session") or (
        isinstance(target, ast.Attribute)
        and target.attr == "session"
        and isinstance(target.value, ast.Name)
        and target.value.id == "nox"
    )
    if not is_session:
        return None
    for keyword in call.keywords if call else []:
        if (
            keyword.arg == "name"
            and isinstance(keyword.value, ast.Constant)
            and isinstance(keyword.value.value, str)
        ):
            return keyword.value.value
    return function
