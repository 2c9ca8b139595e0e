"""`package.json` scripts, run with the package manager the project uses, and the scripts of
every workspace package of a monorepo.

Package manager: the `packageManager` field (`"pnpm@9.1.0"`) wins; else the lockfile at the
folder's root, checked in the order pnpm-lock.yaml, yarn.lock, bun.lockb / bun.lock,
package-lock.json; else npm. Scripts run as `PM run NAME` (npm: `npm run NAME --`, so that
extra words reach the script rather than npm).

Workspaces: `workspaces` in package.json (an array of globs, or yarn's `{packages: [...]}`) and
`packages:` in pnpm-workspace.yaml; `!glob` entries exclude. A workspace package's scripts are
named `PACKAGE/SCRIPT` — PACKAGE the package's directory name (its path relative to the folder
when two packages share a directory name) — and run in that package's directory: `web/build`.
PACKAGE is one shell word without `:`, which `SOURCE:NAME` reserves. (A script name with spaces
is named with `-` for them: every intent name is one shell word.)
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
from typing import Any

from intentls.planning.intents import IntentDef, ShellAction, SourceResult
from intentls.planning.sources.common import (
    ReadFiles,
    Unreadable,
    display,
    line_at,
    one_word,
    read_text,
)

PACKAGE_JSON = "package.json"
PNPM_WORKSPACE = "pnpm-workspace.yaml"
LOCKFILES = (
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("bun.lockb", "bun"),
    ("bun.lock", "bun"),
    ("package-lock.json", "npm"),
)
MANAGERS = ("npm", "pnpm", "yarn", "bun")
MAX_PACKAGES = 500


def package_manager(folder: Path, manifest: dict[str, Any] | None = None) -> str:
    declared = (manifest or {}).get("packageManager")
    if isinstance(declared, str):
        name = declared.split("@", 1)[0].strip()
        if name in MANAGERS:
            return name
    for lockfile, manager in LOCKFILES:
        if (folder / lockfile).exists():
            return manager
    return "npm"


def run_command(manager: str, script: str) -> str:
    command = f"{manager} run {shlex.quote(script)}"
    return f"{command} --" if manager == "npm" else command


class NpmSource:
    name = "npm"

    def __init__(self) -> None:
        self._packages = ReadFiles()

    def watched_files(self, folder: Path) -> list[Path]:
        fixed = [folder / PACKAGE_JSON, folder / PNPM_WORKSPACE]
        return fixed + [folder / lock for lock, _ in LOCKFILES] + self._packages.get(folder)

    def detect(self, folder: Path, trusted: bool) -> SourceResult:
        problems: list[str] = []
        root = folder / PACKAGE_JSON
        manifest, text = _manifest(folder, root, problems)
        if manifest is None or text is None:
            self._packages.set(folder, [])
            return SourceResult(problems=problems)
        manager = package_manager(folder, manifest)
        intents = self._scripts(folder, root, text, manifest, manager, None, problems)
        globs = _workspace_globs(folder, manifest, problems)
        packages, watched = _expand(folder, globs)
        names = _short_names(folder, packages)
        for package in packages:
            path = package / PACKAGE_JSON
            sub, sub_text = _manifest(folder, path, problems)
            if sub is not None and sub_text is not None:
                intents += self._scripts(
                    folder, path, sub_text, sub, manager, names[package], problems
                )
        self._packages.set(folder, watched + [p / PACKAGE_JSON for p in packages])
        return SourceResult(intents, problems)

    def _scripts(
        self,
        folder: Path,
        path: Path,
        text: str,
        manifest: dict[str, Any],
        manager: str,
        prefix: str | None,
        problems: list[str],
    ) -> list[IntentDef]:
        scripts = manifest.get("scripts", {})
        if not isinstance(scripts, dict):
            problems.append(f"{display(folder, path)}: scripts must be an object")
            return []
        lines = _script_lines(text)
        cwd = None if prefix is None else os.fspath(path.parent.relative_to(folder))
        intents = []
        for script, body in scripts.items():
            if not isinstance(body, str):
                problems.append(f"{display(folder, path)}: script {script!r} must be a string")
                continue
            intents.append(
                IntentDef(
                    name=one_word(script) if prefix is None else f"{prefix}/{one_word(script)}",
                    source=self.name,
                    folder=folder,
                    actions=[ShellAction(run_command(manager, script), cwd=cwd)],
                    title=script if prefix is None else f"{script} ({prefix})",
                    description=body,
                    defined_in=path,
                    line=lines.get(script),
                )
            )
        return intents


def _manifest(
    folder: Path, path: Path, problems: list[str]
) -> tuple[dict[str, Any] | None, str | None]:
    try:
        text = read_text(folder, path)
    except Unreadable as exc:
        problems.append(str(exc))
        return None, None
    if text is None:
        return None, None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"{display(folder, path)}: line {exc.lineno}: {exc.msg}")
        return None, None
    if not isinstance(data, dict):
        problems.append(f"{display(folder, path)}: must be a JSON object")
        return None, None
    return data, text


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"(?=\s*(:))?|[{}\[\]]')
"""A JSON string (group 1 set when it is a key) or a bracket: all the structure we need."""


def _script_lines(text: str) -> dict[str, int]:
    """Line of each key of the top-level `"scripts"` object (first occurrence)."""
    found: dict[str, int] = {}
    depth, scripts_key, in_scripts = 0, -1, False
    for token in _TOKEN.finditer(text):
        piece = token.group(0)
        if piece in "{[":
            depth += 1
            in_scripts = in_scripts or (piece == "{" and depth == 2 and scripts_key >= 0)
            scripts_key = -1
        elif piece in "}]":
            if depth == 2:
                in_scripts = False
            depth -= 1
        elif token.group(1):
            key = json.loads(piece)
            scripts_key = token.start() if depth == 1 and key == "scripts" else -1
            if in_scripts and depth == 2:
                found.setdefault(key, line_at(text, token.start()))
        else:
            scripts_key = -1
    return found


def _workspace_globs(folder: Path, manifest: dict[str, Any], problems: list[str]) -> list[str]:
    globs: list[str] = []
    declared = manifest.get("workspaces")
    if isinstance(declared, dict):
        declared = declared.get("packages")
    if isinstance(declared, list):
        globs += [g for g in declared if isinstance(g, str)]
    try:
        text = read_text(folder, folder / PNPM_WORKSPACE)
    except Unreadable as exc:
        problems.append(str(exc))
        text = None
    if text is not None:
        globs += pnpm_packages(text)
    return globs


def pnpm_packages(text: str) -> list[str]:
    """The `packages:` list of a pnpm-workspace.yaml, block or flow style. A reader of this one
    key, not of YAML: the rest of the file (catalogs, settings) is not ours to interpret."""
    found: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^packages\s*:\s*(.*)$", line)
        if not match:
            continue
        rest = _strip_yaml_comment(match.group(1)).strip()
        if rest.startswith("["):
            inner = rest.strip("[]")
            return [_unquote(item) for item in inner.split(",") if item.strip()]
        for item in lines[i + 1 :]:
            body = _strip_yaml_comment(item)
            if not body.strip():
                continue
            entry = re.match(r"^\s+-\s*(.*)$", body)
            if not entry:
                break
            found.append(_unquote(entry.group(1)))
        break
    return found


def _strip_yaml_comment(text: str) -> str:
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i]
    return text


def _unquote(item: str) -> str:
    item = item.strip()
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
        return item[1:-1]
    return item


def _expand(folder: Path, globs: list[str]) -> tuple[list[Path], list[Path]]:
    """Package directories the globs name, and the directories to watch for new packages."""
    included: dict[Path, None] = {}
    excluded: set[Path] = set()
    watched: list[Path] = []
    for pattern in globs:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if not pattern or pattern.startswith("/") or ".." in Path(pattern).parts:
            continue
        prefix = re.split(r"[*?[]", pattern, maxsplit=1)[0]
        base = prefix.rsplit("/", 1)[0] if "/" in prefix else "."
        if not negate:
            watched.append(folder / base)
        for path in sorted(folder.glob(pattern)):
            if "node_modules" in path.relative_to(folder).parts:
                continue
            if not (path / PACKAGE_JSON).is_file() or path == folder:
                continue
            if negate:
                excluded.add(path)
            else:
                included[path] = None
    packages = [p for p in included if p not in excluded][:MAX_PACKAGES]
    return packages, watched


def _short_names(folder: Path, packages: list[Path]) -> dict[Path, str]:
    counts: dict[str, int] = {}
    for package in packages:
        counts[package.name] = counts.get(package.name, 0) + 1
    return {
        p: p.name if counts[p.name] == 1 else p.relative_to(folder).as_posix() for p in packages
    }
