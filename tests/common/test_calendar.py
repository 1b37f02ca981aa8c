"""The shared month grid: whole weeks from Monday, year wrap, multi-day spans on each day they cover."""

from datetime import date

import pytest

from common.calendar import month_bounds, month_grid, month_grid_span, week_start


def test_bounds_and_span_wrap_the_year():
    assert month_bounds(2026, 12) == (date(2026, 12, 1), date(2027, 1, 1))
    assert week_start(date(2026, 12, 3)) == date(2026, 11, 30)
    # December 2026 starts on a Tuesday and ends on a Thursday: the grid runs Monday to Sunday.
    assert month_grid_span(2026, 12) == (date(2026, 11, 30), date(2027, 1, 4))
    with pytest.raises(ValueError):
        month_bounds(2026, 13)


def test_grid_places_each_span_on_every_day_it_covers():
    grid = month_grid(year=2026, month=12, spans=[("salon", date(2026, 12, 30), date(2027, 1, 2))], key="events")
    days = [d for week in grid["weeks"] for d in week]
    assert len(grid["weeks"]) == 5 and all(len(w) == 7 for w in grid["weeks"])
    assert [d["date"] for d in days if d["events"]] == [date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)]
    assert not days[0]["in_month"] and days[1]["in_month"]
    assert grid["prev"] == {"annee": 2026, "mois": 11} and grid["next"] == {"annee": 2027, "mois": 1}
    assert grid["month_first"] == date(2026, 12, 1)
