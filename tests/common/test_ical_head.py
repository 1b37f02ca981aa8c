"""Every iCalendar feed of the hub (agenda, bookings, funding deadlines) starts with the same head,
written once in ``common.calendar.ical_calendar``."""

import pytest
from django.conf import settings
from icalendar import Calendar

from events.ics import build_calendar as events_calendar
from funding.calendar import calendar_ics
from sharing.ics import build_calendar as bookings_calendar
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _head(ics: bytes) -> dict:
    cal = Calendar.from_ical(ics)
    return {key: str(cal.get(key)) for key in ("version", "calscale", "x-wr-timezone")} | {"prodid": str(cal.get("prodid"))}


def test_the_three_feeds_share_the_head():
    heads = [
        _head(events_calendar([], name="Agenda")),
        _head(bookings_calendar([], name="Réservations")),
        _head(calendar_ics(user=UserFactory(), calls=[])),
    ]
    for head in heads:
        assert head["version"] == "2.0" and head["calscale"] == "GREGORIAN" and head["x-wr-timezone"] == settings.TIME_ZONE
    assert [h["prodid"] for h in heads] == [
        "-//Maillage//Agenda du hub//FR",
        "-//Maillage//Partage de matériel//FR",
        "-//Maillage//Financements//FR",
    ]
