"""`intentls report --html`: one self-contained file (inline CSS and SVG, no script from
elsewhere, nothing fetched) that opens offline — durations and success rate over time per
intent, failure categories, slowest steps, busiest hours, undo rate."""

from __future__ import annotations

from html import escape

from intentls.analytics.svg import Line, bar_chart, line_chart
from intentls.history.stats_shapes import IntentSeries, Stats

_STYLE = """
body{font:14px system-ui,sans-serif;margin:24px auto;max-width:1340px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:0 0 8px}
.figures{display:flex;gap:24px;margin:12px 0 20px}.figures b{display:block;font-size:20px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(660px,1fr));gap:16px}
section{border:1px solid #ddd;border-radius:6px;padding:12px}
.legend span{margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;
height:10px;margin-right:4px}circle.point:hover,rect.point:hover{opacity:.6}
table{border-collapse:collapse;font-size:13px}td,th{padding:2px 10px;text-align:left}
.empty{color:#777}
"""
_COUNT = """
document.body.dataset.drawn = Array.from(document.querySelectorAll('.point')).filter(
  (m) => { const b = m.getBBox(); return b.width > 0 && b.height > 0; }).length;
"""
"""Counts the marks the browser laid out (the report's test reads it); the charts need no
script to show or to hover."""


def seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms < 60_000 else f"{ms / 60_000:.1f} min"


def percent(rate: float) -> str:
    return f"{rate * 100:.0f} %"


def render(title: str, span: str, stats: Stats, series: list[IntentSeries]) -> str:
    intents = [s for s in series if s.intent != "*"]
    overall = next((s for s in series if s.intent == "*"), None)
    sections = [
        (
            "Median duration per day, by intent",
            line_chart(
                [Line(s.intent, [(p.day, p.p50_ms) for p in s.points]) for s in intents], seconds
            ),
        ),
        (
            "Success rate per day, by intent",
            line_chart(
                [Line(s.intent, [(p.day, p.success_rate) for p in s.points]) for s in intents],
                percent,
                top=1.0,
            ),
        ),
        (
            "Runs per day",
            bar_chart([(p.day, p.runs) for p in overall.points] if overall else [], str),
        ),
        (
            "Failure categories",
            bar_chart([(f.category, f.count) for f in stats.top_failures], str),
        ),
        (
            "Slowest steps (median)",
            bar_chart([(f"{s.intent}: {s.title}", s.p50_ms) for s in stats.slowest_steps], seconds),
        ),
        (
            "Runs by hour of day (local time)",
            bar_chart([(f"{h:02d}h", n) for h, n in enumerate(stats.by_hour)], str),
        ),
    ]
    points = sum(_marks(chart) for _, chart in sections)
    figures = [
        ("runs", f"{stats.runs:,}"),
        ("succeeded", percent(stats.success_rate)),
        ("p50 · p95 · p99", " · ".join(seconds(v) for v in _percentiles(stats))),
        ("undo rate", f"{percent(stats.undo.rate)} ({stats.undo.undone}/{stats.undo.undoable})"),
        ("retries · recovered", f"{stats.retries.retries} · {stats.retries.recovered}"),
    ]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body data-points="{points}"><h1>{escape(title)}</h1><div>{escape(span)} · '
        f"durations within {stats.duration_error:.0%} · hover a point for its value</div>"
        '<div class="figures">'
        + "".join(f"<div>{escape(k)}<b>{escape(v)}</b></div>" for k, v in figures)
        + '</div><div class="grid">'
        + "".join(
            f"<section><h2>{escape(h)}</h2>{chart if _marks(chart) else _EMPTY}</section>"
            for h, chart in sections
        )
        + f"</div><script>{_COUNT}</script></body></html>"
    )


_EMPTY = '<p class="empty">no data in this span</p>'


def _marks(chart: str) -> int:
    return chart.count('class="point"')


def _percentiles(stats: Stats) -> tuple[int, int, int]:
    d = stats.duration_ms
    return d.p50, d.p95, d.p99
