"""What the executor needs to run built-in tools for one run: the folder, the roots, where the
run's trash goes, whether the folder is trusted, and an inverse log per step (the history keeps
it)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import apsw
import attrs

from intentls.history.store import NotRecorded
from intentls.tools.base import InverseLog
from intentls.tools.confine import Roots
from intentls.tools.errors import HISTORY, ToolError

if TYPE_CHECKING:
    from intentls.history.store import History


def trash_root(history_path: Path | None) -> Path:
    """Where runs' trash directories go (one per run id): beside the history file, or in the
    temporary directory beside an in-memory history."""
    if history_path is not None:
        return history_path.parent / "trash"
    return Path(tempfile.gettempdir()) / f"intentls-trash-{os.getuid()}"


@attrs.frozen
class ToolRuntime:
    folder: Path
    roots: Roots
    trash: Path
    """This run's trash directory (under the history's directory); each step gets a subfolder."""
    inverse_log: Callable[[str], InverseLog]
    """The inverse log of the step with this id."""
    trusted: bool = True


class HistoryInverseLog:
    """Inverse operations of one step, each stored (and awaited) before the tool acts."""

    def __init__(self, history: History, run_id: str, step_id: str) -> None:
        self._history = history
        self._run_id = run_id
        self._step_id = step_id
        self._seq = 0

    def record(self, op: dict[str, Any]) -> None:
        try:
            self._history.record_inverse(self._run_id, self._step_id, self._seq, op)
        except (NotRecorded, apsw.Error) as exc:
            raise ToolError(
                HISTORY, f"cannot record how to undo this step, so nothing was changed: {exc}"
            ) from None
        self._seq += 1
