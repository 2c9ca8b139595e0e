"""Closing the services right after a run, while work it left is still due (the suggestions'
batch of shown ones, saved a moment later; the fold for the folder's next prediction), logs no
error: nothing reaches the closed history ('cannot schedule new futures after shutdown')."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from pathlib import Path

import pytest

from intentls.engine import RunRequest
from intentls.folders import Folder
from intentls.model import RunStatus
from intentls.services import Options, Services
from intentls.suggestions import service
from intentls.suggestions.core import Finished
from tests.unit.test_uptodate import Listener


async def test_closing_right_after_a_run_logs_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(service, "SAVE_SHOWN_S", 0.0)  # the batch is due at the next tick
    folder = tmp_path / "ws"
    folder.mkdir()
    place = Folder(folder, folder.as_uri())
    services = Services.open(Options(tmp_path / "history.db", True, 2))
    services.start()
    for intent in ("fmt", "test", "fmt"):
        services.suggestions.run_finished(Finished(intent, place.uri, True, time.time()))
    result = await services.engine.run(RunRequest("$ true", place, folder), Listener())
    assert result.status is RunStatus.SUCCEEDED
    assert services.suggestions.suggest(place.uri), "a suggestion is shown: its batch is due"
    with caplog.at_level(logging.WARNING):
        services.close()
        for _ in range(3):  # the batch's timer and the fold's task get their turn
            await asyncio.sleep(0)
        gc.collect()  # a task that failed unseen says so when collected
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
