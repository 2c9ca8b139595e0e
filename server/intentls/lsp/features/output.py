"""A run's full output as the client sees it: `intentls.output` answers where it is kept and its
text (or one step's); `intentls.runOutput` (the quick fix "Show the run's output") also shows the
file with `window/showDocument`. Convert and delegate: `execution/full_output.py` finds it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lsprotocol import types as lsp

from intentls.execution.full_output import FullOutput, find_output
from intentls.lsp.arguments import OutputArgs, RunOutputArgs
from intentls.lsp.feature import Command, Feature, Token
from intentls.vocabulary import CommandId


class OutputFeature(Feature):
    def commands(self) -> Sequence[Command[Any]]:
        return [
            Command(CommandId.OUTPUT, OutputArgs, self.output),
            Command(CommandId.RUN_OUTPUT, RunOutputArgs, self.run_output),
        ]

    async def output(self, args: OutputArgs, token: Token) -> FullOutput:
        folder = None if args.run_id is not None else self.place(args)[0].uri
        return await find_output(
            self.services.history, folder, args.run_id, args.step_id, args.max_bytes
        )

    async def run_output(self, args: RunOutputArgs, token: Token) -> FullOutput:
        """The run's file in an editor tab, when the client can be asked to show one."""
        found = await find_output(self.services.history, None, args.run_id, max_bytes=0)
        window = self.ls.client_capabilities.window
        if window is not None and window.show_document:
            await self.ls.window_show_document_async(
                lsp.ShowDocumentParams(found.uri, take_focus=True)
            )
        return found
