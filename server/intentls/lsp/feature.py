"""What a feature's LSP half is: a `Feature` overriding the hooks it serves, and the commands it
declares (`Command`: id, argument type, handler). `lsp/setup.py` registers each LSP method once
and calls every feature that serves it; the dispatcher (`lsp/server.py`) converts a command's
arguments from the wire and its answer to the wire, so a handler takes and returns typed
domain objects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
from lsprotocol import types as lsp

if TYPE_CHECKING:
    from pathlib import Path

    from intentls.engine import ActiveRun
    from intentls.folders import Folder
    from intentls.lsp.arguments import Place
    from intentls.lsp.server import IntentServer
    from intentls.model import RunResult
    from intentls.services import Services

A = TypeVar("A")

Token = lsp.ProgressToken | None
"""The request's `workDoneToken`, if the client sent one."""


@attrs.frozen
class Command(Generic[A]):
    """A `workspace/executeCommand` command: advertised by the server once registered."""

    name: str
    arguments: type[A]
    """The attrs class the first argument is read into (a mistyped one is answered -32602)."""
    handler: Callable[[A, Token], Awaitable[Any]]
    """Returns a domain object (or None): the dispatcher converts it with `to_wire`."""


class Feature:
    """One capability's LSP half. Override only the hooks the feature serves: a method is
    registered with the client only if some feature serves it, and a feature whose hook raises
    is logged, never failing the request or the other features."""

    code_action_kinds: Sequence[str] = ()
    """The code action kinds `code_actions` offers (advertised as `codeActionKinds`)."""

    def __init__(self, ls: IntentServer) -> None:
        self.ls = ls

    @property
    def services(self) -> Services:
        """The history, undo service and engine (they exist from `initialize` on)."""
        return self.ls.services_now()

    def place(self, place: Place) -> tuple[Folder, Path]:
        """The workspace folder and directory a request is about (its `uri` or `cwd`)."""
        return self.ls.workspace_folders().resolve(place.uri, place.cwd)

    def commands(self) -> Sequence[Command[Any]]:
        return ()

    def notifications(self) -> dict[str, Callable[[Any], None]]:
        """Custom client-to-server notifications this feature handles, by method name (each
        handler is called synchronously, in order; it spawns what must wait)."""
        return {}

    # ---- hooks, one per LSP method (lsp/setup.py: HOOKS) -----------------------------------

    async def initialized(self) -> None:
        """After `initialized`; features run in their registration order."""

    async def shutdown(self) -> None: ...

    async def configuration_changed(self) -> None:
        """New settings took effect (pushed, pulled, or folders added or removed)."""

    def document_opened(self, uri: str) -> None: ...

    def document_changed(self, uri: str) -> None: ...

    def document_saved(self, uri: str) -> None: ...

    def document_closed(self, uri: str) -> None: ...

    async def code_actions(
        self, params: lsp.CodeActionParams, wanted: Callable[[str], bool]
    ) -> list[lsp.CodeAction]:
        """`wanted(kind)`: whether the client asked for this kind (`context.only`)."""
        return []

    async def code_lenses(self, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
        return []

    async def run_finished(self, run: ActiveRun, result: RunResult) -> None:
        """A run ended, whatever ended it (after `intentls/runFinished` was sent)."""
