"""What the terminal's commands share: the project folder they are about, and their services
(from the composition root, `intentls.services`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from intentls.folders import Folder
from intentls.history.place import history_path
from intentls.services import open_history

if TYPE_CHECKING:
    from intentls.history.store import History
    from intentls.services import Services


def project_folder(here: Path | None = None) -> tuple[Folder, Path]:
    """The folder the person stands in (`planning.sources.project_folder`), and here (the
    current directory, or a terminal's across the terminal link)."""
    from intentls.planning.sources import project_folder as find

    here = here or Path.cwd()
    return Folder.from_path(find(here)[0]), here


def open_services() -> Services:
    """The terminal's services: trusted (the person typed the command), with the undo
    settings an editor last snapshotted the folder with (the terminal has none of its own)."""
    from intentls.services import Options, Services
    from intentls.settings import Settings

    services = Services.open(Options(history_path({}), True, Settings().max_parallel))
    for notice in services.notices:
        print(f"intentls: {notice}", file=sys.stderr)
    return services


def terminal_history() -> History:
    """The history alone, to read (what `intentls history` and `stats` need), in memory if
    its file cannot be used."""
    history, notice = open_history(history_path({}), reader=True)
    if notice:
        print(f"intentls: {notice}", file=sys.stderr)
    return history
