"""Month grids for calendar pages (the agenda, an item's bookings): weeks from Monday, each day
holding the things that span it. Pure functions over dates; the callers query their own rows.
And the head of every iCalendar feed the apps publish (``ical_calendar``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from icalendar import Calendar


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First day of the month and first day of the next one (``ValueError`` for an impossible month)."""
    first = date(year, month, 1)
    return first, date(year + (month == 12), month % 12 + 1, 1)


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def month_grid_span(year: int, month: int) -> tuple[date, date]:
    """First and after-last day shown by the month's grid: whole weeks, Monday to Sunday."""
    first, nxt = month_bounds(year, month)
    return week_start(first), week_start(nxt - timedelta(days=1)) + timedelta(days=7)


def month_grid(*, year: int, month: int, spans: Iterable[tuple[object, date, date]], key: str) -> dict:
    """The month's weeks of days (``date``, ``in_month``, and under ``key`` the objects whose
    (first day, last day) span covers the day), with the previous and next months for navigation."""
    first, nxt = month_bounds(year, month)
    grid_start, grid_end = month_grid_span(year, month)
    spans = list(spans)
    weeks, day = [], grid_start
    while day < grid_end:
        week = []
        for _i in range(7):
            week.append({"date": day, "in_month": day.month == month, key: [o for o, a, z in spans if a <= day <= z]})
            day += timedelta(days=1)
        weeks.append(week)
    prev = first - timedelta(days=1)
    return {
        "weeks": weeks,
        "month_first": first,
        "prev": {"annee": prev.year, "mois": prev.month},
        "next": {"annee": nxt.year, "mois": nxt.month},
    }


def ical_calendar(*, prodid: str, name: str) -> Calendar:
    """An empty VCALENDAR (RFC 5545) with the head every feed of the hub carries: its product id,
    version 2.0, the Gregorian scale, and the name and time zone calendar apps show."""
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal
