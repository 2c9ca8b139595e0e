"""Failure learning as the client sees it: `intentls.explain` (why a run failed, beside the
intent's last success; docs/failures.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from intentls.failures.explain import explain_run
from intentls.lsp.arguments import ExplainArgs
from intentls.lsp.feature import Command, Feature, Token
from intentls.model import Explanation
from intentls.vocabulary import CommandId


class FailuresFeature(Feature):
    def commands(self) -> Sequence[Command[Any]]:
        return [Command(CommandId.EXPLAIN, ExplainArgs, self.explain)]

    async def explain(self, args: ExplainArgs, token: Token) -> Explanation:
        folder, _ = self.place(args)
        return await explain_run(self.services.history, folder.uri, args.run_id)
