"""The terminal's plain columns (`intentls list`, `intentls history`)."""

from __future__ import annotations

import pytest

from intentls import cli_table


def test_columns_line_up_and_line_breaks_become_spaces() -> None:
    shown = cli_table.table(
        ("intent", "source", "description"),
        [("build", "make", ""), ("test-everything", "intents.toml", "Unit tests,\nthen e2e")],
    )
    assert shown.splitlines() == [
        " intent           source        description",
        " build            make",
        " test-everything  intents.toml  Unit tests, then e2e",
    ]


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    def red(column: int, text: str) -> str | None:
        return "red" if column == 1 else None

    rows = [("1", "failed")]
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert "\x1b[" not in cli_table.table(("run", "status"), rows, red)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[31mfailed\x1b[0m" in cli_table.table(("run", "status"), rows, red)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli_table.table(("run", "status"), rows, red)
