"""Where the history file is: every process of a user that shares it (editors' servers, the
terminal) finds it the same way. Cheap to import: the terminal asks before anything else."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

HISTORY_ENV = "INTENTLS_HISTORY"


def default_history_path() -> Path:
    return user_data() / "intentls" / "history.db"


def user_data() -> Path:
    """The user's data directory. On Linux, XDG's rule read directly — the answer platformdirs
    gives there (tests/unit/test_history_place.py), without its import, which costs every
    terminal command about 8 ms of its start; platformdirs elsewhere."""
    if sys.platform.startswith("linux"):
        given = Path(os.environ.get("XDG_DATA_HOME", ""))
        return given if given.is_absolute() else Path("~/.local/share").expanduser()
    import platformdirs

    return platformdirs.user_data_path(appauthor=False)


def history_path(options: dict[str, Any]) -> Path:
    """`initializationOptions.historyPath`, else `$INTENTLS_HISTORY`, else the user data dir."""
    given = options.get("historyPath")
    if isinstance(given, str) and given:
        return Path(given).expanduser()
    env = os.environ.get(HISTORY_ENV)
    return Path(env) if env else default_history_path()
