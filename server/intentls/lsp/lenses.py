"""Code lenses over the files that define intents: "▶ Run test · ✓ 2.1 s, 3 min ago"."""

from __future__ import annotations

import time
from pathlib import Path

from lsprotocol import types as lsp

from intentls.engine import Engine
from intentls.folders import Folder
from intentls.history.store import IntentRecord
from intentls.model import RunStatus

_MARKS = {RunStatus.SUCCEEDED.value: "✓", RunStatus.FAILED.value: "✗"}


async def lenses_for(engine: Engine, folder: Folder, path: Path) -> list[lsp.CodeLens]:
    intents = engine.intents(folder)
    found = []
    for intent in intents.listed():
        if intent.defined_in != path or intent.line is None:
            continue
        name = intent.name if len(intents.lookup(intent.name)) == 1 else intent.qualified_name
        record = await engine.history.intent_record(folder.uri, name)
        position = lsp.Position(intent.line - 1, 0)
        found.append(
            lsp.CodeLens(
                range=lsp.Range(position, position),
                command=lsp.Command(
                    title=lens_title(name, record, time.time()),
                    command="intentls.run",
                    arguments=[{"intent": name, "cwd": str(folder.path)}],
                ),
            )
        )
    return found


def lens_title(name: str, record: IntentRecord, now: float) -> str:
    title = f"▶ Run {name}"
    if record.last_status is None or record.last_started_at is None:
        return title
    mark = _MARKS.get(record.last_status, record.last_status)
    seconds = (record.last_duration_ms or 0) / 1000
    return f"{title} · {mark} {seconds:.1f} s, {ago(now - record.last_started_at)}"


def ago(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"
