"""`.vscode/tasks.json` (version 2.0.0): JSON with comments and trailing commas.

Per task:
- `label`: the intent's title; its name is the label as one shell word without `:`
  (`Run server` → `Run-server`, `npm: lint` → `npm-lint`);
- `type`: `shell` (the default) runs through the shell with `args` quoted; `process` is exec'd
  without a shell; `npm` runs the package.json script `script` in `path` with the project's
  package manager; other types belong to VS Code extensions and are reported as problems;
- `command` and `args` (plain strings or `{value, quoting}`), `options.cwd` and `options.env`
  (over the file's top-level `options`), the `linux` sections over the rest;
- `detail` as the description; `dependsOn` (a label or a list; other detected tasks as
  `npm: build` or `{type: npm, script: build}`) with `dependsOrder: sequence`;
- `problemMatcher` names (`$tsc`, or a matcher's `base`), and `group` (`build`/`test`,
  `isDefault`), which the catalog uses for the conventional names `build` and `test`.

Variables stay as written (`${file}`, `${env:HOME}`, …) for the editor-variable substitution at
planning time, except `${workspaceFolder}` (and the old `${workspaceRoot}`) and
`${workspaceFolderBasename}`, which are this folder. `${input:ID}` stays too; each input a task
uses becomes a param named ID with the input's `description` and `default`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

from intentls.model import IntentParam
from intentls.planning import jsonc
from intentls.planning.intents import IntentDef, ShellAction, SourceResult
from intentls.planning.sources.common import SingleFileSource, display, line_at, one_word
from intentls.planning.sources.npm import package_manager, run_command

TASKS_JSON = ".vscode/tasks.json"
PLATFORM = "linux"
_VARIABLE = re.compile(r"(\$\{[^}]*\})")
_INPUT = re.compile(r"\$\{input:([^}]+)\}")


class VscodeTasksSource(SingleFileSource):
    name = "vscode"
    file_name = TASKS_JSON

    def parse(self, folder: Path, path: Path, text: str) -> SourceResult:
        where = display(folder, path)
        try:
            data = jsonc.loads(text)
        except jsonc.JsoncError as exc:
            return SourceResult(problems=[f"{where}: {exc}"])
        if not isinstance(data, dict) or not isinstance(data.get("tasks", []), list):
            return SourceResult(problems=[f"{where}: expected an object with a tasks array"])
        try:
            reader = _Reader(folder, path, text, data)
        except ValueError as exc:
            return SourceResult(problems=[f"{where}: {exc}"])
        intents = []
        for index, task in enumerate(data.get("tasks", [])):
            try:
                intent = reader.task(task)
            except ValueError as exc:
                label = task.get("label") if isinstance(task, dict) else None
                which = repr(label) if isinstance(label, str) else f"#{index + 1}"
                reader.problems.append(f"{where}: task {which}: {exc}")
                continue
            if intent is not None:
                intents.append(intent)
        return SourceResult(intents, reader.problems)


class _Reader:
    def __init__(self, folder: Path, path: Path, text: str, data: dict[str, Any]) -> None:
        self.folder = folder
        self.path = path
        self.text = jsonc.clean(text)
        self.problems: list[str] = []
        platform = data.get(PLATFORM)
        self.options = _merge_options(
            _dict(data.get("options"), "options"),
            _dict(platform.get("options"), "options") if isinstance(platform, dict) else {},
        )
        self.inputs = {
            i["id"]: i
            for i in data.get("inputs", []) or []
            if isinstance(i, dict) and isinstance(i.get("id"), str)
        }
        self.names: dict[str, str] = {}
        """Each label's intent name: one shell word, unique in the file."""
        for task in data.get("tasks", []):
            label = _label(task) if isinstance(task, dict) else None
            if label is None or label in self.names:
                continue
            name, n = one_word(label, colon=False), 1
            while name in self.names.values():
                n += 1
                name = f"{one_word(label, colon=False)}-{n}"
            self.names[label] = name

    def task(self, raw: Any) -> IntentDef | None:
        if not isinstance(raw, dict):
            raise ValueError("must be an object")
        label = _label(raw)
        if label is None:
            raise ValueError("has no label")
        platform = raw.get(PLATFORM)
        task = {**raw, **platform} if isinstance(platform, dict) else dict(raw)
        options = _merge_options(
            self.options,
            _dict(raw.get("options"), "options"),
            _dict(platform.get("options"), "options") if isinstance(platform, dict) else {},
        )
        kind = task.get("type", "shell")
        actions = self._actions(kind, task, options)
        depends, in_sequence = self._depends(task)
        if not actions and not depends:
            raise ValueError("has no command and no dependsOn")
        group, group_default = _group(task.get("group"))
        params = self._params(actions)
        detail = task.get("detail")
        return IntentDef(
            name=self.names[label],
            source="vscode",
            folder=self.folder,
            actions=list(actions),
            title=label,
            description=detail if isinstance(detail, str) else None,
            params=params,
            defined_in=self.path,
            line=self._line(raw, label),
            depends_on=depends,
            depends_in_sequence=in_sequence,
            problem_matchers=_matchers(task.get("problemMatcher")),
            background=task.get("isBackground") is True,
            ready=_ends_pattern(task.get("problemMatcher")),
            group=group,
            group_default=group_default,
        )

    def _actions(
        self, kind: Any, task: dict[str, Any], options: dict[str, Any]
    ) -> list[ShellAction]:
        cwd = self._cwd(options.get("cwd"))
        env = {str(k): self._resolve(str(v)) for k, v in (options.get("env") or {}).items()}
        if kind == "npm":
            script = task.get("script")
            if not isinstance(script, str):
                raise ValueError("an npm task needs a script")
            package_dir = task.get("path")
            npm_cwd = (
                package_dir.strip("/") if isinstance(package_dir, str) and package_dir else cwd
            )
            manager = package_manager(self.folder / (npm_cwd or ""))
            return [ShellAction(run_command(manager, script), cwd=npm_cwd or None, env=env)]
        if kind not in ("shell", "process"):
            raise ValueError(
                f"type {kind!r} is provided by a VS Code extension; "
                "intentls runs shell, process and npm tasks"
            )
        command = _value(task.get("command"))
        if command is None:
            return []
        args = [_value(a) for a in task.get("args", []) or []]
        if any(a is None for a in args):
            raise ValueError("args must be strings")
        words = [self._resolve(w) for w in [command, *(a for a in args if a is not None)]]
        if kind == "process":
            return [ShellAction(shlex.join(words), cwd=cwd, env=env, argv=words)]
        line = " ".join([words[0], *(_quote(w) for w in words[1:])])
        return [ShellAction(line, cwd=cwd, env=env)]

    def _depends(self, task: dict[str, Any]) -> tuple[list[str], bool]:
        raw = task.get("dependsOn")
        items = [raw] if isinstance(raw, str | dict) else raw if isinstance(raw, list) else []
        depends = []
        for item in items:
            if isinstance(item, str):
                if item in self.names:
                    depends.append(f"vscode:{self.names[item]}")
                elif item.startswith("npm: "):
                    depends.append(shlex.quote(f"npm:{item.removeprefix('npm: ')}"))
                else:
                    depends.append(shlex.quote(item))
            elif isinstance(item, dict) and item.get("type") == "npm" and "script" in item:
                depends.append(shlex.quote(f"npm:{item['script']}"))
            else:
                raise ValueError(f"cannot depend on {item!r}")
        return depends, task.get("dependsOrder") == "sequence"

    def _params(self, actions: list[ShellAction]) -> list[IntentParam]:
        used: dict[str, None] = {}
        for action in actions:
            texts = [action.command, action.cwd or "", *action.env.values()]
            for text in texts:
                used.update(dict.fromkeys(_INPUT.findall(text)))
        params = []
        for name in used:
            spec = self.inputs.get(name, {})
            description = spec.get("description")
            default = spec.get("default")
            options = spec.get("options")
            if isinstance(options, list) and spec.get("type") == "pickString":
                choices = [o if isinstance(o, str) else o.get("value") for o in options]
                listed = ", ".join(str(c) for c in choices if c is not None)
                description = f"{description or 'one of'}: {listed}"
            params.append(
                IntentParam(
                    name,
                    description if isinstance(description, str) else None,
                    default if isinstance(default, str) else None,
                )
            )
        return params

    def _resolve(self, text: str) -> str:
        folder = os.fspath(self.folder)
        return (
            text.replace("${workspaceFolder}", folder)
            .replace("${workspaceRoot}", folder)
            .replace("${workspaceFolderBasename}", self.folder.name)
        )

    def _cwd(self, value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            return None
        path = self._resolve(value)
        if Path(path).is_absolute():
            try:
                relative = Path(path).relative_to(self.folder)
            except ValueError:
                return path
            return os.fspath(relative) if relative.parts else None
        return path

    def _line(self, task: dict[str, Any], label: str) -> int | None:
        key, value = ("label", label) if "label" in task else ("script", task.get("script"))
        pattern = rf'"{key}"\s*:\s*' + re.escape(json.dumps(value))
        match = re.search(pattern, self.text)
        return line_at(self.text, match.start()) if match else None


def _label(task: dict[str, Any]) -> str | None:
    label = task.get("label", task.get("taskName"))
    if isinstance(label, str) and label:
        return label
    if task.get("type") == "npm" and isinstance(task.get("script"), str):
        return f"npm: {task['script']}"
    return None


def _value(value: Any) -> str | None:
    """A command or argument: a string, or VS Code's `{value, quoting}`."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, list):  # a multi-line command given as lines
        value = " ".join(str(v) for v in value)
    return value if isinstance(value, str) else None


def _quote(word: str) -> str:
    """Shell-quote the literal parts of `word`; `${…}` variables stay bare for substitution
    (which quotes the value it puts there)."""
    return (
        "".join(
            part if _VARIABLE.fullmatch(part) else shlex.quote(part)
            for part in _VARIABLE.split(word)
            if part
        )
        or "''"
    )


def _dict(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object")
    return value


def _merge_options(*layers: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    env: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
        if isinstance(layer.get("env"), dict):
            env.update(layer["env"])
    merged["env"] = env
    return merged


def _group(value: Any) -> tuple[str | None, bool]:
    if isinstance(value, str):
        return value, False
    if isinstance(value, dict) and isinstance(value.get("kind"), str):
        return value["kind"], bool(value.get("isDefault"))
    return None, False


def _matchers(value: Any) -> list[str | dict[str, Any]]:
    """`problemMatcher` as given: names and inline objects (checked when they are used)."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if (isinstance(item, str) and item) or isinstance(item, dict)]


def _ends_pattern(value: Any) -> str | None:
    """An inline matcher's `background.endsPattern`: the output line that says a background
    task finished starting (or a watch finished a cycle), so its dependents may start."""
    for item in value if isinstance(value, list) else [value]:
        background = item.get("background") if isinstance(item, dict) else None
        pattern = background.get("endsPattern") if isinstance(background, dict) else None
        if isinstance(pattern, dict):
            pattern = pattern.get("regexp")
        if isinstance(pattern, str) and pattern:
            try:
                re.compile(pattern)
            except re.error:
                continue
            return pattern
    return None
