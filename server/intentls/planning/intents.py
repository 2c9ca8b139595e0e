"""What an intent is, independent of where it was defined (intents.toml today; Makefiles,
package.json and friends are further `IntentSource`s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import attrs

from intentls.model import IntentParam


@attrs.frozen
class ShellAction:
    """A command line for `/bin/sh -c`, or with `argv` a program run directly (no shell)."""

    command: str
    """What a person reads; with `argv` unset, what the shell runs."""
    title: str | None = None
    cwd: str | None = None
    """Relative to the workspace folder (or absolute inside it)."""
    env: dict[str, str] = attrs.Factory(dict)
    timeout_s: float | None = None
    argv: list[str] | None = None
    """A process to exec as is (tasks.json `type: process`)."""


@attrs.frozen
class IntentRef:
    """A step that is itself intent text, planned recursively (`steps = [{intent = "lint"}]`)."""

    text: str


Action = ShellAction | IntentRef


@attrs.frozen
class IntentDef:
    name: str
    source: str
    folder: Path
    actions: list[Action]
    title: str = ""
    description: str | None = None
    params: list[IntentParam] = attrs.Factory(list)
    needs_trust: bool = True
    """Workspace-defined intents run only in a trusted folder."""
    defined_in: Path | None = None
    line: int | None = None
    """1-based line of the definition in `defined_in`, for code lenses."""
    depends_on: list[str] = attrs.Factory(list)
    """Intent texts that must succeed first (tasks.json `dependsOn`, intents.toml `needs`)."""
    depends_in_sequence: bool = False
    """Run `depends_on` one after another (`dependsOrder: sequence`) instead of at once."""
    atomic: bool = False
    """When one of its steps fails, what the completed ones changed is undone."""
    background: bool = False
    """Never ends by itself (a dev server, a watcher): dependents start when it is ready."""
    ready: str | None = None
    """A regular expression its output matches once it is ready; None: ready when started."""
    resources: list[str] = attrs.Factory(list)
    """Named resources its steps hold while they run: exclusive across all runs."""
    problem_matchers: list[str | dict[str, Any]] = attrs.Factory(list)
    """The problem matchers that read this intent's output, as tasks.json `problemMatcher` or
    intents.toml `matchers` give them: names (`$tsc`) or VS Code matcher objects."""
    group: str | None = None
    """The conventional name the definition claims for itself (tasks.json `group`: build, test)."""
    group_default: bool = False
    """The claim is the group's default (tasks.json `isDefault`)."""
    up_to_date: bool = False
    """Its steps are skipped while nothing they read changed (execution/uptodate.py)."""
    inputs: list[str] | None = None
    """What its steps read (gitignore-style globs); None: every file git would not ignore."""
    outputs: list[str] = attrs.Factory(list)
    """What its steps make: not inputs, and must still be as the last success left them."""
    positional: bool = False
    """Words after its name fill its params in order, the rest follow them (just's recipe
    arguments: `filter foo` is `just filter foo`)."""
    listed: bool = True
    """Shown in lists, lenses and hints; False for what a person would not call a task (a
    Makefile's file targets: `git.o`, `po/git.pot`), which still runs when named."""
    retries: int | None = None
    """Tries after the first when a step fails for a passing reason; None: the default."""

    @property
    def qualified_name(self) -> str:
        return f"{self.source}:{self.name}"


class IntentSource(Protocol):
    """Finds intents in one workspace folder. Must not execute anything when untrusted."""

    name: str

    def watched_files(self, folder: Path) -> list[Path]:
        """Files whose change invalidates this source's intents."""
        ...

    def detect(self, folder: Path, trusted: bool) -> SourceResult: ...


@attrs.frozen
class SourceResult:
    intents: list[IntentDef] = attrs.Factory(list)
    problems: list[str] = attrs.Factory(list)
    """Parse errors a person should see ("intents.toml line 3: …")."""
