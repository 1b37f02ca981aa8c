"""iCalendar (RFC 5545) for one event, a group, the public agenda and a member's private feed."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from icalendar import Event as ICalEvent

from common.calendar import ical_calendar
from common.urls import absolute_url

PRODID = "-//Maillage//Agenda du hub//FR"


def build_calendar(
    events: Iterable, *, name: str, show_link_for: set[int] | None = None, method: str | None = None, extra_items: Iterable = ()
) -> bytes:
    """A VCALENDAR with one VEVENT per event; times in UTC (always valid, no VTIMEZONE needed).

    ``show_link_for``: ids of events whose online link the reader may see (confirmed seats).
    ``extra_items``: all-day ``common.registry.CalendarItem``s other apps add to a member's feed.
    """
    cal = ical_calendar(prodid=PRODID, name=name)
    if method:
        cal.add("method", method)
    stamp = datetime.now(tz=UTC).replace(microsecond=0)
    show_link_for = show_link_for or set()
    for event in events:
        vevent = ICalEvent()
        vevent.add("uid", f"{event.uid}@maillage")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", event.start.astimezone(UTC))
        vevent.add("dtend", event.end.astimezone(UTC))
        vevent.add("summary", event.title)
        vevent.add("sequence", event.sequence)
        vevent.add("url", absolute_url(event.get_absolute_url()))
        description = event.summary or ""
        if event.online_url and event.pk in show_link_for:
            description = f"{description}\n\nLien de connexion : {event.online_url}".strip()
        description = f"{description}\n\n{absolute_url(event.get_absolute_url())}".strip()
        vevent.add("description", description)
        location = event.address
        if event.commune_id and event.commune:
            location = f"{location}, {event.commune.postcode} {event.commune.name}".strip(", ")
        if not location and event.format != "onsite":
            location = "En ligne"
        if location:
            vevent.add("location", location)
        vevent.add("status", "CANCELLED" if event.state == "cancelled" else "CONFIRMED")
        vevent.add("last-modified", (event.updated_at or timezone.now()).astimezone(UTC).replace(microsecond=0))
        cal.add_component(vevent)
    for item in extra_items:
        vevent = ICalEvent()
        vevent.add("uid", f"{item.uid}@maillage")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", item.day)
        vevent.add("dtend", item.day + timedelta(days=1))
        vevent.add("summary", item.summary)
        if item.url:
            vevent.add("url", item.url)
        vevent.add("description", f"{item.description}\n{item.url}".strip())
        cal.add_component(vevent)
    return cal.to_ical()
