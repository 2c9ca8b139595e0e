"""Makefile targets, found by reading the makefile — never by running make.

`make -p` would list targets more exactly, but it evaluates the makefile, `$(shell …)` and all,
which an untrusted folder must not get to do; so does nothing here, trusted or not.

Found: every explicit target of the makefile make would read (`GNUmakefile`, `makefile`,
`Makefile`) and of the files it `include`s (`include`, `-include`, `sinclude`; paths relative to
the folder, globs expanded, missing ones ignored, `$(…)` paths skipped), `.PHONY` ones included.
Left out: pattern rules (`%`), targets whose name needs make to expand (`$(…)`), targets
starting with `.` (special targets such as `.PHONY`, suffix rules, hidden helpers — make never
picks those as its default goal either), target-specific variables (`git.o: CFLAGS += -g` makes
no rule), variable assignments and `define` blocks. A `## text` comment after a target is its
description (`test: ## Run the tests`).

Listed (palette, lenses, hints) are the targets a person calls a task: `.PHONY` ones, and those
that name no file — no `/`, no `.` extension (`git.o`, `config.status`), not made by a pattern
rule (`po/%.pot`). The others stay runnable by name: in git's Makefile they were 92 of 172.
"""

from __future__ import annotations

import glob
import os
import re
import shlex
from pathlib import Path

import attrs

from intentls.planning.intents import IntentDef, ShellAction, SourceResult
from intentls.planning.sources.common import ReadFiles, Unreadable, read_text

NAMES = ("GNUmakefile", "makefile", "Makefile")
MAX_INCLUDES = 64

_ASSIGNMENT = re.compile(
    r"^(?:(?:export|override|private|unexport)\s+)*[^\s:=#]+\s*(?::::?=|::?=|[?+!]?=)"
)
_DIRECTIVES = frozenset(
    ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "export", "unexport", "vpath", "undefine")
)
_INCLUDE = re.compile(r"^(-include|sinclude|include)\s+(.*)$")


@attrs.frozen
class Target:
    name: str
    path: Path
    line: int
    description: str | None


class MakeSource:
    name = "make"

    def __init__(self) -> None:
        self._includes = ReadFiles()

    def watched_files(self, folder: Path) -> list[Path]:
        return [folder / n for n in NAMES] + self._includes.get(folder)

    def detect(self, folder: Path, trusted: bool) -> SourceResult:
        makefile = _makefile(folder)
        if makefile is None:
            self._includes.set(folder, [])
            return SourceResult()
        reader = _Reader(folder)
        reader.read(makefile, top=True)
        self._includes.set(folder, reader.read_files[1:])
        intents = [
            IntentDef(
                name=t.name,
                source=self.name,
                folder=folder,
                actions=[ShellAction(f"make {shlex.quote(t.name)}")],
                title=t.name,
                description=t.description,
                defined_in=t.path,
                line=t.line,
                listed=reader.is_task(t.name),
            )
            for t in reader.targets.values()
        ]
        return SourceResult(intents, reader.problems)


def _makefile(folder: Path) -> Path | None:
    for name in NAMES:
        path = folder / name
        if path.is_file():
            return path
    return None


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.targets: dict[str, Target] = {}
        self.read_files: list[Path] = []
        self.problems: list[str] = []
        self.phony: set[str] = set()
        self.patterns: set[tuple[str, str]] = set()
        """Pattern rules' targets as (before `%`, after `%`); the bare `%` is left out."""

    def is_task(self, name: str) -> bool:
        """Whether a person would call `name` a task rather than a file it makes."""
        if name in self.phony:
            return True
        if "/" in name or "." in name:
            return False
        return not any(
            name.startswith(head) and name.endswith(tail) and len(name) > len(head) + len(tail)
            for head, tail in self.patterns
        )

    def read(self, path: Path, top: bool = False) -> None:
        if path in self.read_files or len(self.read_files) >= MAX_INCLUDES:
            return
        self.read_files.append(path)
        try:
            text = read_text(self.folder, path)
        except Unreadable as exc:
            self.problems.append(str(exc))
            return
        if text is None:  # a missing include: make would build or complain; we list the rest
            return
        in_define = 0
        for number, line in _logical_lines(text):
            if line.startswith("\t"):
                continue  # a recipe line
            code, comment = _split_comment(line)
            stripped = code.strip()
            if not stripped:
                continue
            first = stripped.split(None, 1)[0]
            if first == "define" or stripped.startswith(("define ", "override define")):
                in_define += 1
                continue
            if first == "endef":
                in_define = max(0, in_define - 1)
                continue
            if in_define:
                continue
            include = _INCLUDE.match(stripped)
            if include:
                for included in self._include_paths(include.group(2)):
                    self.read(included)
                continue
            self._rule(stripped, comment, path, number)

    def _include_paths(self, words: str) -> list[Path]:
        found: list[Path] = []
        for word in words.split():
            if "$" in word:
                continue  # needs make to expand
            target = self.folder / Path(word).expanduser()
            if glob.has_magic(word):
                root = Path(target.anchor)
                found.extend(sorted(root.glob(os.fspath(target.relative_to(root)))))
            else:
                found.append(target)
        return found

    def _rule(self, code: str, comment: str | None, path: Path, number: int) -> None:
        if _ASSIGNMENT.match(code):
            return
        colon = _rule_colon(code)
        if colon < 0:
            return
        head, rest = code[:colon], code[colon + 1 :].lstrip(":")
        words = head.replace("&", " ").split()
        if not words or words[0] in _DIRECTIVES or _ASSIGNMENT.match(rest.strip()):
            return  # a directive, or a target-specific variable: no rule
        if words == [".PHONY"]:
            self.phony.update(rest.split())
            return
        for word in words:
            if "%" in word and word != "%" and "$" not in word:
                head_, _, tail = word.partition("%")
                self.patterns.add((head_, tail))
        description = None
        if comment is not None and comment.startswith("#"):
            description = comment.lstrip("#").strip() or None
        for word in words:
            name = word.replace("\\#", "#")
            if not _real_target(name):
                continue
            known = self.targets.get(name)
            if known is None:
                self.targets[name] = Target(name, path, number, description)
            elif known.description is None and description:
                self.targets[name] = attrs.evolve(known, description=description)


def _real_target(name: str) -> bool:
    return not (name.startswith(".") or "%" in name or "$" in name or "(" in name)


def _rule_colon(code: str) -> int:
    """Offset of the colon that ends a rule's targets (outside `$(…)`), or -1."""
    if "(" not in code and "{" not in code:
        colon, equals = code.find(":"), code.find("=")
        return -1 if colon < 0 or 0 <= equals < colon else colon
    depth = 0
    for i, ch in enumerate(code):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch == "=":
            return -1  # an assignment before any colon
        elif depth == 0 and ch == ":":
            return i
    return -1


def _split_comment(line: str) -> tuple[str, str | None]:
    """Code and the text after an unescaped `#` (without that `#`)."""
    i = 0
    while True:
        i = line.find("#", i)
        if i < 0:
            return line, None
        backslashes = len(line[:i]) - len(line[:i].rstrip("\\"))
        if backslashes % 2 == 0:
            return line[:i], line[i + 1 :]
        i += 1


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with backslash-newline continuations joined, each with its first line number."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 1
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        backslashes = len(raw) - len(raw.rstrip("\\"))
        if backslashes % 2 == 1:
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        lines.append((start, " ".join(p if i == 0 else p.lstrip() for i, p in enumerate(pending))))
        pending = []
    if pending:
        lines.append((start, " ".join(pending)))
    return lines
