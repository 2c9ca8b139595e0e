"""`textDocument/codeAction`: the kinds intentls offers, each from its own provider.

Kinds are hierarchical (LSP): `context.only` of `intentls` asks for `intentls.undo` too."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from intentls.folders import Folder

if TYPE_CHECKING:
    from intentls.lsp.server import IntentServer

log = logging.getLogger(__name__)

UNDO_KIND = "intentls.undo"

Provider = Callable[["IntentServer", Folder, Path, bool], Awaitable[list[lsp.CodeAction]]]


async def undo_actions(
    ls: IntentServer, folder: Folder, path: Path, invoked: bool
) -> list[lsp.CodeAction]:
    """Undo the newest run that changed this document; when asked (not automatic), also the
    folder's newest undoable run."""
    undo = ls.engine.undo if ls.engine is not None else None
    if undo is None:
        return []
    found = [await undo.action(folder, folder.relative(path))]
    if invoked:
        newest = await undo.action(folder, None)
        if newest is not None and all(a is None or a.run_id != newest.run_id for a in found):
            found.append(newest)
    return [
        lsp.CodeAction(
            title=a.title,
            kind=UNDO_KIND,
            command=lsp.Command(a.title, "intentls.undo", arguments=[{"runId": a.run_id}]),
        )
        for a in found
        if a is not None
    ]


PROVIDERS: dict[str, Provider] = {UNDO_KIND: undo_actions}
"""Kind → provider. The advertised `codeActionKinds` are these keys."""

CODE_ACTION_KINDS: list[str] = list(PROVIDERS)


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


async def code_actions(ls: IntentServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    found = ls.document_folder(params.text_document.uri)
    if ls.engine is None or found is None:
        return []
    folder, path = found
    trigger = params.context.trigger_kind
    invoked = trigger is None or trigger == lsp.CodeActionTriggerKind.Invoked
    actions: list[lsp.CodeAction] = []
    for kind, provider in PROVIDERS.items():
        if not wanted(kind, params.context.only):
            continue
        try:
            actions += await provider(ls, folder, path, invoked)
        except Exception:
            log.exception("code actions of kind %s failed", kind)
    return actions
