"""A real LSP client (pytest-lsp) driving a real `intentls serve` process, with the custom
notifications recorded and small helpers that keep expectations short."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Union

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient
from pytest_lsp.client import make_test_lsp_client

SERVER = [sys.executable, "-m", "intentls", "serve"]
MAKE_CONTEXT = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
"""Set when the tests run under `make test`: a server given them would make the `make` it runs
think it is a sub-make (printing "Entering directory", sharing a jobserver)."""
TIMEOUT_S = 30.0


class Session:
    def __init__(self, client: LanguageClient, home: Path) -> None:
        self.client = client
        self.home = home
        self.notes: dict[str, list[dict[str, Any]]] = {}
        self._changed = asyncio.Condition()
        self.prompt_answer: str | None = None
        self.prompts: list[lsp.ShowMessageRequestParams] = []
        self.prompt_delay = asyncio.Event()

    def notes_of(self, method: str) -> list[dict[str, Any]]:
        return self.notes.setdefault(method, [])

    async def record(self, method: str, params: Any) -> None:
        async with self._changed:
            self.notes_of(method).append(_plain(params))
            self._changed.notify_all()

    async def wait_note(self, method: str, **match: Any) -> dict[str, Any]:
        """The first `method` notification whose fields equal `match` (waits for it)."""

        def found() -> dict[str, Any] | None:
            for note in self.notes_of(method):
                if all(note.get(k) == v for k, v in match.items()):
                    return note
            return None

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), TIMEOUT_S)
        result = found()
        assert result is not None
        return result

    async def command(
        self, name: str, args: Any = None, token: str | None = None, msg_id: str | None = None
    ) -> Any:
        arguments = None if args is None else [args]
        params = lsp.ExecuteCommandParams(name, arguments, work_done_token=token)
        future = self.client.protocol.send_request_async(
            lsp.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id
        )
        return _plain(await asyncio.wait_for(future, TIMEOUT_S))

    async def run(self, intent: str, **args: Any) -> dict[str, Any]:
        return await self.command("intentls.run", {"intent": intent, **args})

    def output_of(self, run_id: str, stream: str | None = None) -> str:
        return "".join(
            n["text"]
            for n in self.notes_of("intentls/output")
            if n["runId"] == run_id and (stream is None or n["stream"] == stream)
        )


def _plain(value: Any) -> Any:
    """lsprotocol objects and tuples → plain JSON-like data, to compare with dicts."""
    from pygls.protocol import default_converter

    if hasattr(value, "_asdict"):
        return _plain(value._asdict())
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__attrs_attrs__"):
        return default_converter().unstructure(value)
    return value


def capabilities(progress: bool = True, configuration: bool = False) -> lsp.ClientCapabilities:
    return lsp.ClientCapabilities(
        window=lsp.WindowClientCapabilities(work_done_progress=progress),
        workspace=lsp.WorkspaceClientCapabilities(
            configuration=configuration,
            workspace_folders=True,
            code_lens=lsp.CodeLensWorkspaceClientCapabilities(refresh_support=True),
        ),
    )


@asynccontextmanager
async def session(
    home: Path,
    folders: list[Path],
    init: dict[str, Any] | None = None,
    caps: lsp.ClientCapabilities | None = None,
    configuration: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    args: Sequence[str] = (),
    wrap: Sequence[str] = (),
) -> AsyncIterator[Session]:
    """Start a server whose user data (history, trust grants) lives under `home`; `args` go
    after `intentls serve`; `wrap`: a command the server is started through."""
    client = make_test_lsp_client()
    if configuration is not None:
        client.set_configuration(configuration, section="intentls")
    ses = Session(client, home)
    for method in ("intentls/output", "intentls/runStarted", "intentls/runFinished"):
        client.feature(method)(_recorder(ses, method))
    _also_record(ses, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    async def prompt(params: lsp.ShowMessageRequestParams) -> lsp.MessageActionItem | None:
        ses.prompts.append(params)
        if ses.prompt_answer is None:
            await ses.prompt_delay.wait()
            return None
        return lsp.MessageActionItem(ses.prompt_answer)

    @client.feature(lsp.WORKSPACE_CODE_LENS_REFRESH)
    async def lens_refresh(params: None) -> None:
        await ses.record(lsp.WORKSPACE_CODE_LENS_REFRESH, {})

    server_env = {
        **{k: v for k, v in os.environ.items() if k not in MAKE_CONTEXT},
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "INTENTLS_HISTORY": str(home / "history.db"),
        **(env or {}),
    }
    await client.start_io(*wrap, *SERVER, *args, env=server_env)
    params = lsp.InitializeParams(
        capabilities=caps or capabilities(),
        initialization_options={"trusted": True} if init is None else init,
        workspace_folders=[lsp.WorkspaceFolder(f.as_uri(), f.name) for f in folders],
        client_info=lsp.ClientInfo("intentls-tests"),
    )
    ses.initialize_result = await asyncio.wait_for(client.initialize_session(params), TIMEOUT_S)
    try:
        yield ses
    finally:
        ses.prompt_delay.set()
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT_S)
        await client.stop()


def _also_record(ses: Session, method: str) -> None:
    """Record a notification pytest-lsp already handles (publishDiagnostics) without losing
    its own handling (`client.diagnostics`)."""
    features = ses.client.protocol.fm.features
    handled = features[method]

    async def record(params: Any) -> None:
        handled(params)
        await ses.record(method, params)

    features[method] = record


def _recorder(ses: Session, method: str) -> Any:
    async def record(params: Any) -> None:
        await ses.record(method, params)

    return record


def read_code_actions_right(ses: Session) -> None:
    """lsprotocol's converter reads any code action that carries a command as a `Command` (its
    union hook only checks for a "command" key). Real clients look at the type of `command`;
    so does the test client from here on."""
    converter = ses.client.protocol._converter

    def hook(value: Any, _: Any) -> lsp.Command | lsp.CodeAction:
        if isinstance(value.get("command"), str):
            return converter.structure(value, lsp.Command)
        return converter.structure(value, lsp.CodeAction)

    converter.register_structure_hook(Union[lsp.Command, lsp.CodeAction], hook)  # noqa: UP007


def new_token() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"
