"""The person's trust verdict (`intentls/setTrust`, client to server): for one folder, or for
every open one; remembered per user and folder (intentls/trust.py). Lenses follow."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from intentls.folders import FolderError, to_path
from intentls.lsp.feature import Feature
from intentls.vocabulary import Notification

log = logging.getLogger(__name__)


class TrustFeature(Feature):
    def notifications(self) -> dict[str, Callable[[Any], None]]:
        return {Notification.SET_TRUST: self.set_trust}

    def set_trust(self, params: Any) -> None:
        trusted = getattr(params, "trusted", None)
        folder = getattr(params, "folder", None)
        if self.ls.services is None or not isinstance(trusted, bool):
            log.warning("ignoring malformed %s: %r", Notification.SET_TRUST, params)
            return
        try:
            path = to_path(folder, "folder") if isinstance(folder, str) else None
        except FolderError as exc:
            log.warning("ignoring %s: %s", Notification.SET_TRUST, exc)
            return
        open_folders = [f.path for f in self.ls.workspace_folders().folders]
        self.services.engine.trust.set(trusted, path, open_folders)
        self.ls.refresh_code_lenses()
