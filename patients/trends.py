"""Geometry of the trend charts: one measure over time as plain numbers (scale, grid, points), and the
treatment courses as bars on the same time axis, so activity can be read against therapy.

The drawings are templates/patients/_trend_chart.html and _treatment_timeline.html. Dates without a value
are left out, never drawn as 0. On the patient page every chart shares one TimeWindow (first episode or
course to last episode or course), so the same date sits at the same x in every chart.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 28  # margins around the plot: ticks and dates
TICK_GAP, TICK_DROP = 4, 3  # a grid value sits left of its line, its baseline a little below it
NICE_STEPS = (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


class Course(Protocol):
    """What the timeline reads of a treatment course (patients.models.Treatment has it)."""

    drug: str
    drug_class: str
    started_on: datetime.date
    stopped_on: datetime.date | None


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
    window: TimeWindow | None = None  # the shared time axis, when the chart is one of several

    @property
    def tick_x(self) -> int:
        return self.left - TICK_GAP

    @property
    def first(self) -> datetime.date | None:
        if self.window is not None:
            return self.window.first
        return self.points[0].day if self.points else None

    @property
    def last(self) -> datetime.date | None:
        if self.window is not None:
            return self.window.last
        return self.points[-1].day if self.points else None


def nice_max(value: float) -> float:
    """A round top for the axis: 1, 2, 2.5 or 5 times a power of ten (times 2 or 4), above ``value``."""
    if value <= 0:
        return 1
    for step in NICE_STEPS:
        if value <= step * 4:
            return step * 4 if value > step * 2 else step * 2 if value > step else step
    return value


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """The dates at the left and right ends of a chart's plot."""

    first: datetime.date
    last: datetime.date

    @classmethod
    def around(cls, days: Iterable[datetime.date | None]) -> TimeWindow | None:
        known = [day for day in days if day is not None]
        return cls(min(known), max(known)) if known else None

    def x(self, day: datetime.date) -> float:
        plot_w = WIDTH - LEFT - RIGHT
        if self.first == self.last:
            return LEFT + plot_w / 2
        return LEFT + (day - self.first).days / (self.last - self.first).days * plot_w


def trend_layout(
    points: Iterable[tuple[datetime.date, float | None]],
    y_max: float | None = None,
    window: TimeWindow | None = None,
) -> TrendChart:
    """Place the known values of ``points`` (in date order); ``y_max`` caps the axis (a 0–10 scale);
    ``window`` is the shared time axis (by default, the first to the last known value)."""
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
    axis = window or TimeWindow(known[0][0], known[-1][0])
    plot_h = HEIGHT - TOP - BOTTOM
    sx = axis.x

    def sy(value: float) -> float:
        return TOP + plot_h - (value / ceiling) * plot_h

    return TrendChart(
        grid=tuple(GridLine(value=v, y=sy(v)) for v in (0, ceiling / 2, ceiling)),
        points=tuple(Point(day=day, value=value, x=sx(day), y=sy(value)) for day, value in known),
        window=window,
        **frame,
    )


LANE_HEIGHT, LANE_GAP = 16, 6


@dataclass(frozen=True, slots=True)
class CourseBar:
    """One treatment course as a bar: from its start to its stop (or to the window's end while ongoing)."""

    label: str
    drug_class: str
    started_on: datetime.date
    stopped_on: datetime.date | None
    x: float
    width: float
    y: float

    @property
    def ongoing(self) -> bool:
        return self.stopped_on is None

    @property
    def label_y(self) -> float:
        return self.y + LANE_HEIGHT - 4


@dataclass(frozen=True, slots=True)
class TreatmentTimeline:
    width: int
    height: int
    left: int
    right_edge: int
    baseline: int
    bars: tuple[CourseBar, ...]
    first: datetime.date | None
    last: datetime.date | None
    lane_height: int = LANE_HEIGHT


def treatment_layout(courses: Iterable[Course], window: TimeWindow | None) -> TreatmentTimeline:
    """One lane per course, earliest start at the top, on the shared time axis. A course that began
    before the window starts at its left edge; an ongoing one runs to its right edge."""
    rows = list(courses)
    height = TOP + len(rows) * (LANE_HEIGHT + LANE_GAP) + BOTTOM
    frame = {
        "width": WIDTH,
        "height": height,
        "left": LEFT,
        "right_edge": WIDTH - RIGHT,
        "baseline": height - 8,
    }
    if window is None or not rows:
        return TreatmentTimeline(bars=(), first=None, last=None, **frame)
    bars = []
    for lane, course in enumerate(rows):
        start = max(course.started_on, window.first)
        end = min(course.stopped_on or window.last, window.last)
        x1, x2 = window.x(start), window.x(max(end, start))
        bars.append(
            CourseBar(
                label=course.drug,
                drug_class=course.drug_class,
                started_on=course.started_on,
                stopped_on=course.stopped_on,
                x=x1,
                width=max(x2 - x1, 2.0),  # a course of one day is still visible
                y=TOP + lane * (LANE_HEIGHT + LANE_GAP),
            )
        )
    return TreatmentTimeline(bars=tuple(bars), first=window.first, last=window.last, **frame)
