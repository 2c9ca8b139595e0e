"""Each folder's last finished runs, kept in memory on the history thread.

Failure analysis reads a folder's last runs twice per run (the prediction before it, the
review after it). Read from the file each time, that cost milliseconds per run, growing with
the folder's history. Here a folder's window is read once, then kept as this process writes:
a run's end or context refreshes its entry. Anything else that changes finished runs drops
every window (another process's commit, seen through `pragma data_version`; runs marked
interrupted; retention), and the next read loads again: the answer is always what
`outcomes.recent` would read from the file, output tails aside (up to 64 KiB a run, and
nothing read on every run uses them)."""

from __future__ import annotations

import bisect

import apsw

from intentls.history import outcomes
from intentls.history.outcomes import FINISHED, Key, PastRun

CAPACITY = 500
"""Runs kept per folder: the most any reader asks for (`History.outcomes`' default)."""


class RecentRuns:
    """Used on the history thread only (it owns the connection)."""

    def __init__(self) -> None:
        self._windows: dict[str, list[tuple[Key, PastRun]]] = {}
        """Per folder, its last finished runs (at most CAPACITY), oldest first."""
        self._version: int | None = None

    def recent(self, conn: apsw.Connection, folder: str, limit: int) -> list[PastRun]:
        """`outcomes.recent(conn, folder, limit)` without output tails (what failure analysis
        reads on every run), from memory once the folder was read."""
        if limit > CAPACITY:
            return [run for _, run in outcomes.recent_keyed(conn, folder, limit, tails=False)]
        self._check(conn)
        window = self._windows.get(folder)
        if window is None:
            window = self._windows[folder] = outcomes.recent_keyed(conn, folder, CAPACITY, False)
        return [run for _, run in window[-limit:]] if limit > 0 else []

    def refresh(self, conn: apsw.Connection, run_id: str) -> None:
        """This connection wrote a run's end or context: its entry is read again."""
        self._check(conn)
        if not self._windows:
            return
        try:
            found = outcomes.one_keyed(conn, run_id, tails=False)
        except apsw.Error:  # e.g. the file went bad: the next read loads again
            self.clear()
            return
        window = None if found is None else self._windows.get(found[1].folder)
        if found is None or window is None:
            return
        window[:] = [entry for entry in window if entry[1].run_id != run_id]
        if found[1].status in FINISHED:
            bisect.insort(window, found, key=lambda entry: entry[0])
            if len(window) > CAPACITY:
                del window[0]

    def clear(self) -> None:
        """This connection changed runs otherwise (interrupted, dropped): read again."""
        self._windows.clear()

    def _check(self, conn: apsw.Connection) -> None:
        """Another connection committed since the last look: nothing kept can be trusted."""
        version = int(conn.pragma("data_version"))
        if version != self._version:
            self._windows.clear()
            self._version = version
