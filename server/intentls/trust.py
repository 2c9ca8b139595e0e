"""Whether a folder's own tasks may run (PROTOCOL.md, "Start" and "When a run needs a person").

The client's verdict comes from `initializationOptions.trusted` and `intentls/setTrust` only.
An explicit `false` is final for the session: no prompt and no remembered grant overrides it.
Without a verdict, a grant given earlier through `intentls/setTrust` for the folder's real path
is remembered per user.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from intentls.history.place import user_data

log = logging.getLogger(__name__)


class Trust(enum.Enum):
    TRUSTED = "trusted"
    DENIED = "denied"
    """The client said no: final for this session unless it says yes."""
    UNKNOWN = "unknown"
    """Nobody said: untrusted, but a person may be asked."""


def default_grants_path() -> Path:
    return user_data() / "intentls" / "trusted-folders.json"  # beside the history, no platformdirs


class Grants:
    """Folders (by real path) the person trusted before, kept per user across sessions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: tuple[tuple[int, int, int] | None, set[str]] = (None, set())
        """The file's (inode, mtime, size) and what it held: trust is checked on every run, and a
        stat is cheaper than reading and parsing the file each time."""

    def _load(self) -> set[str]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return set()
        except OSError:
            log.warning("cannot read %s; treating as no grants", self.path)
            return set()
        signature = (st.st_ino, st.st_mtime_ns, st.st_size)  # rewrites replace the inode
        if self._cached[0] == signature:
            return set(self._cached[1])
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("cannot read %s; treating as no grants", self.path)
            return set()
        folders = {p for p in data.get("folders", []) if isinstance(p, str)}
        self._cached = (signature, folders)
        return set(folders)

    def contains(self, folder: Path) -> bool:
        return os.path.realpath(folder) in self._load()

    def set(self, folder: Path, granted: bool) -> None:
        folders = self._load()
        real = os.path.realpath(folder)
        if granted == (real in folders):
            return
        (folders.add if granted else folders.discard)(real)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".trusted-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"folders": sorted(folders)}, fh, indent=1)
        Path(tmp).replace(self.path)


class TrustPolicy:
    def __init__(self, initial: bool | None, grants: Grants) -> None:
        self._initial = initial
        self._session: dict[str | None, bool] = {}
        """Verdicts from `intentls/setTrust` this session, by real folder path (None: all)."""
        self.grants = grants

    def state(self, folder: Path) -> Trust:
        real = os.path.realpath(folder)
        verdict = self._session.get(real, self._session.get(None, self._initial))
        if verdict is True:
            return Trust.TRUSTED
        if verdict is False:
            return Trust.DENIED
        return Trust.TRUSTED if self.grants.contains(folder) else Trust.UNKNOWN

    def trusted(self, folder: Path) -> bool:
        return self.state(folder) is Trust.TRUSTED

    def set(self, trusted: bool, folder: Path | None, open_folders: Sequence[Path] = ()) -> None:
        """`intentls/setTrust`: the person's verdict, remembered per user for the folder;
        without a folder, for the whole session and remembered for every open folder."""
        key = os.path.realpath(folder) if folder is not None else None
        self._session[key] = trusted
        for each in [folder] if folder is not None else open_folders:
            self.grants.set(each, trusted)
