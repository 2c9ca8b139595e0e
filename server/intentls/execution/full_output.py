"""A run's full output on request (output_log.py keeps it): which file, how big, and its text
or one step's, for every face — the editors open the file, the terminal prints it, a client on
another machine takes the text. When the file is not there the error says why: no such run, a
run that never ran, rotated away, or never written."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Iterator
from pathlib import Path

import attrs

from intentls.execution.output_log import KEEP, log_path, output_root, step_text
from intentls.history.store import History, HistoryQuery

TEXT_BYTES = 256 * 1024
"""How much of the text an answer carries unless the client asks for another amount."""
MAX_TEXT_BYTES = 16 * 1024 * 1024
CHUNK = 1024 * 1024
_NEWEST = 20
"""Runs looked at for "the folder's newest run" (the newest that ran: blocked ones did not)."""


class OutputNotKept(ValueError):
    """The output asked for is not there; the message says why (a request error: -32602)."""


@attrs.frozen
class FullOutput:
    run_id: str
    intent: str
    status: str
    uri: str
    """The whole run's file (`file://`): what an editor on this machine opens."""
    size_bytes: int
    """The size of what was asked: the whole file, or the step's part of it."""
    step_id: str | None = None
    text: str | None = None
    """What was asked, as text: its last `maxBytes` bytes; None when none were asked for."""
    cut_bytes: int | None = None
    """Bytes at the start left out of `text` (the rest is in the file); None: nothing cut."""
    path: Path = attrs.field(default=Path(), metadata={"wire": False})


async def find_output(
    history: History,
    folder_uri: str | None,
    run_id: str | None,
    step: str | None = None,
    max_bytes: int = TEXT_BYTES,
) -> FullOutput:
    """The output of `run_id` (or of `folder_uri`'s newest run that ran), of one step (by id or
    title) when `step` is given, with at most `max_bytes` of its text."""
    if not 0 <= max_bytes <= MAX_TEXT_BYTES:
        raise OutputNotKept(f"maxBytes must be between 0 and {MAX_TEXT_BYTES}, got {max_bytes}")
    root = output_root(history.path)
    if run_id is None:
        run_id = await _newest(history, folder_uri)
    run = await history.outcome(run_id)
    if run is None:
        raise OutputNotKept(f"no run {run_id!r} in the history")
    what = f"run {run_id} («{run.intent}»)"
    if run.status == "blocked":
        raise OutputNotKept(f"{what} was blocked before it ran: it has no output")
    if root is None:
        raise OutputNotKept("no output is kept: this history is in memory, not in a file")
    step_id = None if step is None else await _step_id(history, run_id, step, what)
    path = log_path(root, run_id)
    answer = await asyncio.to_thread(_read, path, step_id, max_bytes)
    if answer is None:
        raise OutputNotKept(await asyncio.to_thread(_why_missing, root, run.started_at, what))
    size, text, cut = answer
    return FullOutput(
        run_id, run.intent, run.status, path.as_uri(), size, step_id, text, cut or None, path
    )


def chunks(output: FullOutput) -> Iterator[bytes]:
    """The whole of what was asked, a piece at a time (for the terminal to print)."""
    if output.step_id is not None:
        yield from step_text(output.path, output.step_id)
        return
    with output.path.open("rb") as file:
        while piece := file.read(CHUNK):
            yield piece


async def _newest(history: History, folder_uri: str | None) -> str:
    for run in await history.runs(HistoryQuery(folder_uri, limit=_NEWEST)):
        if run.status != "blocked":
            return run.run_id
    raise OutputNotKept("no run in this folder yet")


async def _step_id(history: History, run_id: str, step: str, what: str) -> str:
    """A step's id from its id or title; a running run's steps are not recorded yet: as given."""
    steps = await history.steps(run_id)
    if not steps:
        return step
    for row in steps:
        if step in (row["step_id"], row["title"]):
            return str(row["step_id"])
    named = ", ".join(f"{row['step_id']} ({row['title']})" for row in steps)
    raise OutputNotKept(f"{what} has no step {step!r}; its steps: {named}")


def _read(path: Path, step_id: str | None, max_bytes: int) -> tuple[int, str | None, int] | None:
    """(size, text of the last `max_bytes`, bytes cut before it); None: no file."""
    if step_id is None:
        try:
            with path.open("rb") as file:
                size = file.seek(0, 2)
                start = max(0, size - max_bytes)
                file.seek(start)
                data = file.read(size - start) if max_bytes else b""
        except FileNotFoundError:
            return None
    else:
        if not path.exists():
            return None
        size, tail = _tail(step_text(path, step_id), max_bytes)
        start, data = size - len(tail), tail
    if not max_bytes:
        return size, None, 0
    skip = _char_start(data) if start else 0
    return size, data[skip:].decode("utf-8", "replace"), start + skip


def _tail(pieces: Iterator[bytes], keep: int) -> tuple[int, bytes]:
    """The total size of `pieces` and their last `keep` bytes, in bounded memory."""
    size, held, kept = 0, collections.deque[bytes](), 0
    for piece in pieces:
        size += len(piece)
        held.append(piece)
        kept += len(piece)
        while held and kept - len(held[0]) >= keep:
            kept -= len(held.popleft())
    data = b"".join(held)
    return size, data[-keep:] if keep else b""


def _char_start(data: bytes) -> int:
    """Where the first whole UTF-8 character begins (a cut may fall inside one)."""
    return next((i for i, b in enumerate(data[:4]) if b & 0xC0 != 0x80), 0)


def _why_missing(root: Path, started_at: float, what: str) -> str:
    try:
        later = sum(1 for p in root.glob("*.log") if p.stat().st_mtime >= started_at)
    except OSError:
        later = 0
    if later >= KEEP - 1:
        return (
            f"the full output of {what} is gone: only the newest {KEEP} runs' output is kept "
            f"(in {root})"
        )
    return (
        f"the full output of {what} was never written (it ran before intentls kept full "
        "output, or its file could not be written)"
    )
