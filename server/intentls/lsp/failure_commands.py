"""`intentls.explain`: why a run failed, beside the intent's last success."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from lsprotocol import types as lsp

from intentls.failures.explain import explain_run
from intentls.lsp.arguments import Place
from intentls.wire import to_wire

if TYPE_CHECKING:
    from intentls.lsp.server import IntentServer


@attrs.frozen
class ExplainArgs(Place):
    run_id: str | None = None


async def explain(ls: IntentServer, args: ExplainArgs, token: lsp.ProgressToken | None) -> Any:
    assert ls.engine is not None
    folder, _ = ls.workspace_folders().resolve(args.uri, args.cwd)
    return to_wire(await explain_run(ls.engine.history, folder.uri, args.run_id))


COMMANDS: dict[str, tuple[type[Any], Any]] = {"intentls.explain": (ExplainArgs, explain)}
