"""The full output of a run in a file beside the history: every piece in order, capped, the
newest files kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from intentls.execution import output_log
from intentls.execution.output_log import OutputLog


def test_every_piece_in_order_with_step_headers(tmp_path: Path) -> None:
    out = OutputLog(tmp_path, "r1")
    out.write("s1", "a\n")
    out.write("s2", "b\nhalf a li")
    out.write("s2", "ne\n")
    out.write("s1", "c")
    out.write("s2", "d\n")
    out.close()
    path = tmp_path / "r1.log"
    assert path.read_text() == (
        "── s1 ──\na\n── s2 ──\nb\nhalf a line\n── s1 ──\nc\n── s2 ──\nd\n"
    ), "a header whenever another step writes, on a line of its own"
    assert b"".join(output_log.step_text(path, "s1")) == b"a\nc\n"
    assert b"".join(output_log.step_text(path, "s2")) == b"b\nhalf a line\nd\n"
    assert list(output_log.step_text(path, "s9")) == []


def test_the_file_is_there_from_the_start(tmp_path: Path) -> None:
    """A run that printed nothing has an empty file: a missing one means it is gone."""
    out = OutputLog(tmp_path / "output", "r1")
    out.close()
    assert (tmp_path / "output" / "r1.log").read_bytes() == b""
    assert (tmp_path / "output").stat().st_mode & 0o777 == 0o700, "output may hold secrets"


def test_a_file_stops_at_its_size_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output_log, "MAX_BYTES", 100)
    out = OutputLog(tmp_path, "r1")
    for _ in range(50):
        out.write("s1", "x" * 10)
    out.close()
    text = (tmp_path / "r1.log").read_text()
    assert text.endswith("[output past 256 MiB not kept]\n") and len(text) < 150


def test_only_the_newest_files_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output_log, "KEEP", 3)
    for n in range(5):
        out = OutputLog(tmp_path, f"r{n}")
        out.write("s1", "x")
        out.close()
        os.utime(tmp_path / f"r{n}.log", (n, n))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r2.log", "r3.log", "r4.log"]


def test_nothing_is_kept_beside_an_in_memory_history() -> None:
    out = OutputLog(output_log.output_root(None), "r1")
    out.write("s1", "x")
    assert out.path is None
