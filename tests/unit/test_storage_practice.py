"""intentls applies apsw.bestpractice's recommendations itself (`storage.best_practice`,
`storage.forward_log`) so that a terminal command need not import apsw.ext: the connection it
opens must be set up exactly as the library's hooks set one up, and a recommendation the
library adds must not go unnoticed."""

from __future__ import annotations

import logging
from pathlib import Path

import apsw
import apsw.bestpractice
import pytest

from intentls import storage

PRAGMAS = ("journal_mode", "foreign_keys", "recursive_triggers")


def settings(conn: apsw.Connection) -> dict[str, object]:
    found: dict[str, object] = {p: conn.pragma(p) for p in PRAGMAS}
    found["dqs_dml"] = conn.config(apsw.SQLITE_DBCONFIG_DQS_DML, -1)
    found["dqs_ddl"] = conn.config(apsw.SQLITE_DBCONFIG_DQS_DDL, -1)
    return found


def test_the_recommendations_are_the_libraries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tuple(f.__name__ for f in apsw.bestpractice.recommended) == storage.BEST_PRACTICE
    with monkeypatch.context() as bare:  # a connection with the library's hooks only
        bare.setattr(apsw, "connection_hooks", [])
        theirs = apsw.Connection(str(tmp_path / "theirs.db"))
    for practice in apsw.bestpractice.recommended:
        if practice.__name__.startswith("connection_"):
            practice(theirs)
    ours = storage.connect(tmp_path / "ours.db")  # best practice applied by a hook
    assert settings(ours) == settings(theirs)
    assert settings(ours) == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "recursive_triggers": 1,
        "dqs_dml": 0,
        "dqs_ddl": 0,
    }
    with pytest.raises(apsw.SQLError):  # a double-quoted string is an error, not a string
        ours.execute('SELECT "not a column"')


def test_sqlites_log_reaches_logging(caplog: pytest.LogCaptureFixture) -> None:
    storage.apply_best_practice()
    with caplog.at_level(logging.WARNING, logger="intentls.storage"):
        apsw.log(apsw.SQLITE_NOTICE, "a notice from SQLite")
    (record,) = [r for r in caplog.records if "a notice from SQLite" in r.getMessage()]
    assert record.levelno == logging.WARNING and "SQLITE_NOTICE" in record.getMessage()
