"""The last success of each step that opted in to up-to-date skipping, as the history keeps it
(what is compared and replayed: execution/uptodate.py)."""

from __future__ import annotations

import attrs


@attrs.frozen
class UpToDateRecord:
    """The last success of one step identity (folder, directory, command)."""

    inputs: str
    """Digest of everything the step read (command, named variables, input contents)."""
    outputs: str
    """Digest of its outputs as that success left them ("" when it declared none)."""
    run_id: str
    output: str
    """Its output tail, replayed when the step is skipped."""
    recorded_at: float
