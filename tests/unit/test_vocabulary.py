"""The editor clients' copies of the protocol's names match `intentls.vocabulary`, and every
command a client sends is one the server advertises, or one this file names as pending."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from intentls.lsp.setup import create_server
from intentls.vocabulary import CommandId, Notification

CLIENTS = Path(__file__).resolve().parents[2] / "editor-clients"
NVIM = CLIENTS / "nvim" / "lua" / "intentls"
VSCODE = CLIENTS / "vscode" / "src"

PENDING: dict[str, str] = {}
"""Commands a client names before the server implements them: neither advertised nor in
`CommandId` yet. Whoever implements one removes it from here (a test below insists)."""


def _table(text: str, start: str, entry: str) -> dict[str, str]:
    """The `key = "value"` entries of the table that begins at `start` (up to its `}`)."""
    body = text[text.index(start) :]
    body = body[: body.index("}")]
    return dict(re.findall(entry, body))


LUA_ENTRY = r'(\w+)\s*=\s*"([^"]+)"'
TS_ENTRY = r"(\w+):\s*'([^']+)'"


def nvim_constants() -> tuple[dict[str, str], dict[str, str]]:
    text = (NVIM / "constants.lua").read_text(encoding="utf-8")
    return _table(text, "M.cmd = {", LUA_ENTRY), _table(text, "M.notif = {", LUA_ENTRY)


def vscode_constants() -> tuple[dict[str, str], dict[str, str]]:
    text = (VSCODE / "constants.ts").read_text(encoding="utf-8")
    commands = _table(text, "export const ServerCommand = {", TS_ENTRY)
    return commands, _table(text, "export const Notification = {", TS_ENTRY)


def sent(folder: Path, pattern: str, suffix: str, names: dict[str, str]) -> set[str]:
    """The command ids the client's sources refer to through its constants."""
    used = set()
    for source in folder.rglob(f"*{suffix}"):
        if source.name.startswith("constants"):
            continue
        used |= set(re.findall(pattern, source.read_text(encoding="utf-8")))
    unknown = used - names.keys()
    assert not unknown, f"{folder}: commands used but not in its constants: {unknown}"
    return {names[key] for key in used}


CLIENT_CASES = {
    "nvim": (nvim_constants, NVIM, r"\bconstants\.cmd\.(\w+)", ".lua"),
    "vscode": (vscode_constants, VSCODE, r"\bServerCommand\.(\w+)", ".ts"),
}


def advertised() -> set[str]:
    return set(create_server().commands)


def test_the_server_advertises_exactly_the_vocabulary() -> None:
    assert advertised() == set(CommandId)


def test_a_pending_command_is_not_implemented_yet() -> None:
    done = PENDING.keys() & (advertised() | set(CommandId))
    assert not done, f"implemented now: remove them from PENDING in this file: {done}"


@pytest.mark.parametrize("client", CLIENT_CASES)
def test_the_client_constants_match_the_vocabulary(client: str) -> None:
    read, *_ = CLIENT_CASES[client]
    commands, notifications = read()
    listed = set(commands.values())
    assert listed - set(PENDING) == set(CommandId), "every server command, and no other"
    assert set(notifications.values()) == set(Notification)


@pytest.mark.parametrize("client", CLIENT_CASES)
def test_every_command_a_client_sends_is_advertised_or_pending(client: str) -> None:
    read, folder, pattern, suffix = CLIENT_CASES[client]
    commands, _ = read()
    used = sent(folder, pattern, suffix, commands)
    assert used, "the pattern finds the client's commands"
    assert used <= advertised() | PENDING.keys(), used - advertised() - PENDING.keys()
