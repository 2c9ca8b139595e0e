"""Where the history file is: every process of a user that shares it (editors' servers, the
terminal) finds it the same way. Cheap to import: the terminal asks before anything else."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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
