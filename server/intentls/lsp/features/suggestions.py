"""Suggestions' LSP half (docs/suggestions.md): `intentls.suggest`, `intentls.feedback`, code
actions of kind `intentls.suggest` (only when asked), saves fed to the model, and the warm-up
from history after start. Convert and delegate."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp

from intentls.lsp.arguments import FeedbackArgs, SuggestArgs
from intentls.lsp.feature import Command, Feature, Token
from intentls.model import Suggestion
from intentls.vocabulary import ActionKind, CommandId
from intentls.wire import ArgumentError


class SuggestionsFeature(Feature):
    code_action_kinds = (ActionKind.SUGGEST,)

    def commands(self) -> Sequence[Command[Any]]:
        return [
            Command(CommandId.SUGGEST, SuggestArgs, self.suggest),
            Command(CommandId.FEEDBACK, FeedbackArgs, self.feedback),
        ]

    async def initialized(self) -> None:
        self.ls.spawn(self.services.suggestions.warm(), "warm the suggestions from history")

    async def suggest(self, args: SuggestArgs, token: Token) -> list[Suggestion]:
        folder, _ = self.place(args)
        document = self.ls.document_folder(args.uri) if args.uri else None
        return self.services.suggestions.suggest(folder.uri, _file_type(document))

    async def feedback(self, args: FeedbackArgs, token: Token) -> dict[str, Any]:
        suggestions = self.services.suggestions
        if not suggestions.feedback(args.suggestion_id, args.accepted):
            raise ArgumentError(f"unknown suggestionId {args.suggestion_id!r}")
        await suggestions.save()
        return {}

    async def code_actions(
        self, params: lsp.CodeActionParams, wanted: Callable[[str], bool]
    ) -> list[lsp.CodeAction]:
        """At most 3, best first, and only when asked: never a lightbulb on a cursor move."""
        trigger = params.context.trigger_kind
        invoked = trigger is None or trigger == lsp.CodeActionTriggerKind.Invoked
        document = self.ls.document_folder(params.text_document.uri)
        if not invoked or document is None or not wanted(ActionKind.SUGGEST):
            return []
        found = self.services.suggestions.suggest(document[0].uri, _file_type(document))
        return [
            lsp.CodeAction(
                title=f"{s.title} ({s.reason})",
                kind=ActionKind.SUGGEST,
                command=lsp.Command(
                    s.command.title, s.command.command, arguments=s.command.arguments
                ),
            )
            for s in found
        ]

    def document_saved(self, uri: str) -> None:
        document = self.ls.document_folder(uri)
        if document is not None:
            self.services.suggestions.saved(document[0].uri, _file_type(document))


def _file_type(document: tuple[Any, Path] | None) -> str:
    return document[1].suffix if document is not None else ""
