"""How intentls keeps a SQLite file (the history and `undo.db` alike): APSW's best practice,
migrations by `pragma user_version`, and one thread that alone owns the connection.

The event loop never waits on the disk or on another process's write lock: it hands work to
the owning thread and awaits the answer; work runs in the order it was handed over, so a write
lands before any later write or query."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import apsw
import attrs

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
"""Two editors and the CLI share one file: wait for a writer rather than fail."""


@attrs.frozen
class Schema:
    name: str
    """What the file is, for messages ("history", "undo")."""
    migrations: Sequence[str | Callable[[apsw.Connection], None]]
    """Applied in order (SQL, or a function for what SQL alone cannot do); migration n
    brings the file to `user_version` n + 1."""

    @property
    def version(self) -> int:
        return len(self.migrations)


class NewerSchemaError(Exception):
    """The file was written by a newer intentls."""


_best_practice_applied = False

BEST_PRACTICE = (
    "connection_busy_timeout",
    "connection_wal",
    "connection_enable_foreign_keys",
    "connection_dqs",
    "connection_optimize",
    "connection_recursive_triggers",
    "library_logging",
)
"""`apsw.bestpractice.recommended`, which `best_practice` and `forward_log` do (a unit test
compares them with the library's)."""


def apply_best_practice() -> None:
    """WAL, foreign keys, SQLite's log forwarded to `logging`, … for every connection opened
    from now on: apsw.bestpractice's recommendations (BEST_PRACTICE), applied here rather than
    by `apsw.bestpractice.apply`, whose import loads apsw.ext — a fifth of the start of a
    terminal command that reads the history. Idempotent."""
    global _best_practice_applied
    if not _best_practice_applied:
        apsw.config(apsw.SQLITE_CONFIG_LOG, forward_log)
        apsw.connection_hooks.append(best_practice)
        _best_practice_applied = True


def best_practice(conn: apsw.Connection) -> None:
    """One connection's share of BEST_PRACTICE, in the library's order, but with the busy
    timeout a file shared by several servers needs (the library's 100 ms let a server
    starting while others wrote fail to open undo.db), and statistics skipped rather than
    waited for when another process holds the write lock: they are advisory."""
    conn.set_busy_timeout(BUSY_TIMEOUT_MS)
    _writable_pragma(conn, "journal_mode", "wal")
    conn.pragma("foreign_keys", "ON")
    conn.config(apsw.SQLITE_DBCONFIG_DQS_DML, 0)  # "…" names columns, never a string
    conn.config(apsw.SQLITE_DBCONFIG_DQS_DDL, 0)
    # The query planner notes where statistics would help (`pragma optimize` acts on them).
    with contextlib.suppress(apsw.BusyError):
        _writable_pragma(conn, "optimize", 0x10002)
    conn.pragma("recursive_triggers", "ON")


def _writable_pragma(conn: apsw.Connection, name: str, value: str | int) -> None:
    try:
        if not conn.readonly("main"):
            conn.pragma(name, value)
    except apsw.ReadOnlyError:  # the -wal or -shm file may still be read-only
        pass


def forward_log(code: int, message: str) -> None:
    """SQLite's log to `logging`, as apsw.ext.log_sqlite does: warnings and notices (such as
    a WAL recovered after a crash) at WARNING, schema changes at INFO, the rest at ERROR."""
    kind = code & 0xFF
    if kind in (apsw.SQLITE_WARNING, apsw.SQLITE_NOTICE):
        level = logging.WARNING
    elif code == apsw.SQLITE_SCHEMA:
        level = logging.INFO
    else:
        level = logging.ERROR
    name = apsw.mapping_result_codes.get(kind, str(kind))
    log.log(level, "SQLITE_LOG: %s (%d) %s", message, code, name)


def connect(path: Path | None) -> apsw.Connection:
    """A connection to `path` (None: in memory), best practice applied, not yet migrated."""
    apply_best_practice()
    if path is None:
        return apsw.Connection(":memory:")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = apsw.Connection(str(path))
    conn.set_busy_timeout(BUSY_TIMEOUT_MS)
    # In WAL mode NORMAL is still safe against a crash of any process; only a power cut can
    # lose the last commits. FULL would fsync on every run's two writes.
    conn.pragma("synchronous", "NORMAL")
    return conn


def not_writable(path: Path) -> str | None:
    """Why this process may not write `path` (or make it) and its journal files beside it;
    None when it may."""
    parent = path.parent
    if parent.exists() and os.statvfs(parent).f_flag & os.ST_RDONLY:
        return "its file system is read-only"
    if parent.exists() and not os.access(parent, os.W_OK | os.X_OK):
        return "its directory is not writable"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    return None


def open_read_only(path: Path) -> apsw.Connection:
    """`path` for reading only. A WAL file needs its `-shm` index beside it: when that cannot
    be used or made (a directory this process may not write, no writer running), the file is
    read as immutable — what a writer has not checkpointed into it yet is not seen."""
    apply_best_practice()
    uri = "file:" + urllib.parse.quote(os.fspath(path))
    flags = apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI
    if Path(f"{path}-shm").exists():
        conn = apsw.Connection(uri + "?mode=ro", flags=flags)
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        try:
            conn.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchall()
            return conn
        except (apsw.ReadOnlyError, apsw.CantOpenError):
            conn.close()
    return apsw.Connection(uri + "?immutable=1", flags=flags)


def open_migrated(path: Path | None, schema: Schema) -> apsw.Connection:
    conn = connect(path)
    try:
        migrate(conn, schema)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: apsw.Connection, schema: Schema) -> None:
    """Bring the file to `schema.version`; `NewerSchemaError` if it is past it. The write lock
    is taken first (IMMEDIATE): servers starting together on a new file wait for each other
    instead of failing with "database is locked" (a read upgraded to a write cannot wait)."""
    mode = conn.transaction_mode
    conn.transaction_mode = "IMMEDIATE"
    try:
        _migrate(conn, schema)
    finally:
        conn.transaction_mode = mode


