"""`IntentServer`: pygls wiring — capabilities, the command dispatcher that sees the whole
`ExecuteCommandParams` (for `workDoneToken`), converts arguments and answers, and honours
`$/cancelRequest`; the TCP token check; and the server-wide state the features share."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Callable, Coroutine, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams, JsonRpcRequestCancelled
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from intentls import __version__
from intentls.folders import Folder, FolderError, Workspace
from intentls.lsp import inbox
from intentls.lsp.configuration import Configuration
from intentls.lsp.documents import Documents
from intentls.lsp.feature import Command
from intentls.lsp.published import Published
from intentls.planning.planner import IntentError
from intentls.services import Services
from intentls.wire import ArgumentError, from_wire, to_wire

if TYPE_CHECKING:
    from intentls.engine import ActiveRun
    from intentls.model import RunResult

log = logging.getLogger(__name__)

CONFIG_WAIT_S = 5.0
BAD_INPUT = (ArgumentError, IntentError, FolderError, ValueError)
"""Errors that mean the request was wrong: answered with -32602 and the reason."""


class IntentProtocol(LanguageServerProtocol):
    _server: IntentServer
    initialize_seen = False
    """An `initialize` was received (lsp/inbox.py answers -32002 until then)."""

    def _send_response(
        self, msg_id: Any, result: Any | None = None, error: ResponseError | None = None
    ) -> None:
        """No traceback on the wire (pygls puts one in `data`), and no message that repeats a
        huge input."""
        if error is not None:
            error = ResponseError(code=error.code, message=inbox.cut(error.message))
        super()._send_response(msg_id, result, error)

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(
        self, params: lsp.InitializeParams
    ) -> Generator[Any, Any, lsp.InitializeResult]:
        expected = self._server.expected_token
        if expected is not None:
            options = params.initialization_options
            given = options.get("token") if isinstance(options, dict) else None
            if not isinstance(given, str) or not hmac.compare_digest(given, expected):
                log.warning("initialize without the right token: closing the connection")
                self._server.reject_connection()
                raise JsonRpcInvalidParams("initializationOptions.token is missing or wrong")
        result: lsp.InitializeResult = yield from super().lsp_initialize(params)
        result.capabilities.execute_command_provider = lsp.ExecuteCommandOptions(
            commands=sorted(self._server.commands), work_done_progress=True
        )
        return result

    @lsp_method(lsp.WORKSPACE_EXECUTE_COMMAND)
    async def lsp_workspace__execute_command(  # type: ignore[override]
        self, params: lsp.ExecuteCommandParams
    ) -> Any:
        """Our own dispatcher: pygls' would hide `workDoneToken` and run the command in a
        separate future that `$/cancelRequest` does not reach."""
        server = self._server
        command = server.commands.get(params.command)
        if command is None:
            raise JsonRpcInvalidParams(
                f"unknown command {params.command!r}; known: {', '.join(sorted(server.commands))}"
            )
        raw = params.arguments[0] if params.arguments else {}
        try:
            if server.services is None:
                raise JsonRpcInvalidParams("the server is not initialized yet")
            await server.settled()
            args = from_wire(raw, command.arguments)
            return to_wire(await command.handler(args, params.work_done_token))
        except BAD_INPUT as exc:
            raise JsonRpcInvalidParams(f"{params.command}: {exc}") from None
        except asyncio.CancelledError:
            raise JsonRpcRequestCancelled(f"{params.command} was cancelled") from None
        except (JsonRpcInvalidParams, JsonRpcRequestCancelled):
            raise
        except Exception as exc:
            log.exception("%s failed", params.command)
            server.window_log_message(
                lsp.LogMessageParams(lsp.MessageType.Error, f"{params.command} failed: {exc!r}")
            )
            raise JsonRpcInternalError(f"{params.command} failed: {exc}") from None


class IntentServer(LanguageServer):
    def __init__(self, expected_token: str | None = None) -> None:
        super().__init__("intentls", __version__, protocol_cls=IntentProtocol)
        self.expected_token = expected_token
        """The TCP token `initialize` must carry; None on stdio."""
        self.metrics_port: int | None = None
        """`intentls serve --metrics-port N`: Prometheus metrics on 127.0.0.1:N."""
        self.commands: dict[str, Command[Any]] = {}
        """Advertised commands, by name (the features declare them: lsp/setup.py)."""
        self.services: Services | None = None
        """History, undo and engine (intentls/services.py), opened at `initialize`, once the
        history path and trust are known."""
        self.documents = Documents(self)
        """The editor's open documents, as undo needs them."""
        self.diagnostics = Published(self.text_document_publish_diagnostics)
        """Every feature's diagnostics, published merged per document (lsp/published.py)."""
        self.after_run: Callable[[ActiveRun, RunResult], None] | None = None
        """Tells the features that serve `run_finished` of each finished run (lsp/setup.py)."""
        self.config = Configuration()
        self.prompts = False
        """The client asked us to ask the person (`window/showMessageRequest`) during runs."""
        self.client_name: str | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.configured = asyncio.Event()
        """Set once the client's configuration has been asked for and applied (or cannot be)."""
        self.on_reject: Callable[[], None] | None = None
        """How to drop the current connection (TCP); set by the transport."""

    # ---- helpers for features --------------------------------------------------------------

    def services_now(self) -> Services:
        """The services, which exist once `initialize` was answered."""
        if self.services is None:
            raise JsonRpcInvalidParams("the server is not initialized yet")
        return self.services

    async def settled(self) -> None:
        """Commands wait for the first configuration pull, so that a run sent right after
        `initialized` already uses the workspace's settings; a client that never answers
        delays them by at most CONFIG_WAIT_S."""
        if not self.configured.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.configured.wait(), CONFIG_WAIT_S)

    def workspace_folders(self) -> Workspace:
        """The client's folders; a client that named only a `rootUri` has that one."""
        uris = [f.uri for f in self.workspace.folders.values()]
        if not uris and self.workspace.root_uri:
            uris = [self.workspace.root_uri]
        paths = [(_path(uri), uri) for uri in uris]
        return Workspace([Folder(path, uri) for path, uri in paths if path is not None])

    def document_folder(self, uri: str) -> tuple[Folder, Path] | None:
        """The workspace folder of a document and its path; None outside every folder."""
        path = _path(uri)
        folder = self.workspace_folders().containing(path) if path is not None else None
        return None if folder is None or path is None else (folder, path)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Background work whose failure is logged, never lost."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    def client_shows_progress(self) -> bool:
        window = self.client_capabilities.window
        return bool(window and window.work_done_progress)

    def refresh_code_lenses(self) -> None:
        workspace = self.client_capabilities.workspace
        lenses = workspace.code_lens if workspace else None
        if lenses and lenses.refresh_support:
            self.spawn(self.workspace_code_lens_refresh_async(None), "codeLens refresh")

    def show(self, kind: lsp.MessageType, message: str) -> None:
        self.window_show_message(lsp.ShowMessageParams(kind, message))

    def reject_connection(self) -> None:
        """Close the connection once the error answer now being sent has been written."""
        if self.on_reject is not None:
            asyncio.get_running_loop().call_soon(self.on_reject)


def _path(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return Path(fs) if fs else None
