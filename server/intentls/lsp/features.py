"""Registers each LSP method once and delegates: lifecycle, settings, trust, code lenses."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import apsw
from lsprotocol import types as lsp

from intentls.engine import Engine
from intentls.folders import FolderError, to_path
from intentls.history.store import History
from intentls.lsp.code_actions import CODE_ACTION_KINDS, code_actions
from intentls.lsp.commands import COMMANDS
from intentls.lsp.daily_retention import collect_daily
from intentls.lsp.documents import Documents
from intentls.lsp.intent_files import watch_intent_files
from intentls.lsp.lenses import lenses_for
from intentls.lsp.server import IntentServer
from intentls.lsp.warm_up import warm_up
from intentls.planning.catalog import Catalog
from intentls.planning.sources import default_sources
from intentls.trust import Grants, TrustPolicy, default_grants_path
from intentls.undo.service import UndoService

log = logging.getLogger(__name__)

SET_TRUST = "intentls/setTrust"
HISTORY_ENV = "INTENTLS_HISTORY"


def default_history_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path(appauthor=False) / "intentls" / "history.db"


def history_path(options: dict[str, Any]) -> Path:
    """`initializationOptions.historyPath`, else `$INTENTLS_HISTORY`, else the user data dir."""
    given = options.get("historyPath")
    if isinstance(given, str) and given:
        return Path(given).expanduser()
    env = os.environ.get(HISTORY_ENV)
    return Path(env) if env else default_history_path()


def open_history(path: Path) -> tuple[History, str | None]:
    """The history, or an in-memory one and the reason, so a broken file never stops runs."""
    try:
        history = History(path)
    except (apsw.Error, OSError) as exc:
        log.exception("cannot open history %s", path)
        return History(None), f"history file {path} cannot be used ({exc}); runs are not kept"
    return history, history.read_only_reason


def create_server(expected_token: str | None = None) -> IntentServer:
    server = IntentServer(expected_token)
    server.commands.update(COMMANDS)
    notices: list[str] = []
    documents = Documents(server)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: IntentServer, params: lsp.InitializeParams) -> None:
        options = params.initialization_options
        if not isinstance(options, dict):
            options = {}
        ls.client_name = params.client_info.name if params.client_info else None
        trusted = options.get("trusted")
        ls.prompts = options.get("prompts") is True
        notices.extend(ls.config.initialize(options))
        history, notice = open_history(history_path(options))
        if notice:
            notices.append(notice)
        settings, _ = ls.config.for_folder(None)
        ls.engine = Engine(
            history,
            Catalog(default_sources()),
            TrustPolicy(
                trusted if isinstance(trusted, bool) else None, Grants(default_grants_path())
            ),
            settings.max_parallel,
        )
        history.start_heartbeat()
        undo = UndoService.beside(history)
        undo.editor = documents
        undo.trusted = ls.engine.trusted
        undo.report_recovered()
        ls.engine.undo = undo
        undo.settings_for = lambda folder: ls.config.for_folder(folder.uri)[0].undo
        ls.engine.retry_settings = lambda folder: ls.config.for_folder(folder.uri)[0].retry

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: IntentServer, params: lsp.InitializedParams) -> None:
        for notice in notices:
            ls.show(lsp.MessageType.Warning, f"intentls: {notice}")
        notices.clear()
        ls.spawn(watch_intent_files(ls), "watch intent files")
        try:
            await _pull_configuration(ls)
        finally:
            ls.configured.set()
        ls.spawn(warm_up(ls), "warm-up")
        ls.spawn(collect_daily(ls), "retention and garbage collection")

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: IntentServer, params: None) -> None:
        if ls.engine is not None:
            await ls.engine.shutdown()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: IntentServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get("intentls"), dict):
            ls.config.pushed = settings["intentls"]
            await _apply(ls)
        else:
            await _pull_configuration(ls)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(
        ls: IntentServer, params: lsp.DidChangeWorkspaceFoldersParams
    ) -> None:
        await _pull_configuration(ls)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: IntentServer, params: lsp.DidOpenTextDocumentParams) -> None:
        documents.opened(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: IntentServer, params: lsp.DidChangeTextDocumentParams) -> None:
        documents.changed(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: IntentServer, params: lsp.DidCloseTextDocumentParams) -> None:
        documents.closed(params.text_document.uri)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=CODE_ACTION_KINDS),
    )
    async def code_action(ls: IntentServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return await code_actions(ls, params)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: IntentServer, params: lsp.DidSaveTextDocumentParams) -> None:
        documents.saved(params.text_document.uri)
        # Intents may have changed: lenses follow (the catalog itself re-reads on next use).
        ls.refresh_code_lenses()

    @server.feature(SET_TRUST)
    def set_trust(ls: IntentServer, params: Any) -> None:
        trusted = getattr(params, "trusted", None)
        folder = getattr(params, "folder", None)
        if ls.engine is None or not isinstance(trusted, bool):
            log.warning("ignoring malformed %s: %r", SET_TRUST, params)
            return
        try:
            paths = [to_path(folder, "folder")] if isinstance(folder, str) else None
        except FolderError as exc:
            log.warning("ignoring %s: %s", SET_TRUST, exc)
            return
        open_folders = [f.path for f in ls.workspace_folders().folders]
        ls.engine.trust.set(trusted, None if paths is None else paths[0], open_folders)
        ls.refresh_code_lenses()

    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
    async def code_lens(ls: IntentServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
        found = ls.document_folder(params.text_document.uri)
        if ls.engine is None or found is None:
            return []
        return await lenses_for(ls.engine, *found)

    return server


async def _pull_configuration(ls: IntentServer) -> None:
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return
    folders = ls.workspace_folders().folders
    items = [lsp.ConfigurationItem(scope_uri=f.uri, section="intentls") for f in folders]
    try:
        answers = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=items or [lsp.ConfigurationItem(section="intentls")])
        )
    except Exception:
        log.warning("client did not answer workspace/configuration", exc_info=True)
        return
    if folders:
        ls.config.pulled = {
            f.uri: a for f, a in zip(folders, answers, strict=False) if isinstance(a, dict)
        }
    elif answers and isinstance(answers[0], dict):
        ls.config.pushed = answers[0]
    await _apply(ls)


async def _apply(ls: IntentServer) -> None:
    """New settings take effect: the parallel budget now; the rest where they are read."""
    if ls.engine is None:
        return
    folders = ls.workspace_folders().folders
    # One budget serves every folder: the first folder's settings set it.
    settings, problems = ls.config.for_folder(folders[0].uri if folders else None)
    for folder in folders[1:]:
        problems += ls.config.for_folder(folder.uri)[1]
    ls.engine.slots.resize(settings.max_parallel)
    for problem in dict.fromkeys(problems):
        ls.show(lsp.MessageType.Warning, f"intentls: {problem}; using the previous value")
