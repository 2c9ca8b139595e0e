"""Running intents: `intentls.run`, `intentls.plan`, `intentls.list`, `intentls.cancel`; the
parallel budget follows the settings."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import Any

from lsprotocol import types as lsp

from intentls.engine import ActiveRun, RunRequest
from intentls.lsp.arguments import CancelArgs, ListArgs, PlanArgs, RunArgs
from intentls.lsp.editor_context import editor_context
from intentls.lsp.feature import Command, Feature, Token
from intentls.lsp.listener import LspRunListener
from intentls.model import IntentInfo, Plan, RunResult
from intentls.vocabulary import CommandId
from intentls.wire import to_wire

PROMPT_TIMEOUT_S = float(os.environ.get("INTENTLS_PROMPT_TIMEOUT_S", "60"))
"""How long a `window/showMessageRequest` waits for the person (PROTOCOL.md: 60 s)."""


class RunFeature(Feature):
    def commands(self) -> Sequence[Command[Any]]:
        return [
            Command(CommandId.RUN, RunArgs, self.run),
            Command(CommandId.PLAN, PlanArgs, self.plan),
            Command(CommandId.LIST, ListArgs, self.list_intents),
            Command(CommandId.CANCEL, CancelArgs, self.cancel),
        ]

    async def configuration_changed(self) -> None:
        """One budget serves every folder: the first folder's settings set it."""
        folders = self.ls.workspace_folders().folders
        settings, _ = self.ls.config.for_folder(folders[0].uri if folders else None)
        self.services.engine.slots.resize(settings.max_parallel)

    async def run(self, args: RunArgs, token: Token) -> RunResult:
        engine = self.services.engine
        request = self._request(args, args.background)
        if args.dry_run:
            return await engine.dry_run(request)
        if args.suggestion_id is not None:
            self.services.suggestions.taken(args.suggestion_id)  # a suggestion was taken
        listener = LspRunListener(self.ls, token)
        ask = self._ask if self.ls.prompts else None
        task = asyncio.get_running_loop().create_task(engine.run(request, listener, ask))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # `$/cancelRequest`: stop the run, answer once its processes are gone.
            listener.cancel_requested = True
            if listener.run is not None:
                await listener.run.cancel()
            await asyncio.gather(task, return_exceptions=True)
            raise

    async def plan(self, args: PlanArgs, token: Token) -> Plan:
        return await self.services.engine.plan(self._request(args))

    async def list_intents(self, args: ListArgs, token: Token) -> list[IntentInfo]:
        folder, _ = self.place(args)
        return self.services.engine.list_intents(folder)

    async def cancel(self, args: CancelArgs, token: Token) -> RunResult:
        folder, _ = self.place(args)
        active: ActiveRun = self.services.engine.find_running(args.run_id, folder)
        return await active.cancel()

    def _request(self, args: PlanArgs, background: bool = False) -> RunRequest:
        workspace = self.ls.workspace_folders()
        folder, cwd = workspace.resolve(args.uri, args.cwd)
        ready = {
            k: v
            for k, v in to_wire(args).items()
            if v not in (None, False) and k not in ("confirm", "dryRun")  # actions run for real
        }
        ready.setdefault("cwd", str(cwd))
        return RunRequest(
            text=args.intent,
            folder=folder,
            cwd=cwd,
            params=args.param_values(),
            confirm=getattr(args, "confirm", False),
            background=background,
            fail_fast=getattr(args, "fail_fast", False),
            force=getattr(args, "force", False),
            client=self.ls.client_name,
            arguments=ready,
            roots=tuple(f.path for f in workspace.folders),
            editor=editor_context(self.ls, folder.path, args.uri, args.range),
        )

    async def _ask(self, message: str, choices: list[str]) -> str | None:
        params = lsp.ShowMessageRequestParams(
            lsp.MessageType.Warning, message, [lsp.MessageActionItem(c) for c in choices]
        )
        try:
            answer = await asyncio.wait_for(
                self.ls.window_show_message_request_async(params), PROMPT_TIMEOUT_S
            )
        except TimeoutError:
            return None
        return answer.title if answer is not None else None
