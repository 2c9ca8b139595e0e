"""Free-text phrases for the built-in tools: deterministic, no network.

A phrase is a segment's POSIX words (quoting keeps spaces in paths); its keywords count only
unquoted and are case-insensitive. `match` returns the tool and its arguments as typed (paths
relative to the request's directory), or None. The forms (docs/builtins.md lists them):

    rename A to B                       move|mv SRC… to|into DEST    mv SRC… DEST
    copy|cp SRC… to|into DEST           cp SRC… DEST
    delete|remove|rm [file|folder] P…   mkdir P    create folder|directory P
    create file P [with content|containing TEXT…]   touch P   new file|folder P
    write TEXT… to [file] P             append TEXT… to [file] P
    replace [regex] FIND… with REPL… in GLOB
    commit with message MSG…   commit -m MSG   git commit -m MSG
    stage P…   stage all   git add P…
    stash [with message MSG…]   git stash [push] [-m MSG]
    switch to [branch] X   switch branch X   checkout X   git switch|checkout X
    create|new branch X   git switch -c X   git checkout -b X
    git status

Text written by `write`, `append` and `create file … with content` gets a final newline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from intentls.planning.grammar import Word

EXACT = 1.0
LOOSE = 0.9
"""Abbreviations and synonyms (`mv`, `rm`, `checkout`, …): still unambiguous, but not the
canonical form."""


@attrs.frozen
class Phrase:
    tool: str
    args: dict[str, Any]
    confidence: float = EXACT


USAGE = {
    "rename": "rename A to B",
    "move": "move SRC… to DEST",
    "mv": "mv SRC… DEST",
    "copy": "copy SRC… to DEST",
    "cp": "cp SRC… DEST",
    "delete": "delete PATH…",
    "remove": "remove PATH…",
    "rm": "rm PATH…",
    "mkdir": "mkdir PATH",
    "create": "create file PATH [with content TEXT], create folder PATH, create branch NAME",
    "new": "new file PATH, new folder PATH, new branch NAME",
    "touch": "touch PATH",
    "write": "write TEXT to [file] PATH",
    "append": "append TEXT to [file] PATH",
    "replace": "replace [regex] FIND with REPLACEMENT in GLOB",
    "commit": "commit with message MESSAGE, commit -m MESSAGE",
    "stage": "stage PATH…, stage all",
    "stash": "stash [with message MESSAGE]",
    "switch": "switch to [branch] NAME",
    "checkout": "checkout NAME",
    "git": "git status|add|commit -m|stash|switch|checkout …",
}
VERBS = list(USAGE)
"""First words a phrase can start with (for "did you mean" hints)."""


def _kw(word: Word, *options: str) -> bool:
    return not word.quoted and word.text.lower() in options


def _texts(words: list[Word]) -> list[str]:
    return [w.text for w in words]


def _joined(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _last_kw(words: list[Word], *options: str) -> int:
    for i in range(len(words) - 1, -1, -1):
        if _kw(words[i], *options):
            return i
    return -1


def _first_kw(words: list[Word], *options: str, start: int = 0) -> int:
    for i in range(start, len(words)):
        if _kw(words[i], *options):
            return i
    return -1


def _line(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def match(words: list[Word]) -> Phrase | None:
    """The built-in a segment's words ask for, or None when they are no phrase."""
    if not words or words[0].quoted:
        return None
    verb = words[0].text.lower()
    handler = _HANDLERS.get(verb)
    return handler(words[1:]) if handler else None


# ---- files --------------------------------------------------------------------------------


def _rename(rest: list[Word]) -> Phrase | None:
    if len(rest) == 3 and _kw(rest[1], "to"):
        return Phrase("file.move", {"sources": [rest[0].text], "destination": rest[2].text})
    return None


def _transfer(tool: str, loose: bool) -> Callable[[list[Word]], Phrase | None]:
    def parse(rest: list[Word]) -> Phrase | None:
        at = _last_kw(rest, "to", "into")
        confidence = LOOSE if loose else EXACT
        if at >= 1 and at == len(rest) - 2:
            sources, dest = rest[:at], rest[-1]
        elif loose and at < 0 and len(rest) >= 2:  # `mv a b`, like the shell
            sources, dest, confidence = rest[:-1], rest[-1], LOOSE
        else:
            return None
        return Phrase(
            tool, {"sources": _texts(sources), "destination": dest.text}, confidence=confidence
        )

    return parse


def _delete(loose: bool) -> Callable[[list[Word]], Phrase | None]:
    def parse(rest: list[Word]) -> Phrase | None:
        if loose:  # `rm -rf build`: the flags say nothing a built-in delete needs
            rest = [w for w in rest if w.quoted or not w.text.startswith("-")]
        if len(rest) >= 2 and _kw(rest[0], "file", "files", "folder", "directory", "dir"):
            rest = rest[1:]
        if not rest:
            return None
        return Phrase("file.delete", {"paths": _texts(rest)}, LOOSE if loose else EXACT)

    return parse


def _create_file(rest: list[Word], confidence: float) -> Phrase | None:
    if not rest:
        return None
    path, tail = rest[0].text, rest[1:]
    if not tail:
        return Phrase("file.create", {"path": path}, confidence)
    if _kw(tail[0], "with") and len(tail) >= 3 and _kw(tail[1], "content", "contents", "text"):
        return Phrase("file.create", {"path": path, "content": _line(_joined(tail[2:]))})
    if _kw(tail[0], "containing") and len(tail) >= 2:
        return Phrase("file.create", {"path": path, "content": _line(_joined(tail[1:]))})
    return None


