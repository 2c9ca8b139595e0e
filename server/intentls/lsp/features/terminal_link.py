"""The terminal link's LSP half: while an editor's server runs, `intentls run` in a terminal
standing in one of its workspace folders hands it the run (link/server.py). It listens from
`initialized` on, names the folders again when they change, and stops at `shutdown` (runs in
flight end interrupted; their terminals are told)."""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import TYPE_CHECKING

from intentls.lsp.feature import Feature

if TYPE_CHECKING:
    from intentls.link.server import TerminalLink

log = logging.getLogger(__name__)


class TerminalLinkFeature(Feature):
    link: TerminalLink | None = None

    async def initialized(self) -> None:
        self.ls.spawn(self._open(), "terminal link")

    async def _open(self) -> None:
        # The terminal's view (rich) is loaded once the editor is served, beside the loop.
        await asyncio.to_thread(importlib.import_module, "intentls.link.server")
        from intentls.link.server import TerminalLink

        link = TerminalLink(self.services, lambda: self.ls.workspace_folders().folders)
        try:
            opened = await link.open()
        except OSError:
            log.warning("terminal link: cannot listen; terminals run by themselves", exc_info=True)
            return
        if opened:
            self.link = link

    async def configuration_changed(self) -> None:
        """Workspace folders added or removed come this way too."""
        if self.link is not None:
            self.link.publish()

    async def shutdown(self) -> None:
        if self.link is not None:
            await self.link.close()
