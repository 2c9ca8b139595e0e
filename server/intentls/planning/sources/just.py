"""Recipes of a justfile, read from the file — never with `just --dump`, which evaluates
backticks.

Files: `justfile`, `Justfile` or `.justfile` at the folder's root, and the files it `import`s
(relative to the importing file; `import?` may be missing). Private recipes (`_name`, or the
`[private]` attribute) are left out. A recipe's description is its `[doc("…")]` attribute, else
the comment line right above it (above its attributes). Its parameters become intent params:
`just build release` is the intent `build` with `params.mode = "release"`.

Parameters are passed positionally, so only those that can be are declared: required ones, and
ones whose default is a quoted string (passed explicitly, same as just's default). From the first
parameter whose default is an expression (a variable, a backtick, `(…)`) or that is variadic
(`*args`), the rest are left to just's own defaults and to extra words after the name
(`just:test -- -x` style: `test -x`). Words after a recipe's name are its arguments, as on just's
command line: `filter foo` fills `PATTERN`, and `watch ltest` replaces a default rather than
following it.

Aliases (`alias t := test`) are intents of their own that run the recipe they name (`just t`),
with its parameters.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import attrs

from intentls.model import IntentParam
from intentls.planning.intents import IntentDef, ShellAction, SourceResult
from intentls.planning.sources.common import ReadFiles, Unreadable, display, read_text

NAMES = ("justfile", "Justfile", ".justfile")
MAX_IMPORTS = 32

_HEADER = re.compile(r"^@?([A-Za-z_][A-Za-z0-9_-]*)(\s.*)?$", re.DOTALL)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*\s*:=")
_PARAM = re.compile(
    r"""(?P<kind>[+*]?)\$?(?P<name>[A-Za-z_][A-Za-z0-9_-]*)"""
    r"""(?:\s*=\s*(?P<default>'[^']*'|"(?:[^"\\]|\\.)*"|`[^`]*`|\([^)]*\)|[^\s]+))?"""
)
_KEYWORDS = ("alias", "export", "set", "import", "mod", "unexport")
_DOC = re.compile(r"""doc\(\s*(?:'([^']*)'|"((?:[^"\\]|\\.)*)")\s*\)""")
_IMPORT = re.compile(r"""^import(\?)?\s+(?:'([^']*)'|"((?:[^"\\]|\\.)*)")""")
_ALIAS = re.compile(
    r"^alias\s+([A-Za-z_][A-Za-z0-9_-]*)\s*:=\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(?:#.*)?$"
)


@attrs.frozen
class Recipe:
    name: str
    path: Path
    line: int
    description: str | None
    params: list[IntentParam]
    passed: list[str]
    """Names of the params put on the command line, in order."""


class JustSource:
    name = "just"

    def __init__(self) -> None:
        self._imports = ReadFiles()

    def watched_files(self, folder: Path) -> list[Path]:
        return [folder / n for n in NAMES] + self._imports.get(folder)

    def detect(self, folder: Path, trusted: bool) -> SourceResult:
        justfile = next((folder / n for n in NAMES if (folder / n).is_file()), None)
        if justfile is None:
            self._imports.set(folder, [])
            return SourceResult()
        reader = _Reader(folder)
        reader.read(justfile, optional=False)
        self._imports.set(folder, reader.read_files[1:])
        intents = []
        for recipe in reader.with_aliases():
            words = ["just", shlex.quote(recipe.name), *(f"${{{p}}}" for p in recipe.passed)]
            intents.append(
                IntentDef(
                    name=recipe.name,
                    source=self.name,
                    folder=folder,
                    actions=[ShellAction(" ".join(words))],
                    title=recipe.name,
                    description=recipe.description,
                    params=recipe.params,
                    defined_in=recipe.path,
                    line=recipe.line,
                    positional=True,
                )
            )
        return SourceResult(intents, reader.problems)


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.recipes: dict[str, Recipe] = {}
        self.read_files: list[Path] = []
        self.problems: list[str] = []
        self.aliases: list[tuple[str, str, Path, int, bool]] = []
        """(alias, recipe, file, line, private) in the order read."""

    def with_aliases(self) -> list[Recipe]:
        """The recipes, then each public alias of a public recipe as a recipe of its own."""
        found = list(self.recipes.values())
        for alias, target, path, line, private in self.aliases:
            recipe = self.recipes.get(target)
            if private or recipe is None or alias in self.recipes:
                continue
            description = f"alias of {target}" + (
                f": {recipe.description}" if recipe.description else ""
            )
            found.append(
                attrs.evolve(recipe, name=alias, path=path, line=line, description=description)
            )
            self.recipes[alias] = found[-1]
        return found

    def read(self, path: Path, optional: bool) -> None:
        if path in self.read_files or len(self.read_files) >= MAX_IMPORTS:
            return
        self.read_files.append(path)
        try:
            text = read_text(self.folder, path)
        except Unreadable as exc:
            self.problems.append(str(exc))
            return
        if text is None:
            if not optional:
                self.problems.append(f"{display(self.folder, path)}: imported but missing")
            return
        comment: str | None = None
        attributes: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                comment, attributes = None, []
                continue
            if line[0].isspace():
                continue  # a recipe body (or a continued expression)
            if line.startswith("#"):
                if not line.startswith("#!"):
                    comment = line[1:].strip() or None
                continue
            if line.startswith("["):
                attributes.append(line.strip().strip("[]"))
                continue
            imported = _IMPORT.match(line)
            if imported:
                name = imported.group(2) or imported.group(3) or ""
                self.read(path.parent / name, optional=bool(imported.group(1)))
                comment, attributes = None, []
                continue
            alias = _ALIAS.match(line)
            if alias:
                private = alias.group(1).startswith("_") or "private" in ",".join(attributes)
                self.aliases.append((alias.group(1), alias.group(2), path, number, private))
            else:
                self._recipe(line, number, path, comment, attributes)
            comment, attributes = None, []

    def _recipe(
        self, line: str, number: int, path: Path, comment: str | None, attributes: list[str]
    ) -> None:
        if _ASSIGNMENT.match(line) or line.split(None, 1)[0] in _KEYWORDS:
            return
        colon = _recipe_colon(line)
        match = _HEADER.match(line[:colon]) if colon > 0 else None
        if match is None:
            return
        name, params_text = match.group(1), match.group(2) or ""
        flat = ",".join(attributes)
        if name.startswith("_") or re.search(r"\bprivate\b", flat) or name in self.recipes:
            return
        doc = _DOC.search(flat)
        description = (doc.group(1) or doc.group(2)) if doc else comment
        params, passed = _params(params_text)
        self.recipes[name] = Recipe(name, path, number, description, params, passed)


def _params(text: str) -> tuple[list[IntentParam], list[str]]:
    params: list[IntentParam] = []
    passed: list[str] = []
    for match in _PARAM.finditer(text):
        kind, name, default = match.group("kind"), match.group("name"), match.group("default")
        if kind == "*":
            break
        if default is None:
            params.append(IntentParam(name, "one or more words" if kind == "+" else None))
        elif default[0] in "'\"":
            value = default[1:-1]
            if default[0] == '"':
                value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)
            params.append(IntentParam(name, None, value))
        else:
            break
        passed.append(name)
    return params, passed


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _recipe_colon(line: str) -> int:
    """Offset of the colon ending a recipe header (outside quotes and parentheses), or -1."""
    quote, depth, escaped = None, 0, False
    for i, ch in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "#" and depth == 0:
            return -1
        elif ch == ":" and depth == 0:
            return -1 if line[i + 1 : i + 2] == "=" else i
    return -1
