"""The trend charts and the treatment timeline share one time axis: a date sits at the same x in every
chart, so activity can be read against therapy. Pure geometry, no database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from patients.trends import LEFT, RIGHT, WIDTH, TimeWindow, treatment_layout, trend_layout

D = datetime.date


@dataclass
class Course:
    drug: str
    drug_class: str
    started_on: datetime.date
    stopped_on: datetime.date | None


WINDOW = TimeWindow(D(2024, 1, 1), D(2025, 1, 1))


def test_with_a_shared_window_the_same_date_has_the_same_x_in_every_chart():
    crp = trend_layout([(D(2024, 7, 1), 20.0), (D(2025, 1, 1), 4.0)], window=WINDOW)
    pain = trend_layout([(D(2024, 1, 1), 7.0), (D(2024, 7, 1), 3.0)], y_max=10, window=WINDOW)
    courses = treatment_layout([Course("naproxen", "nsaid", D(2024, 7, 1), None)], WINDOW)
    assert crp.points[0].x == pain.points[1].x == courses.bars[0].x
    assert pain.points[0].x == LEFT and crp.points[1].x == WIDTH - RIGHT
    assert (crp.first, crp.last) == (WINDOW.first, WINDOW.last)  # the date labels name the window's ends


def test_without_a_window_a_chart_spans_its_own_first_to_last_value():
    chart = trend_layout([(D(2024, 3, 1), 1.0), (D(2024, 9, 1), 2.0)])
    assert (chart.points[0].x, chart.points[1].x) == (LEFT, WIDTH - RIGHT)
    assert (chart.first, chart.last) == (D(2024, 3, 1), D(2024, 9, 1))


def test_an_ongoing_course_runs_to_the_right_edge_and_a_stopped_one_ends_at_its_stop_date():
    timeline = treatment_layout(
        [
            Course("naproxen", "nsaid", D(2024, 1, 1), D(2024, 7, 1)),
            Course("adalimumab", "tnf_inhibitor", D(2024, 7, 1), None),
        ],
        WINDOW,
    )
    naproxen, adalimumab = timeline.bars
    assert naproxen.x + naproxen.width == adalimumab.x  # the switch is one moment on the axis
    assert adalimumab.x + adalimumab.width == WIDTH - RIGHT and adalimumab.ongoing
    assert naproxen.y < adalimumab.y  # one lane each, earliest first


def test_a_course_begun_before_the_window_is_drawn_from_its_left_edge_and_keeps_its_real_start():
    (bar,) = treatment_layout([Course("ibuprofen", "nsaid", D(2023, 6, 1), D(2024, 2, 1))], WINDOW).bars
    assert bar.x == LEFT
    assert bar.started_on == D(2023, 6, 1)


def test_a_one_day_course_is_still_visible():
    (bar,) = treatment_layout(
        [Course("prednisolone", "glucocorticoid", D(2024, 5, 1), D(2024, 5, 1))], WINDOW
    ).bars
    assert bar.width >= 2


def test_no_courses_or_no_window_draw_no_bars():
    assert treatment_layout([], WINDOW).bars == ()
    assert treatment_layout([Course("naproxen", "nsaid", D(2024, 1, 1), None)], None).bars == ()


def test_the_window_around_no_dates_is_none_and_around_one_date_centres_it():
    assert TimeWindow.around([None, None]) is None
    single = TimeWindow.around([D(2024, 5, 1)])
    assert single is not None and single.x(D(2024, 5, 1)) == LEFT + (WIDTH - LEFT - RIGHT) / 2
