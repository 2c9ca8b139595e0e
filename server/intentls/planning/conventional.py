"""Conventional names — `test`, `build`, `lint`, `format`, `typecheck`, `run` — for the best task
a folder has detected when none of its sources defines the name itself.

Deterministic: sources are tried in `SOURCE_ORDER`; within a source, tasks.json's `group`
(the group's default task first) for `build` and `test`, then the names of `ALIASES[name]` in
order. The first task found wins. An alias `SOURCE:NAME` matches that source only (`make:check`
is GNU's name for the tests, `make:all` for building, `cargo:check` a type check; an npm `check`
script could be either, so it is not guessed).

Names map exactly, never by resemblance (a Makefile's `types` generates a syntax file in vim;
it is no type check). A folder whose build is written down in a task file (package.json,
Makefile, justfile) has that as its primary build system: a tool's commands found beside it
(the small Cargo crate in git, a pyproject's pytest) then stand for no conventional name —
they are still listed and run by their own names.
"""

from __future__ import annotations

from intentls.planning.intents import IntentDef

SOURCE_ORDER = ("intents.toml", "vscode", "npm", "make", "just", "cargo", "go", "python")
TASK_FILE_SOURCES = frozenset({"npm", "make", "just"})
"""Build systems written down in a task file: when a folder has one, it is the primary one."""
TOOL_SOURCES = frozenset({"cargo", "go", "python"})
"""Sources whose intents are a tool's commands rather than tasks someone wrote down."""

ALIASES: dict[str, tuple[str, ...]] = {
    "test": ("test", "tests", "make:check", "pytest", "nox-tests", "nox-test", "tox"),
    "build": ("build", "compile", "make:all"),
    "lint": ("lint", "eslint", "clippy", "vet", "ruff", "nox-lint", "tox-lint"),
    "format": ("format", "fmt", "prettier", "ruff-format", "nox-format", "tox-format"),
    "typecheck": (
        "typecheck",
        "type-check",
        "check-types",
        "tsc",
        "cargo:check",
        "mypy",
        "nox-typecheck",
        "nox-mypy",
        "tox-typecheck",
        "tox-mypy",
    ),
    "run": ("run", "start", "serve"),
}


def resolve(intents: list[IntentDef]) -> dict[str, IntentDef]:
    """For each conventional name that no intent is named, the intent it stands for."""
    written = any(i.source in TASK_FILE_SOURCES for i in intents)
    counted = [i for i in intents if not (written and i.source in TOOL_SOURCES)]
    defined = {i.name for i in counted}
    order = {source: rank for rank, source in enumerate(SOURCE_ORDER)}
    by_source: dict[str, _Source] = {}
    for intent in counted:
        if intent.listed:  # a file target is never the folder's `build`
            by_source.setdefault(intent.source, _Source()).add(intent)
    sources = [by_source[s] for s in sorted(by_source, key=lambda s: (order.get(s, len(order)), s))]
    resolved: dict[str, IntentDef] = {}
    for name, aliases in ALIASES.items():
        if name in defined:
            continue
        found = next((i for s in sources if (i := s.best(name, aliases))), None)
        if found is not None:
            resolved[name] = found
    return resolved


class _Source:
    """One source's intents, indexed for the aliases."""

    def __init__(self) -> None:
        self.by_name: dict[str, IntentDef] = {}
        self.groups: dict[tuple[str, bool], IntentDef] = {}

    def add(self, intent: IntentDef) -> None:
        self.by_name.setdefault(intent.name, intent)
        self.by_name.setdefault(intent.qualified_name, intent)
        if intent.group is not None:
            self.groups.setdefault((intent.group, intent.group_default), intent)

    def best(self, name: str, aliases: tuple[str, ...]) -> IntentDef | None:
        found = self.groups.get((name, True)) or self.groups.get((name, False))
        if found is not None:
            return found
        for alias in aliases:
            intent = self.by_name.get(alias)
            if intent is not None and (":" in alias) == (alias == intent.qualified_name):
                return intent
        return None
