"""Small static SVG charts for the HTML report: every data point is a mark with a `<title>`, so
the browser shows its value on hover, with no script and nothing fetched."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

import attrs

WIDTH, HEIGHT = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 12, 12, 28
PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777")


@attrs.frozen
class Line:
    name: str
    points: list[tuple[str, float]]
    """(x label, value), in x order; x labels are shared across lines (e.g. ISO dates)."""


def line_chart(
    lines: Sequence[Line], unit: Callable[[float], str], top: float | None = None
) -> str:
    """Lines over shared x labels, a circle per point (class `point`), y from 0."""
    labels = sorted({x for line in lines for x, _ in line.points})
    peak = top if top is not None else max((v for ln in lines for _, v in ln.points), default=0)
    peak = peak or 1
    place = {x: i for i, x in enumerate(labels)}
    span = max(1, len(labels) - 1)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def xy(x: str, v: float) -> tuple[float, float]:
        return _LEFT + plot_w * place[x] / span, _TOP + plot_h * (1 - v / peak)

    parts = [_axes(peak, unit)]
    if labels:
        parts.append(_text(_LEFT, HEIGHT - 8, labels[0], "start"))
        parts.append(_text(WIDTH - _RIGHT, HEIGHT - 8, labels[-1], "end"))
    for n, line in enumerate(lines):
        colour = PALETTE[n % len(PALETTE)]
        coords = [xy(x, v) for x, v in line.points]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{path}"/>'
        )
        for (x, v), (cx, cy) in zip(line.points, coords, strict=True):
            tip = escape(f"{line.name} · {x}: {unit(v)}")
            parts.append(
                f'<circle class="point" cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}">'
                f"<title>{tip}</title></circle>"
            )
    return _svg(parts) + _legend([line.name for line in lines])


def bar_chart(bars: Sequence[tuple[str, float]], unit: Callable[[float], str]) -> str:
    """Vertical bars (class `point`), one per (label, value)."""
    peak = max((v for _, v in bars), default=0) or 1
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    step = plot_w / max(1, len(bars))
    parts = [_axes(peak, unit)]
    every = -(-len(bars) // 8)  # at most 8 labels under the bars
    width = max(6, int(step / 6))  # characters that fit under one bar
    for i, (label, value) in enumerate(bars):
        h = plot_h * value / peak
        x = _LEFT + i * step
        parts.append(
            f'<rect class="point" x="{x + step * 0.1:.1f}" y="{_TOP + plot_h - h:.1f}" '
            f'width="{step * 0.8:.1f}" height="{max(h, 0.5):.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(f'{label}: {unit(value)}')}</title></rect>"
        )
        if i % every == 0:
            parts.append(_text(x + step / 2, HEIGHT - 8, label[: max(width, 10)], "middle"))
    return _svg(parts)


def _axes(peak: float, unit: Callable[[float], str]) -> str:
    bottom = HEIGHT - _BOTTOM
    return (
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{bottom}" stroke="#999"/>'
        f'<line x1="{_LEFT}" y1="{bottom}" x2="{WIDTH - _RIGHT}" y2="{bottom}" stroke="#999"/>'
        + _text(_LEFT - 4, _TOP + 8, unit(peak), "end")
        + _text(_LEFT - 4, bottom, unit(0), "end")
    )


def _text(x: float, y: float, text: str, anchor: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" fill="#555" '
        f'text-anchor="{anchor}">{escape(text)}</text>'
    )


def _svg(parts: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img">{"".join(parts)}</svg>'
    )


def _legend(names: list[str]) -> str:
    if len(names) < 2:
        return ""
    items = "".join(
        f'<span><i style="background:{PALETTE[n % len(PALETTE)]}"></i>{escape(name)}</span>'
        for n, name in enumerate(names)
    )
    return f'<div class="legend">{items}</div>'
