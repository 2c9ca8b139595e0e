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
upToDate = true                # skipped while nothing it reads changed (its output replayed)
inputs = ["src/**/*.c"]        # what it reads (implies upToDate; default: every file git keeps)
outputs = ["build/**"]         # what it makes (implies upToDate; must be as its success left them)
background = true              # never ends by itself (dev server): see `ready`
ready = "listening on"         # dependents start when the output matches (default: at once)
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from intentls.model import IntentParam
from intentls.planning.intents import Action, IntentDef, IntentRef, ShellAction, SourceResult
from intentls.planning.sources.common import SingleFileSource

if TYPE_CHECKING:
    from intentls.planning.sources.intents_spec import IntentSpec, ParamSpec, Scalar, StepSpec

FILE_NAME = "intents.toml"


class IntentsTomlSource(SingleFileSource):
    name = "intents.toml"
    file_name = FILE_NAME

    def parse(self, folder: Path, path: Path, text: str) -> SourceResult:
        intents, problems = read(folder, path, text)
        return SourceResult(intents, [f"{FILE_NAME}: {p.message}" for p in problems])


@attrs.frozen
class Problem:
    """What is wrong with an intents.toml, where: the server's diagnostics on the file."""

    line: int
    """1-based."""
    message: str


def read(folder: Path, path: Path, text: str) -> tuple[list[IntentDef], list[Problem]]:
    """The file's intents, and each problem at the line of the key it is about (the intent's
    header when it is about the whole entry). A broken entry is left out; the rest stay.
    (The attrs shapes and their cattrs converter load with the first file: a folder without
    one does not pay for them, e.g. `intentls list`.)"""
    from intentls.planning.sources.intents_spec import SpecError

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        return [], [Problem(int(where.group(1)) if where else 1, str(exc))]
    table = data.get("intents", {})
    if not isinstance(table, dict):
        return [], [Problem(_key_line(text, 1, "intents") or 1, "[intents] must be a table")]
    intents, problems = [], []
    for name, spec in table.items():
        try:
            intents.append(_intent(folder, path, text, name, spec))
        except SpecError as exc:
            start = _line_of(text, name) or 1
            for place, what in exc.places:
                line = _key_line(text, start, re.split(r"[.\[]", place)[0]) if place else None
                said = f"{place}: {what}" if place else what
                problems.append(Problem(line or start, f"intent {name!r}: {said}"))
    return intents, problems


def _key_line(text: str, start: int, key: str) -> int | None:
    """The line of `key = …` in the table that begins at line `start` (inline tables: the
    header line itself)."""
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}")\s*=""")
    for number, line in enumerate(text.splitlines()[start - 1 :], start=start):
        if number > start and line.lstrip().startswith("["):
            return None
        if pattern.match(line) or (number == start and re.search(rf"\b{re.escape(key)}\s*=", line)):
            return number
    return None


def _intent(folder: Path, path: Path, text: str, name: str, raw: Any) -> IntentDef:
    from intentls.planning.sources.intents_spec import read_intent

    spec = read_intent(raw)
    if spec.run is not None:
        actions: list[Action] = [_shell(spec.run, None, spec.cwd, spec.env, spec.timeout)]
    else:
        actions = [_step(item, spec) for item in spec.steps or []]
    return IntentDef(
        name=name,
        source="intents.toml",
        folder=folder,
        actions=actions,
        title=spec.title or name,
        description=spec.description,
        params=[_param(pname, p) for pname, p in spec.params.items()],
        defined_in=path,
        line=_line_of(text, name),
        depends_on=spec.needs,
        resources=spec.resources,
        atomic=spec.atomic,
        background=spec.background,
        ready=spec.ready,
        up_to_date=spec.up_to_date or spec.inputs is not None or bool(spec.outputs),
        inputs=spec.inputs,
        outputs=spec.outputs,
        retries=spec.retries,
        problem_matchers=list(spec.matchers or []),
    )


def _step(item: str | StepSpec, spec: IntentSpec) -> Action:
    if isinstance(item, str):
        return _shell(item, None, spec.cwd, spec.env, spec.timeout)
    if item.intent is not None:
        return IntentRef(item.intent)
    assert item.run is not None  # StepSpec holds exactly one of run and intent
    env = {**spec.env, **item.env}
    return _shell(item.run, item.title, item.cwd or spec.cwd, env, spec.timeout)


def _shell(
    command: str, title: str | None, cwd: str | None, env: dict[str, str], timeout: float | None
) -> ShellAction:
    return ShellAction(command, title, cwd, env, float(timeout) if timeout else None)


def _param(name: str, spec: ParamSpec | Scalar) -> IntentParam:
    from intentls.planning.sources.intents_spec import ParamSpec

    if not isinstance(spec, ParamSpec):
        spec = ParamSpec(default=spec)
    default = None if spec.default is None else _text(spec.default)
    return IntentParam(name, spec.description, default)


def _text(value: Scalar) -> str:
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