def _migrate(conn: apsw.Connection, schema: Schema) -> None:
    with conn:
        value = conn.pragma("user_version")
        version = int(value) if isinstance(value, int) else 0
        if version > schema.version:
            raise NewerSchemaError(
                f"{schema.name} file has schema version {version}, newer than this intentls "
                f"understands ({schema.version})"
            )
        for number in range(version, schema.version):
            log.info("migrating %s schema to version %d", schema.name, number + 1)
            migration = schema.migrations[number]
            if isinstance(migration, str):
                conn.execute(migration)
            else:
                migration(conn)
            conn.pragma("user_version", number + 1)


GIL_HANDOFF_S = 0.0005
"""How long a thread waits for the GIL before the one holding it must hand it over (CPython's
default is 5 ms): a worker walking a folder in Python would otherwise stall the event loop by
that much each time the loop wakes up."""


class Worker:
    """The one thread that owns a connection. `retries`: how often a call that finds the file
    busy past the busy timeout is tried again (only for work that can be repeated whole)."""

    def __init__(self, name: str, retries: int = 1) -> None:
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_HANDOFF_S))
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"intentls-{name}")
        self._name = name
        self._retries = retries

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Blocking: for construction, closing, and callers off the event loop."""
        return self._thread.submit(self._attempts, fn, *args).result()

    # asyncio is imported where it is used: a terminal command that only reads (`intentls
    # history`) calls `run` and never loads it.

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        import asyncio

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._attempts, fn, *args)

    def write(self, fn: Callable[..., None], *args: Any) -> asyncio.Future[None]:
        """Returns at once with a future the caller may await or leave: a failure is logged
        either way."""
        import asyncio

        future = asyncio.wrap_future(self._thread.submit(self._attempts, fn, *args))
        future.add_done_callback(self._log_failure)
        return future

    def shutdown(self, last: Callable[[], None]) -> None:
        """Run `last` (close the connection) on the thread, then stop it."""
        self._thread.submit(last).result()
        self._thread.shutdown()

    def _attempts(self, fn: Callable[..., T], *args: Any) -> T:
        """A busy file past the busy timeout is retried, never reported to the person."""
        for attempt in range(1, self._retries + 1):
            try:
                return fn(*args)
            except apsw.BusyError:
                if attempt == self._retries:
                    raise
                log.warning("%s file busy, retrying (%d)", self._name, attempt)
        raise AssertionError("unreachable")

    def _log_failure(self, future: asyncio.Future[Any]) -> None:
        if not future.cancelled() and (error := future.exception()) is not None:
            log.error("%s write failed", self._name, exc_info=error)
