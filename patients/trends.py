"""Geometry of the trend charts: one measure over time as plain numbers (scale, grid, points).

The drawing is templates/patients/_trend_chart.html. Dates without a value are left out, never drawn as 0.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 28  # margins around the plot: ticks and dates
TICK_GAP, TICK_DROP = 4, 3  # a grid value sits left of its line, its baseline a little below it
NICE_STEPS = (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


@dataclass(frozen=True, slots=True)
class GridLine:
    value: float
    y: float

    @property
    def tick_y(self) -> float:
        return self.y + TICK_DROP


@dataclass(frozen=True, slots=True)
class Point:
    day: datetime.date
    value: float
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class TrendChart:
    """A chart's frame and its known points, in SVG user units (the origin top left)."""

    width: int
    height: int
    left: int
    right_edge: int  # x where the grid ends
    baseline: int  # y of the date labels
    grid: tuple[GridLine, ...]
    points: tuple[Point, ...]

    @property
    def tick_x(self) -> int:
        return self.left - TICK_GAP

    @property
    def first(self) -> datetime.date | None:
        return self.points[0].day if self.points else None

    @property
    def last(self) -> datetime.date | None:
        return self.points[-1].day if self.points else None


def nice_max(value: float) -> float:
    """A round top for the axis: 1, 2, 2.5 or 5 times a power of ten (times 2 or 4), above ``value``."""
    if value <= 0:
        return 1
    for step in NICE_STEPS:
        if value <= step * 4:
            return step * 4 if value > step * 2 else step * 2 if value > step else step
    return value


def trend_layout(
    points: Iterable[tuple[datetime.date, float | None]], y_max: float | None = None
) -> TrendChart:
    """Place the known values of ``points`` (in date order); ``y_max`` caps the axis (a 0–10 scale)."""
    known = [(day, value) for day, value in points if value is not None]
    frame = {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "baseline": HEIGHT - 8,
    }
    if not known:
        return TrendChart(grid=(), points=(), **frame)
    top_value = max(value for _, value in known)
    ceiling = y_max if y_max is not None and top_value <= y_max else nice_max(top_value)
    first, last = known[0][0], known[-1][0]
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(day: datetime.date) -> float:
        if first == last:
            return LEFT + plot_w / 2
        return LEFT + (day - first).days / span * plot_w

    def sy(value: float) -> float:
        return TOP + plot_h - (value / ceiling) * plot_h

    return TrendChart(
        grid=tuple(GridLine(value=v, y=sy(v)) for v in (0, ceiling / 2, ceiling)),
        points=tuple(Point(day=day, value=value, x=sx(day), y=sy(value)) for day, value in known),
        **frame,
    )
