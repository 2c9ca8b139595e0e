"""Builds the server: each LSP method registered once and fanned out to the features that serve
it (esbonio's shape). `FEATURES` is the one registration point: a new capability's LSP half is
one `Feature` subclass added there (docs/architecture.md, "Where to add a feature")."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from lsprotocol import types as lsp

from intentls.engine import ActiveRun
from intentls.history.place import history_path
from intentls.lsp.feature import Feature
from intentls.lsp.features.diagnostics import DiagnosticsFeature
from intentls.lsp.features.failures import FailuresFeature
from intentls.lsp.features.history import HistoryFeature
from intentls.lsp.features.intents_file import IntentsFileFeature
from intentls.lsp.features.lenses import LensesFeature
from intentls.lsp.features.output import OutputFeature
from intentls.lsp.features.retention import RetentionFeature
from intentls.lsp.features.run import RunFeature
from intentls.lsp.features.suggestions import SuggestionsFeature
from intentls.lsp.features.terminal_link import TerminalLinkFeature
from intentls.lsp.features.trust import TrustFeature
from intentls.lsp.features.undo import UndoFeature
from intentls.lsp.features.warm_up import WarmUpFeature
from intentls.lsp.server import IntentServer
from intentls.model import RunResult
from intentls.services import Options, Services

log = logging.getLogger(__name__)

FEATURES: Sequence[type[Feature]] = (
    RunFeature,
    HistoryFeature,
    UndoFeature,
    LensesFeature,
    IntentsFileFeature,
    TrustFeature,
    FailuresFeature,
    DiagnosticsFeature,
    OutputFeature,
    SuggestionsFeature,
    WarmUpFeature,
    RetentionFeature,
    TerminalLinkFeature,
)
"""Every feature, in the order their hooks run."""

DOCUMENT_HOOKS = {
    lsp.TEXT_DOCUMENT_DID_OPEN: "document_opened",
    lsp.TEXT_DOCUMENT_DID_CHANGE: "document_changed",
    lsp.TEXT_DOCUMENT_DID_SAVE: "document_saved",
    lsp.TEXT_DOCUMENT_DID_CLOSE: "document_closed",
}


def create_server(
    expected_token: str | None = None, metrics_port: int | None = None
) -> IntentServer:
    """`metrics_port`: serve Prometheus metrics there (analytics/metrics.py)."""
    server = IntentServer(expected_token)
    server.metrics_port = metrics_port
    features = [feature(server) for feature in FEATURES]
    for feature in features:
        for command in feature.commands():
            if command.name in server.commands:
                raise ValueError(f"command {command.name} is declared twice")
            server.commands[command.name] = command
    _register_lifecycle(server, features)
    _register_documents(server, features)
    _register_requests(server, features)
    _register_notifications(server, features)
    _register_runs(server, features)
    return server


def _serving(features: list[Feature], hook: str) -> list[Feature]:
    """The features that override `hook`."""
    return [f for f in features if getattr(type(f), hook) is not getattr(Feature, hook)]


async def _each(features: list[Feature], hook: str, *args: Any) -> list[Any]:
    """Call `hook` on every feature serving it, in order; one that raises is logged and
    skipped. Returns the answers of those that did not raise."""
    answers = []
    for feature in _serving(features, hook):
        try:
            answers.append(await getattr(feature, hook)(*args))
        except Exception:
            log.exception("%s.%s failed", type(feature).__name__, hook)
    return answers


def _register_lifecycle(server: IntentServer, features: list[Feature]) -> None:
    notices: list[str] = []

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: IntentServer, params: lsp.InitializeParams) -> None:
        notices.extend(_open_services(ls, params))

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: IntentServer, params: lsp.InitializedParams) -> None:
        for notice in notices:
            ls.show(lsp.MessageType.Warning, f"intentls: {notice}")
        notices.clear()
        await _each(features, "initialized")
        try:
            await _pull_configuration(ls)
        finally:
            ls.configured.set()

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: IntentServer, params: None) -> None:
        await _each(features, "shutdown")
        if ls.services is not None:
            await ls.services.engine.shutdown()

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

    async def _pull_configuration(ls: IntentServer) -> None:
        if await _pulled(ls):
            await _apply(ls)

    async def _apply(ls: IntentServer) -> None:
        """New settings take effect: features act on them now; the rest where they are read."""
        if ls.services is None:
            return
        uris: list[str | None] = [f.uri for f in ls.workspace_folders().folders] or [None]
        problems = [p for uri in uris for p in ls.config.for_folder(uri)[1]]
        for problem in dict.fromkeys(problems):
            ls.show(lsp.MessageType.Warning, f"intentls: {problem}; using the previous value")
        await _each(features, "configuration_changed")


async def _pulled(ls: IntentServer) -> bool:
    """Ask the client for the settings of every folder (`workspace/configuration`); whether it
    answered."""
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return False
    folders = ls.workspace_folders().folders
    items = [lsp.ConfigurationItem(scope_uri=f.uri, section="intentls") for f in folders]
    try:
        answers = await ls.workspace_configuration_async(
            lsp.ConfigurationParams(items=items or [lsp.ConfigurationItem(section="intentls")])
        )
    except Exception:
        log.warning("client did not answer workspace/configuration", exc_info=True)
        return False
    if folders:
        ls.config.pulled = {
            f.uri: a for f, a in zip(folders, answers, strict=False) if isinstance(a, dict)
        }
    elif answers and isinstance(answers[0], dict):
        ls.config.pushed = answers[0]
    return True


def _register_runs(server: IntentServer, features: list[Feature]) -> None:
    serving = _serving(features, "run_finished")
    if serving:

        def after_run(run: ActiveRun, result: RunResult) -> None:
            server.spawn(_each(serving, "run_finished", run, result), f"after {run.run_id}")

        server.after_run = after_run


def _open_services(ls: IntentServer, params: lsp.InitializeParams) -> list[str]:
    """The client's options applied and the services opened (intentls/services.py); returns
    what the person should be told once the session is up."""
    options = params.initialization_options
    if not isinstance(options, dict):
        options = {}
    ls.client_name = params.client_info.name if params.client_info else None
    trusted = options.get("trusted")
    ls.prompts = options.get("prompts") is True
    notices = ls.config.initialize(options)
    settings, _ = ls.config.for_folder(None)
    ls.services = Services.open(
        Options(
            history_path(options),
            trusted if isinstance(trusted, bool) else None,
            settings.max_parallel,
            folder_settings=lambda folder: ls.config.for_folder(folder.uri)[0],
            editor=ls.documents,
            metrics_port=ls.metrics_port,
        )
    )
    ls.services.start()
    return [*notices, *ls.services.notices]


def _register_documents(server: IntentServer, features: list[Feature]) -> None:
    """Synchronous, so that what the document says is known before the next message."""
    for method, hook in DOCUMENT_HOOKS.items():
        serving = _serving(features, hook)
        if serving:
            server.feature(method)(_document_handler(serving, hook))


def _document_handler(serving: list[Feature], hook: str) -> Callable[..., None]:
    def handler(ls: IntentServer, params: Any) -> None:
        for feature in serving:
            _logged(getattr(feature, hook), params.text_document.uri)

    return handler


def _register_requests(server: IntentServer, features: list[Feature]) -> None:
    actions = _serving(features, "code_actions")
    if actions:
        kinds = [k for f in actions for k in f.code_action_kinds]

        @server.feature(
            lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=kinds)
        )
        async def code_action(
            ls: IntentServer, params: lsp.CodeActionParams
        ) -> list[lsp.CodeAction]:
            if ls.services is None:
                return []
            only = params.context.only

            def wanted(kind: str) -> bool:
                return only is None or any(kind == k or kind.startswith(k + ".") for k in only)

            answers = await _each(actions, "code_actions", params, wanted)
            return [action for answer in answers for action in answer]

    if _serving(features, "code_lenses"):

        @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
        async def code_lens(ls: IntentServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
            if ls.services is None:
                return []
            answers = await _each(features, "code_lenses", params)
            return [lens for answer in answers for lens in answer]


def _register_notifications(server: IntentServer, features: list[Feature]) -> None:
    handlers: dict[str, list[Callable[[Any], None]]] = {}
    for feature in features:
        for method, handler in feature.notifications().items():
            handlers.setdefault(method, []).append(handler)
    for method, each in handlers.items():
        server.feature(method)(_notification_handler(each))


def _notification_handler(each: list[Callable[[Any], None]]) -> Callable[..., None]:
    def handler(ls: IntentServer, params: Any) -> None:
        for one in each:
            _logged(one, params)

    return handler


def _logged(hook: Callable[..., None], *args: Any) -> None:
    try:
        hook(*args)
    except Exception:
        log.exception("%s failed", getattr(hook, "__qualname__", hook))
