"""The periods rollups are kept for: days, weeks and eight-week blocks (UTC), nested so that any
span of days is a few rows of each grain instead of one row per day."""

from __future__ import annotations

DAY_S = 86400
SPANS = (1, 7, 56)
"""Days per period of each grain (grain = index): day, week, eight weeks."""
_MONDAY = 4
"""Epoch day 4 (1970-01-05) was a Monday: weeks and blocks start on Mondays."""

Range = tuple[int, int, int | None]
"""(grain, first period, last period or None for no end)."""


def day_of(ts: float) -> int:
    return int(ts // DAY_S)


def period(grain: int, day: int) -> int:
    return day if grain == 0 else (day - _MONDAY) // SPANS[grain]


def first_day(grain: int, number: int) -> int:
    return number if grain == 0 else number * SPANS[grain] + _MONDAY


def periods(day: int) -> list[tuple[int, int]]:
    """The (grain, period) of every grain a day belongs to."""
    return [(grain, period(grain, day)) for grain in range(len(SPANS))]


def cover(first: int | None, last: int | None = None) -> list[Range]:
    """Ranges of periods that together hold exactly the days `first` to `last` (first None:
    every day; last None: no end), the largest periods that fit first."""
    if first is None:
        return [(len(SPANS) - 1, -(2**62), None)]
    ranges: list[Range] = []
    day = first
    while last is None or day <= last:
        grain = next(
            g
            for g in reversed(range(len(SPANS)))
            if first_day(g, period(g, day)) == day and (last is None or day + SPANS[g] - 1 <= last)
        )
        number = period(grain, day)
        if grain == len(SPANS) - 1 and last is None:
            ranges.append((grain, number, None))
            break
        if ranges and ranges[-1][0] == grain and ranges[-1][2] == number - 1:
            ranges[-1] = (grain, ranges[-1][1], number)
        else:
            ranges.append((grain, number, number))
        day += SPANS[grain]
    return ranges
