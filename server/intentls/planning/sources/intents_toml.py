"""`intents.toml` at a workspace folder's root: the project's own named intents.

[intents.test]
description = "Unit tests"
run = "pytest -x"              # or: steps = ["ruff check .", {intent = "build"}, …]
cwd = "server"                 # relative to the folder
env = { PYTHONWARNINGS = "error" }
timeout = 600                  # seconds, per step
params = { k = { description = "pytest -k expression", default = "" } }
needs = ["build"]              # intents that must succeed first (at once)
resources = ["db"]             # never runs at the same time as another step holding "db"
atomic = true                  # a failed step undoes what the completed steps changed
background = true              # never ends by itself (dev server): see `ready`
ready = "listening on"         # dependents start when the output matches (default: at once)
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from intentls.model import IntentParam
from intentls.planning.intents import Action, IntentDef, IntentRef, ShellAction, SourceResult
from intentls.planning.sources.common import SingleFileSource

FILE_NAME = "intents.toml"


class IntentsTomlSource(SingleFileSource):
    name = "intents.toml"
    file_name = FILE_NAME

    def parse(self, folder: Path, path: Path, text: str) -> SourceResult:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return SourceResult(problems=[f"{FILE_NAME}: {exc}"])
        table = data.get("intents", {})
        if not isinstance(table, dict):
            return SourceResult(problems=[f"{FILE_NAME}: [intents] must be a table"])
        intents, problems = [], []
        for name, spec in table.items():
            try:
                intents.append(_intent(folder, path, text, name, spec))
            except ValueError as exc:
                problems.append(f"{FILE_NAME}: intent {name!r}: {exc}")
        return SourceResult(intents, problems)


def _intent(folder: Path, path: Path, text: str, name: str, spec: Any) -> IntentDef:
    if not isinstance(spec, dict):
        raise ValueError("must be a table")
    cwd = _opt_str(spec, "cwd")
    env = _env(spec.get("env", {}))
    timeout = spec.get("timeout")
    number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
    if timeout is not None and (not number or timeout <= 0):
        raise ValueError("timeout must be a positive number of seconds")
    if "run" in spec and "steps" in spec:
        raise ValueError("give either run or steps, not both")
    if "run" in spec:
        actions: list[Action] = [_shell(spec["run"], None, cwd, env, timeout)]
    elif "steps" in spec:
        steps = spec["steps"]
        if not isinstance(steps, list) or not steps:
            raise ValueError("steps must be a non-empty array")
        actions = [_step(item, cwd, env, timeout) for item in steps]
    else:
        raise ValueError('needs run = "…" or steps = [...]')
    description = _opt_str(spec, "description")
    needs = _names(spec, "needs", "intent names")
    resources = _names(spec, "resources", "resource names")
    return IntentDef(
        name=name,
        source="intents.toml",
        folder=folder,
        actions=actions,
        title=_opt_str(spec, "title") or name,
        description=description,
        params=_params(spec.get("params", {})),
        defined_in=path,
        line=_line_of(text, name),
        depends_on=needs,
        resources=resources,
        atomic=_flag(spec, "atomic"),
        background=_flag(spec, "background"),
        ready=_pattern(spec),
    )


def _step(item: Any, cwd: str | None, env: dict[str, str], timeout: Any) -> Action:
    if isinstance(item, str):
        return _shell(item, None, cwd, env, timeout)
    if isinstance(item, dict) and isinstance(item.get("intent"), str):
        return IntentRef(item["intent"])
    if isinstance(item, dict) and "run" in item:
        step_env = {**env, **_env(item.get("env", {}))}
        step_cwd = _opt_str(item, "cwd") or cwd
        return _shell(item["run"], _opt_str(item, "title"), step_cwd, step_env, timeout)
    raise ValueError('each step is a command string, {run = "…"} or {intent = "…"}')


def _shell(
    command: Any, title: str | None, cwd: str | None, env: dict[str, str], timeout: Any
) -> ShellAction:
    if not isinstance(command, str) or not command.strip():
        raise ValueError("run must be a non-empty string")
    return ShellAction(command, title, cwd, env, float(timeout) if timeout else None)


def _flag(spec: dict[str, Any], key: str) -> bool:
    value = spec.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value


def _pattern(spec: dict[str, Any]) -> str | None:
    ready = _opt_str(spec, "ready")
    if ready is not None:
        try:
            re.compile(ready)
        except re.error as exc:
            raise ValueError(f"ready is not a regular expression: {exc}") from None
    return ready


def _names(spec: dict[str, Any], key: str, what: str) -> list[str]:
    value = spec.get(key, [])
    if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
        raise ValueError(f"{key} must be an array of {what}")
    return value


def _opt_str(spec: dict[str, Any], key: str) -> str | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def _env(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("env must be a table of strings")
    return dict(value)


def _params(value: Any) -> list[IntentParam]:
    if not isinstance(value, dict):
        raise ValueError("params must be a table")
    params = []
    for pname, pspec in value.items():
        pspec = pspec if isinstance(pspec, dict) else {"default": pspec}
        default = pspec.get("default")
        params.append(
            IntentParam(
                pname,
                _opt_str(pspec, "description"),
                None if default is None else _text(default),
            )
        )
    return params


def _text(value: Any) -> str:
    """A TOML scalar as the person would type it (`true`, not Python's `True`)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _line_of(text: str, name: str) -> int | None:
    """Where the intent is defined: its `[intents.NAME]` header, or `NAME = {…}` under
    `[intents]`."""
    headers = (f"[intents.{name}]", f'[intents."{name}"]', f"[intents.'{name}']")
    inline = re.compile(
        rf"""^\s*(?:{re.escape(name)}|"{re.escape(name)}"|'{re.escape(name)}')\s*="""
    )
    table = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(headers):
            return number
        if stripped.startswith("["):
            table = stripped
        elif table == "[intents]" and inline.match(line):
            return number
    return None
