"""Small bar charts drawn on the server: geometry for an inline SVG, no JavaScript.

The template (``_owner_insights.html``) only places what is computed here; every text in
the SVG goes through Jinja's escaping. Each day is one bar of stacked segments, with a
``<title>`` naming the day and its numbers for screen readers and hover.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

WIDTH: Final = 640
HEIGHT: Final = 150
LEFT: Final = 40
BOTTOM: Final = 20
TOP: Final = 8


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked part of every bar: its values (one per day), label and CSS class."""

    label: str
    css: str
    values: Sequence[int]


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    css: str


@dataclass(frozen=True, slots=True)
class Bar:
    title: str
    segments: list[Segment]


@dataclass(frozen=True, slots=True)
class AxisLabel:
    x: float
    text: str
    anchor: str  # SVG text-anchor: the first label starts at the axis, the last ends there


@dataclass(frozen=True, slots=True)
class BarChart:
    """Everything the template needs to draw one chart."""

    id: str
    title: str
    total: int
    width: int
    height: int
    plot_left: int
    plot_bottom: float
    max_value: int
    bars: list[Bar]
    legend: list[Series]
    x_labels: list[AxisLabel]


def _nice_max(value: int) -> int:
    """The axis top: the maximum rounded up to 1, 2 or 5 × a power of ten (at least 1).

    >>> [_nice_max(v) for v in (0, 3, 7, 12, 180)]
    [1, 5, 10, 20, 200]
    """
    step = 1
    while True:
        for m in (1, 2, 5):
            if value <= m * step:
                return m * step
        step *= 10


def bar_chart(
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    *,
    format_day: Callable[[date], str],
    format_value: Callable[[int], str] = str,
) -> BarChart:
    """A stacked bar per day; x labels at the first, middle and last day."""
    n = max(1, len(days))
    plot_w = WIDTH - LEFT
    plot_h = HEIGHT - TOP - BOTTOM
    bottom = float(HEIGHT - BOTTOM)
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    top = _nice_max(max(totals, default=0))
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.8)
    bars = []
    for i, day in enumerate(days):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = bottom
        segments = []
        for s in series:
            h = plot_h * s.values[i] / top
            if h > 0:
                y -= h
                segments.append(
                    Segment(round(x, 2), round(y, 2), round(bar_w, 2), round(h, 2), s.css)
                )
        parts = ", ".join(f"{s.label}: {format_value(s.values[i])}" for s in series)
        bars.append(Bar(title=f"{format_day(day)} — {parts}", segments=segments))
    x_labels = []
    if days:
        last = len(days) - 1
        x_labels.append(AxisLabel(float(LEFT), format_day(days[0]), "start"))
        if last >= 2:
            mid = last // 2
            x_labels.append(AxisLabel(round(LEFT + (mid + 0.5) * slot, 2), format_day(days[mid]),
                                      "middle"))  # fmt: skip
        if last >= 1:
            x_labels.append(AxisLabel(float(WIDTH), format_day(days[last]), "end"))
    return BarChart(
        id=chart_id,
        title=title,
        total=sum(totals),
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_bottom=bottom,
        max_value=top,
        bars=bars,
        legend=list(series),
        x_labels=x_labels,
    )
