"""The history as the client asks for it: `intentls.history` (runs) and `intentls.stats`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from intentls.analytics import overview
from intentls.history.stats_shapes import Stats, StatsQuery
from intentls.history.store import HistoryQuery
from intentls.lsp.arguments import HistoryArgs, StatsArgs
from intentls.lsp.feature import Command, Feature, Token
from intentls.model import RunSummary
from intentls.vocabulary import CommandId


class HistoryFeature(Feature):
    def commands(self) -> Sequence[Command[Any]]:
        return [
            Command(CommandId.HISTORY, HistoryArgs, self.history),
            Command(CommandId.STATS, StatsArgs, self.stats),
        ]

    async def history(self, args: HistoryArgs, token: Token) -> list[RunSummary]:
        folder, _ = self.place(args)
        query = HistoryQuery(
            folder=None if args.all_folders else folder.uri,
            limit=args.checked_limit(),
            status=args.checked_status(),
            intent=args.intent,
            since=args.since_epoch(),
        )
        return await self.services.history.runs(query)

    async def stats(self, args: StatsArgs, token: Token) -> Stats:
        folder, _ = self.place(args)
        query = StatsQuery(
            folder=None if args.all_folders else folder.uri,
            intent=args.intent,
            since=args.since_epoch(time.time()),
        )
        return await overview.stats(self.services.history, query)
