"""`intentls.stats` as the editors and the terminal show it: the history's figures, and how
often suggestions were taken (the suggestions' own record, over the whole history)."""

from __future__ import annotations

import attrs

from intentls.history.stats_shapes import Stats, StatsQuery, SuggestionStats
from intentls.history.store import History


async def stats(history: History, query: StatsQuery) -> Stats:
    from intentls.suggestions.store import acceptance

    figures = await history.stats(query)
    taken = await history.read_with(acceptance)
    return attrs.evolve(
        figures,
        suggestions=SuggestionStats(taken.shown, taken.taken, taken.dismissed, taken.rate),
    )