def _create(rest: list[Word]) -> Phrase | None:
    if len(rest) < 2:
        return None
    kind = rest[0]
    if _kw(kind, "file"):
        return _create_file(rest[1:], EXACT)
    if _kw(kind, "folder", "directory", "dir") and len(rest) == 2:
        return Phrase("file.mkdir", {"path": rest[1].text})
    if _kw(kind, "branch") and len(rest) == 2:
        return Phrase("git.branch", {"name": rest[1].text, "create": True})
    return None


def _new(rest: list[Word]) -> Phrase | None:
    found = _create(rest)
    return attrs.evolve(found, confidence=LOOSE) if found else None


def _touch(rest: list[Word]) -> Phrase | None:
    return _create_file(rest, LOOSE) if len(rest) == 1 else None


def _mkdir(rest: list[Word]) -> Phrase | None:
    if len(rest) == 2 and not rest[0].quoted and rest[0].text == "-p":
        rest = rest[1:]
    return Phrase("file.mkdir", {"path": rest[0].text}) if len(rest) == 1 else None


def _put(tool: str) -> Callable[[list[Word]], Phrase | None]:
    def parse(rest: list[Word]) -> Phrase | None:
        at = _last_kw(rest, "to")
        if at < 1:
            return None
        target = rest[at + 1 :]
        if len(target) == 2 and _kw(target[0], "file"):
            target = target[1:]
        if len(target) != 1:
            return None
        return Phrase(tool, {"path": target[0].text, "content": _line(_joined(rest[:at]))})

    return parse


# ---- text ---------------------------------------------------------------------------------


def _replace(rest: list[Word]) -> Phrase | None:
    regex = bool(rest) and _kw(rest[0], "regex", "regexp", "pattern")
    if regex:
        rest = rest[1:]
    with_at = _first_kw(rest, "with", start=1)
    in_at = _last_kw(rest, "in")
    if with_at < 1 or in_at < with_at + 1 or in_at != len(rest) - 2:
        return None
    return Phrase(
        "text.replace",
        {
            "find": _joined(rest[:with_at]),
            "replace": _joined(rest[with_at + 1 : in_at]),
            "glob": rest[-1].text,
            "regex": regex,
        },
    )


# ---- git ----------------------------------------------------------------------------------


def _commit(rest: list[Word]) -> Phrase | None:
    if len(rest) >= 3 and _kw(rest[0], "with") and _kw(rest[1], "message"):
        return Phrase("git.commit", {"message": _joined(rest[2:])})
    if len(rest) == 2 and _kw(rest[0], "-m", "--message"):
        return Phrase("git.commit", {"message": rest[1].text})
    return None


def _stage(rest: list[Word]) -> Phrase | None:
    if not rest:
        return None
    if len(rest) == 1 and _kw(rest[0], "all", "everything"):
        return Phrase("git.stage", {"paths": ["."]})
    return Phrase("git.stage", {"paths": _texts(rest)})


def _stash(rest: list[Word]) -> Phrase | None:
    if not rest:
        return Phrase("git.stash", {})
    if len(rest) >= 3 and _kw(rest[0], "with") and _kw(rest[1], "message"):
        return Phrase("git.stash", {"message": _joined(rest[2:])})
    return None


def _switch(rest: list[Word]) -> Phrase | None:
    if rest and _kw(rest[0], "to"):
        rest = rest[1:]
    if len(rest) == 2 and _kw(rest[0], "branch"):
        rest = rest[1:]
    if len(rest) == 1 and not rest[0].text.startswith("-"):
        return Phrase("git.branch", {"name": rest[0].text, "create": False})
    return None


def _checkout(rest: list[Word]) -> Phrase | None:
    found = _switch(rest)
    return attrs.evolve(found, confidence=LOOSE) if found else None


def _git(rest: list[Word]) -> Phrase | None:
    if not rest:
        return None
    sub, args = rest[0], rest[1:]
    if _kw(sub, "status") and not args:
        return Phrase("git.status", {})
    if _kw(sub, "add"):
        return _stage(args)
    if _kw(sub, "commit"):
        return _commit(args)
    if _kw(sub, "stash"):
        if args and _kw(args[0], "push"):
            args = args[1:]
        if not args:
            return Phrase("git.stash", {})
        if len(args) == 2 and _kw(args[0], "-m", "--message"):
            return Phrase("git.stash", {"message": args[1].text})
        return None
    if _kw(sub, "switch", "checkout"):
        if len(args) == 2 and _kw(args[0], "-c", "-b", "--create"):
            return Phrase("git.branch", {"name": args[1].text, "create": True})
        return _switch(args)
    return None


_HANDLERS: dict[str, Callable[[list[Word]], Phrase | None]] = {
    "rename": _rename,
    "move": _transfer("file.move", loose=False),
    "mv": _transfer("file.move", loose=True),
    "copy": _transfer("file.copy", loose=False),
    "cp": _transfer("file.copy", loose=True),
    "delete": _delete(loose=False),
    "remove": _delete(loose=True),
    "rm": _delete(loose=True),
    "mkdir": _mkdir,
    "create": _create,
    "new": _new,
    "touch": _touch,
    "write": _put("file.write"),
    "append": _put("file.append"),
    "replace": _replace,
    "commit": _commit,
    "stage": _stage,
    "stash": _stash,
    "switch": _switch,
    "checkout": _checkout,
    "git": _git,
}
