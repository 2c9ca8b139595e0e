"""`intentls stats` (tables and sparklines) and `intentls report --html FILE` in the person's
terminal, from the same history and rollups as the editors' `intentls.stats`."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from rich.console import Console
from rich.table import Table

from intentls.analytics import overview
from intentls.analytics.report import percent, render, seconds
from intentls.cli_common import project_folder, terminal_history
from intentls.cli_pipe import stdout_console
from intentls.history.stats_shapes import IntentSeries, Stats, StatsQuery
from intentls.history.store import History
from intentls.wire import to_wire

COMMANDS = ("stats", "report")
SPARKS = "▁▂▃▄▅▆▇█"


def main(args: argparse.Namespace) -> int:
    folder, _ = project_folder()
    query = StatsQuery(
        folder=None if args.all else folder.uri,
        intent=args.intent,
        since=None if args.since is None else time.time() - args.since * 86400,
    )
    history = terminal_history()
    try:
        stats, series = asyncio.run(_read(history, query))
    finally:
        history.close()
    where = "all folders" if args.all else str(folder.path)
    span = f"{where}, " + ("all time" if args.since is None else f"last {args.since:g} days")
    if args.command == "report":
        args.html.write_text(render(f"intentls report: {where}", span, stats, series), "utf-8")
        print(f"wrote {args.html} ({stats.runs} runs, {span})")
        return 0
    if args.json:
        print(json.dumps(to_wire(stats), indent=1))
        return 0
    show(stdout_console(), span, stats, series)
    return 0


async def _read(history: History, query: StatsQuery) -> tuple[Stats, list[IntentSeries]]:
    return await overview.stats(history, query), await history.series(query)


def sparkline(values: list[float]) -> str:
    """From the lowest value to the highest, so a change of a few percent still shows."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[int((v - low) / (high - low) * 7)] for v in values)


def show(console: Console, span: str, stats: Stats, series: list[IntentSeries]) -> None:
    if not stats.runs:
        console.print(f"no finished runs ({span})")
        return
    d = stats.duration_ms
    console.print(
        f"[bold]{stats.runs:,} runs[/] · {percent(stats.success_rate)} succeeded · "
        f"p50 {seconds(d.p50)} · p95 {seconds(d.p95)} · p99 {seconds(d.p99)} "
        f"(±{stats.duration_error:.0%}) · {span}"
    )
    taken = stats.suggestions
    console.print(
        f"undone {stats.undo.undone} of {stats.undo.undoable} undoable "
        f"({percent(stats.undo.rate)}) · retries {stats.retries.retries}, "
        f"recovered {stats.retries.recovered}"
        + (f" · suggestions taken {taken.taken} of {taken.shown} shown" if taken else "")
    )
    lines = {s.intent: s for s in series}
    table = Table("intent", "runs", "success", "p50", "median per day", box=None)
    for s in stats.by_intent[:15]:
        spark = sparkline([p.p50_ms for p in lines[s.intent].points]) if s.intent in lines else ""
        table.add_row(s.intent, str(s.runs), percent(s.success_rate), seconds(s.p50_ms), spark)
    console.print(table)
    _rows(
        console,
        "slowest steps",
        ("intent", "step", "runs", "p50", "p95", "failed"),
        [
            (
                s.intent,
                s.title,
                str(s.runs),
                seconds(s.p50_ms),
                seconds(s.p95_ms),
                percent(s.failure_rate),
            )
            for s in stats.slowest_steps
        ],
    )
    _rows(
        console,
        "top failures",
        ("category", "count", "example"),
        [(f.category, str(f.count), f.example[:60]) for f in stats.top_failures],
    )
    _rows(
        console,
        "this week against the four before",
        ("intent", "runs", "p50", "before", "success", "before", ""),
        [
            (
                t.intent,
                str(t.this_week.runs),
                seconds(t.this_week.p50_ms),
                seconds(t.last_four_weeks.p50_ms),
                percent(t.this_week.success_rate),
                percent(t.last_four_weeks.success_rate),
                " ".join(
                    w for w, on in (("slower", t.slower), ("failing more", t.failing_more)) if on
                ),
            )
            for t in stats.trends
        ],
    )
    _rows(
        console,
        "flaky",
        ("intent", "runs", "flips", "recovered by retry"),
        [
            (f.intent, str(f.runs), f"{f.flips} ({percent(f.flip_rate)})", str(f.recovered))
            for f in stats.flaky
        ],
    )
    hours = ", ".join(f"{h:02d}:00" for h in stats.busiest_hours)
    console.print(
        f"\nby hour 00→23  {sparkline([float(n) for n in stats.by_hour])}  busiest: {hours}"
    )


def _rows(
    console: Console, title: str, header: tuple[str, ...], rows: list[tuple[str, ...]]
) -> None:
    if not rows:
        return
    table = Table(*header, box=None, title=title, title_justify="left", title_style="bold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
