"""How long each step of an intent usually takes: the median of its recent step rollups, for
the time left shown while a run runs. Pure Python (a few rows), so a run never loads numpy."""

from __future__ import annotations

from typing import Any

import apsw

from intentls.history import sketch
from intentls.history.periods import cover, day_of
from intentls.history.rollups import select

RECENT_DAYS = 28
"""Medians over the last four weeks: recent enough to follow a project that changed."""


def step_medians(conn: apsw.Connection, folder: str, intent: str, now: float) -> dict[str, int]:
    """Median ms by step title for `intent` in `folder`; a title it never ran itself takes the
    median of that title under the folder's other intents (`ci` running `test` as a step)."""
    sql, params = select(
        "rollup_steps", "intent, title, sketch", cover(day_of(now) - RECENT_DAYS + 1), folder, None
    )
    own: dict[str, bytes] = {}
    anywhere: dict[str, bytes] = {}
    rows: list[Any] = conn.execute(sql, params).fetchall()
    for name, title, blob in rows:
        anywhere[title] = sketch.merge(anywhere.get(title), blob)
        if name == intent:
            own[title] = sketch.merge(own.get(title), blob)
    return {title: sketch.percentile(own.get(title) or b, 50) for title, b in anywhere.items()}
