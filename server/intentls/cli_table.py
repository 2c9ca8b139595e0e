"""Aligned columns for the terminal's quick listings (`intentls list`, `intentls history`).

These commands are typed often and print a few short rows; loading rich to lay them out cost
more than everything else they do (see `make bench`, "cli start"). The look is rich's table
without a box: a padded column per field, a bold header, statuses in colour — colour and bold
only on a terminal, and never with NO_COLOR set (https://no-color.org). Lines are not wrapped:
piped output is read by programs, and a terminal wraps a long description itself."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

BOLD = "1"
COLOURS = {"green": "32", "red": "31", "cyan": "36", "yellow": "33"}

Colour = Callable[[int, str], str | None]
"""A cell's colour (a key of COLOURS, or None) from its column and text."""


def colour() -> bool:
    """Whether stdout takes colour: a terminal, and NO_COLOR unset."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], colour_of: Colour | None = None
) -> str:
    """`header` and `rows` as padded columns, one line each (no trailing newline); a cell's
    own line breaks become spaces (an intents.toml description may span lines)."""
    rows = [[" ".join(cell.splitlines()) for cell in row] for row in rows]
    widths = [max(len(line[n]) for line in [header, *rows]) for n in range(len(header))]
    styled = colour()
    lines = [_line([_paint(h, BOLD, styled) for h in header], header, widths)]
    for row in rows:
        painted = [_paint(c, _code(colour_of, n, c), styled) for n, c in enumerate(row)]
        lines.append(_line(painted, row, widths))
    return "\n".join(lines)


def _line(painted: list[str], plain: Sequence[str], widths: list[int]) -> str:
    """Each cell padded by one space either side to its column's width (as rich's box-less
    table), the line's trailing spaces dropped."""
    cells = [f" {p}{' ' * (w - len(t))} " for p, t, w in zip(painted, plain, widths, strict=True)]
    return "".join(cells).rstrip()


def _code(colour_of: Colour | None, column: int, text: str) -> str | None:
    return COLOURS.get(colour_of(column, text) or "") if colour_of else None


def _paint(text: str, sgr: str | None, styled: bool) -> str:
    return f"\x1b[{sgr}m{text}\x1b[0m" if styled and sgr and text else text
