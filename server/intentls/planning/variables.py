"""Editor variables in task definitions and phrases: `${file}`, `${lineNumber}`,
`${selectedText}`, `${env:NAME}`, … from the request's `uri`, `range` and open document.

Values are inserted quote-aware, so that a file name or a selection can never break out of the
shell command around it: outside quotes a value is shell-quoted, inside double quotes the
characters special there are escaped, inside single quotes the quote is closed and reopened.
A variable that cannot be resolved is an error naming it, never an empty string.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from pathlib import Path

import attrs

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+(?::[^}]*)?)\}")


class VariableError(ValueError):
    """A `${…}` the request cannot fill in."""


@attrs.frozen
class EditorContext:
    """What the editor told us about where the person is."""

    folder: Path
    file: Path | None = None
    line: int | None = None
    """1-based."""
    selected_text: str | None = None
    env: Mapping[str, str] = attrs.field(factory=lambda: dict(os.environ))


def values(ctx: EditorContext) -> dict[str, str | None]:
    """Every known variable; None where this request has no value for it."""
    file = ctx.file
    return {
        "workspaceFolder": str(ctx.folder),
        "workspaceFolderBasename": ctx.folder.name,
        "cwd": str(ctx.folder),
        "pathSeparator": os.sep,
        "file": str(file) if file else None,
        "relativeFile": _relative(file, ctx.folder) if file else None,
        "fileDirname": str(file.parent) if file else None,
        "fileBasename": file.name if file else None,
        "fileBasenameNoExtension": file.stem if file else None,
        "fileExtname": file.suffix if file else None,
        "lineNumber": str(ctx.line) if ctx.line is not None else None,
        "selectedText": ctx.selected_text,
    }


def _relative(file: Path, folder: Path) -> str:
    try:
        return str(file.relative_to(folder))
    except ValueError:
        return str(file)


def expand_shell(
    command: str, ctx: EditorContext, strict: bool = False, secrets: Secrets | None = None
) -> str:
    """Fill known variables in a shell command, quote-aware. With `strict` (tasks.json, where
    every `${…}` is an editor variable) an unknown one is an error; otherwise it is left for
    the shell (`${HOME}`). With `secrets`, an `${env:NAME}` is never written into the command:
    it becomes a reference to an environment variable (`"${NAME}"`), and `secrets` gets that
    variable's value for the process — the command, which is shown and recorded, keeps no
    value of the environment."""
    known = values(ctx)
    out: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(command):
        ch = command[i]
        match = _PLACEHOLDER.match(command, i) if ch == "$" else None
        if match:
            value = _resolve(match.group(1), known, ctx, strict)
            if value is None:
                out.append(match.group(0))
            elif secrets is not None and match.group(1).startswith("env:"):
                out.append(_reference(secrets.name_for(match.group(1)[4:], value), quote))
            else:
                out.append(_quoted(value, quote))
            i = match.end()
            continue
        if ch == "\\" and quote != "'" and i + 1 < len(command):
            out.append(command[i : i + 2])
            i += 2
            continue
        if ch in "'\"" and (quote is None or quote == ch):
            quote = None if quote == ch else ch
        out.append(ch)
        i += 1
    return "".join(out)


def expand_plain(text: str, ctx: EditorContext, strict: bool = True, keep_env: bool = False) -> str:
    """Fill variables in a value that is not shell text (a cwd, an argv item, an env value).
    With `keep_env`, an `${env:…}` stays as typed (still an error when the variable is not
    set): its value is filled in later, where it is not recorded."""
    known = values(ctx)

    def fill(match: re.Match[str]) -> str:
        value = _resolve(match.group(1), known, ctx, strict)
        if value is None or (keep_env and match.group(1).startswith("env:")):
            return match.group(0)
        return value

    return _PLACEHOLDER.sub(fill, text)


def _resolve(
    name: str, known: dict[str, str | None], ctx: EditorContext, strict: bool
) -> str | None:
    if name.startswith("env:"):
        var = name[4:]
        if var not in ctx.env:
            raise VariableError(f"${{{name}}}: the environment variable {var} is not set")
        return ctx.env[var]
    if name not in known:
        if strict:
            raise VariableError(f"${{{name}}} is not a variable intentls knows")
        return None
    value = known[name]
    if value is None:
        raise VariableError(f"${{{name}}} needs {_needs(name)}, and this request has none")
    return value


def _needs(name: str) -> str:
    if name == "lineNumber":
        return "a position (the request's range)"
    if name == "selectedText":
        return "a selection in an open document (the request's uri and range)"
    return "a file (the request's uri)"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SECRET = "INTENTLS_ENV_"


@attrs.define
class Secrets:
    """Environment values a shell command refers to instead of containing them."""

    taken: frozenset[str] = frozenset()
    """Names the step's own `env` sets: a reference must not mean one of those."""
    values: dict[str, str] = attrs.Factory(dict)
    """Name → value, for the process's environment."""

    def name_for(self, var: str, value: str) -> str:
        name = var if _NAME.fullmatch(var) and var not in self.taken else None
        name = name or SECRET + re.sub(r"\W", "_", var)
        while self.values.get(name, value) != value:
            name += "_"
        self.values[name] = value
        return name


def _reference(name: str, quote: str | None) -> str:
    """A shell reference to the variable `name` that is one word, like a quoted value."""
    ref = "${" + name + "}"
    if quote == "'":
        return f"'\"{ref}\"'"
    if quote == '"':
        return ref
    return f'"{ref}"'


def expand_argv(
    argv: list[str], ctx: EditorContext, strict: bool
) -> tuple[list[str], list[str] | None]:
    """Argument words (no shell): as shown and recorded (`${env:…}` as typed), and as run
    when that differs (None: the same)."""
    shown = [expand_plain(a, ctx, strict, keep_env=True) for a in argv]
    run = [expand_plain(a, ctx, strict) for a in argv]
    return shown, (None if run == shown else run)


def _quoted(value: str, quote: str | None) -> str:
    if quote == "'":
        return value.replace("'", "'\\''")
    if quote == '"':
        return re.sub(r'(["\\$`])', r"\\\1", value)
    return shlex.quote(value)
