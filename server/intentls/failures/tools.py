"""Which tools a command line runs, seen through wrappers (sudo, env, npx, uv run, python -m,
sh -c), so that tool-specific rules and matchers apply to their output."""

from __future__ import annotations

import re
import shlex
from pathlib import PurePath

_SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "\n", "|&", ";;"}
_PREFIXES = {
    "sudo",
    "env",
    "time",
    "nice",
    "nohup",
    "exec",
    "command",
    "xargs",
    "timeout",
    "npx",
    "bunx",
    "pnpx",
    "stdbuf",
    "then",
    "do",
    "else",
    "if",
    "while",
    "!",
}
_RUNNERS = {
    "uv": "run",
    "poetry": "run",
    "pipx": "run",
    "pdm": "run",
    "hatch": "run",
    "pnpm": "exec",
}
_SHELLS = {"sh", "bash", "dash", "zsh"}
_ALIASES = {
    "python3": "python",
    "pip3": "pip",
    "cc": "gcc",
    "g++": "gcc",
    "c++": "gcc",
    "clang++": "clang",
    "nodejs": "node",
    "tsc-watch": "tsc",
    "yarn": "npm",
    "pnpm": "npm",
}
_SUBCOMMANDS = {"go", "cargo", "npm", "ruff", "git", "pip"}
"""Tools whose subcommand changes what their output means (`go vet` lints, `go build` compiles)."""
_PYTHON = re.compile(r"^python[\d.]*$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def tools_in_command(command: str) -> set[str]:
    """The tools `command` runs: base names, aliases folded (`python3` → `python`), plus
    `tool sub` for tools with meaningful subcommands (`go vet`, `cargo test`)."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        words = command.split()
    found: set[str] = set()
    start, i = True, 0
    while i < len(words):
        if words[i] in _SEPARATORS:
            start = True
        elif start:
            start = _take(words, i, found)
            if start and PurePath(words[i]).name in _RUNNERS:
                i += 1  # `uv run`: the tool is the word after the runner's subcommand
        i += 1
    return found


def _take(words: list[str], i: int, found: set[str]) -> bool:
    """Record the tool at `words[i]`; True while the command's tool is still to come."""
    word = words[i]
    if _ASSIGNMENT.match(word) or word in _PREFIXES or word.startswith("-"):
        return True
    base = PurePath(word).name
    name = _ALIASES.get(base, base)
    if _PYTHON.match(name):
        name = "python"
    found.add(name)
    rest = words[i + 1 :]
    if name in _SHELLS and len(rest) >= 2 and rest[0] == "-c":
        found |= tools_in_command(rest[1])
    elif name == "python" and len(rest) >= 2 and rest[0] == "-m":
        found.add(_ALIASES.get(rest[1], rest[1]))
    elif name in _RUNNERS and rest[:1] == [_RUNNERS[name]]:
        return True
    if name in _SUBCOMMANDS and rest and not rest[0].startswith("-"):
        found.add(f"{name} {rest[0]}")
    return False
