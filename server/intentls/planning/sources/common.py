"""What every detecting source needs: read a project file or say why not, find the line of a
definition, and remember which further files the last detection read (included makefiles,
workspace packages) so that the catalog's stat-based cache watches them too."""

from __future__ import annotations

import os
import re
from pathlib import Path

from intentls.planning.intents import IntentDef, ShellAction, SourceResult


class Unreadable(Exception):
    """A file exists but cannot be read as text; the message names it."""


def read_text(folder: Path, path: Path) -> str | None:
    """The file's text, None when it does not exist; `Unreadable` otherwise. A UTF-8 byte order
    mark is not text: npm, VS Code and make's editors write and accept it."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise Unreadable(f"{display(folder, path)}: is a directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Unreadable(f"{display(folder, path)}: cannot read: {exc}") from None


def display(folder: Path, path: Path) -> str:
    """`path` as a person would name it in this folder."""
    try:
        return os.fspath(path.relative_to(folder))
    except ValueError:
        return os.fspath(path)


def line_at(text: str, offset: int) -> int:
    """1-based line of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1


_SAFE = re.compile(r"[\w@%+=:,./-]+")


def one_word(text: str, colon: bool = True) -> str:
    """`text` as one shell word that needs no quoting: runs of whitespace and characters the shell
    would interpret become `-` (and `:` too unless `colon`, which `SOURCE:NAME` reserves)."""
    if _SAFE.fullmatch(text) and (colon or ":" not in text):
        return text
    allowed = r"\w@%+=,./-" + (":" if colon else "")
    word = re.sub(rf"[^{allowed}]+", "-", text.strip())
    return re.sub(r"-{2,}", "-", word).strip("-") or "-"


def first_existing(folder: Path, names: tuple[str, ...]) -> Path | None:
    for name in names:
        path = folder / name
        if path.is_file():
            return path
    return None


class ReadFiles:
    """Per folder, the further files (or directories, whose mtime changes when entries come and
    go) the last detection depended on, beyond a source's fixed candidates."""

    def __init__(self) -> None:
        self._by_folder: dict[Path, list[Path]] = {}

    def get(self, folder: Path) -> list[Path]:
        return self._by_folder.get(folder, [])

    def set(self, folder: Path, paths: list[Path]) -> None:
        self._by_folder[folder] = list(dict.fromkeys(paths))


class SingleFileSource:
    """A source that reads one file at the folder's root: reading it, and saying why it cannot
    be read, is the same for all of them; `parse` is what differs."""

    name: str
    file_name: str

    def watched_files(self, folder: Path) -> list[Path]:
        return [folder / self.file_name]

    def detect(self, folder: Path, trusted: bool) -> SourceResult:
        path = folder / self.file_name
        try:
            text = read_text(folder, path)
        except Unreadable as exc:
            return SourceResult(problems=[str(exc)])
        if text is None:
            return SourceResult()
        return self.parse(folder, path, text)

    def parse(self, folder: Path, path: Path, text: str) -> SourceResult:
        raise NotImplementedError


def command_intent(
    source: str,
    folder: Path,
    name: str,
    command: str,
    description: str,
    defined_in: Path | None,
    line: int | None = None,
) -> IntentDef:
    """A tool's everyday command as an intent, titled with the command line itself."""
    return IntentDef(
        name=name,
        source=source,
        folder=folder,
        actions=[ShellAction(command)],
        title=command,
        description=description,
        defined_in=defined_in,
        line=line,
    )
