"""The composition root: the one place the history, the undo service and the engine are built,
each with its dependencies passed to its constructor, and closed. The LSP server, the CLI, the
demo and the TCP transport all get them from here, so every entry point behaves the same: the
undos a crash interrupted are reported, the history's lease is renewed, retention applies.

A new domain service is built in `Services.open` (from what it depends on) and closed in
`Services.close`; features reach it as `self.services.<name>`.

Each part is imported by the function that builds it: a terminal command pays at start only for
what it uses (`intentls list` needs the catalog, `intentls history` the history)."""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from intentls.analytics.metrics import Metrics
    from intentls.engine import Engine
    from intentls.folders import Folder
    from intentls.history.store import History
    from intentls.planning.catalog import Catalog
    from intentls.settings import Settings
    from intentls.suggestions.service import Suggestions
    from intentls.undo.service import Editor, UndoService

log = logging.getLogger(__name__)


def open_history(path: Path, reader: bool = False) -> tuple[History, str | None]:
    """The history, or an in-memory one and the reason, so a broken file never stops runs.
    `reader`: for commands that only read it (`History(reader=True)`)."""
    import apsw

    from intentls.history.store import History

    try:
        history = History(path, reader)
    except (apsw.Error, OSError) as exc:
        log.exception("cannot open history %s", path)
        return History(None), f"history file {path} cannot be used ({exc}); runs are not kept"
    return history, history.read_only_reason


def catalog() -> Catalog:
    """Every intent of a folder, from every kind of project file."""
    from intentls.planning.catalog import Catalog
    from intentls.planning.sources import default_sources

    return Catalog(default_sources())


@attrs.frozen
class Options:
    history_path: Path
    trusted: bool | None
    """The client's trust verdict (True: the person's own terminal); None: ask, or grants."""
    max_parallel: int
    folder_settings: Callable[[Folder], Settings] | None = None
    """A folder's settings (the editor's configuration). None, in the terminal, which has no
    configuration of its own: undo uses those the folder was last snapshotted with, the rest
    their defaults."""
    editor: Editor | None = None
    """The editor's open documents (the LSP server); the terminal has none."""
    metrics_port: int | None = None
    """Serve Prometheus metrics on 127.0.0.1 at this port (`intentls serve --metrics-port`)."""


@functools.lru_cache(maxsize=64)
def _folder_of(uri: str) -> Folder:
    """A folder by its URI (suggestions know folders by URI; asked on every code action)."""
    from intentls.folders import Folder, uri_path

    return Folder(Path(uri_path(uri) or "/"), uri)


class Services:
    def __init__(
        self,
        history: History,
        undo: UndoService,
        engine: Engine,
        suggestions: Suggestions,
        notices: list[str],
    ) -> None:
        self.history = history
        self.undo = undo
        self.engine = engine
        self.suggestions = suggestions
        self.notices = notices
        """Why something works in a lesser way (an unusable history file), for the person."""
        self.metrics: Metrics | None = None
        self._closed = False

    @classmethod
    def open(cls, options: Options) -> Services:
        from intentls.engine import Engine
        from intentls.execution import orphans
        from intentls.suggestions.service import Suggestions
        from intentls.trust import Grants, TrustPolicy, default_grants_path
        from intentls.undo.service import UndoService

        history, notice = open_history(options.history_path)
        orphans.claim(history.path)
        trust = TrustPolicy(options.trusted, Grants(default_grants_path()))
        of = options.folder_settings
        undo = UndoService.beside(
            history,
            trust.trusted,
            None if of is None else (lambda folder: of(folder).undo),
            options.editor,
        )
        suggestions = Suggestions(history)
        suggestions.generation = lambda uri: undo.generation(_folder_of(uri).path)
        if of is not None:
            suggestions.enabled = lambda uri: of(_folder_of(uri)).suggestions.enabled
        engine = Engine(
            history,
            catalog(),
            trust,
            options.max_parallel,
            undo,
            None if of is None else (lambda folder: of(folder).retry),
            suggestions,
        )
        notices = [n for n in (notice, undo.notice) if n]
        services = cls(history, undo, engine, suggestions, notices)
        if options.metrics_port is not None:
            services.serve_metrics(options.metrics_port)
        return services

    def serve_metrics(self, port: int) -> None:
        from intentls.analytics.metrics import Metrics  # prometheus-client, only when asked

        metrics = Metrics(lambda: len(self.engine.active), self.suggestions.acceptance)
        try:
            metrics.serve(port)
        except OSError as exc:
            self.notices.append(f"metrics not served on 127.0.0.1:{port}: {exc}")
            return
        self.history.watchers.append(metrics)
        self.metrics = metrics

    def start(self) -> None:
        """On the running event loop: renew the history lease periodically, record how the
        undos a crash interrupted were finished, and, in the background, record the runs a
        crash interrupted (undoable from their before-snapshot) and end what crashed servers
        of this history left running.

        What exists by now (every module, class and service) lives as long as the process: it
        is frozen out of the cyclic collector's reach. A full collection walks every object it
        tracks while holding the GIL — ~65,000 after the server's imports, tens of
        milliseconds during which the event loop cannot run."""
        from intentls.execution import orphans

        gc.freeze()
        self.history.start_heartbeat()
        self.undo.report_recovered()
        self.undo.recover_interrupted()
        threading.Thread(target=orphans.end_all, name="intentls-orphans", daemon=True).start()

    def close(self) -> None:
        """Every process of ours gone, then the undo store and the history closed (running
        rows end `interrupted`)."""
        if self._closed:
            return
        self._closed = True
        self.engine.kill_now()
        if self.metrics is not None:
            self.metrics.close()
        self.suggestions.close()
        self.undo.close()
        self.history.close()
