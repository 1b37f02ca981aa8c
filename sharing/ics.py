"""iCalendar (RFC 5545) feed of a member's bookings; times in UTC, like the agenda's feeds.

The feed's address carries a signed token of the member (calendar apps cannot log in)."""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.core import signing
from icalendar import Event as ICalEvent

from common.calendar import ical_calendar
from common.urls import absolute_url

PRODID = "-//Maillage//Partage de matériel//FR"
SALT = "sharing.feed"


def feed_token(user) -> str:
    """The stable, signed token of the member's feed."""
    return signing.Signer(salt=SALT).sign(str(user.pk)).replace(":", "-")


def feed_user_id(token: str) -> int | None:
    """The member behind a token, or ``None`` when the signature is wrong."""
    try:
        return int(signing.Signer(salt=SALT).unsign(token.replace("-", ":", 1)))
    except (signing.BadSignature, ValueError):
        return None


def build_calendar(bookings: Iterable, *, name: str) -> bytes:
    """A VCALENDAR with one VEVENT per booking."""
    cal = ical_calendar(prodid=PRODID, name=name)
    stamp = datetime.now(tz=UTC).replace(microsecond=0)
    for booking in bookings:
        item = booking.item
        vevent = ICalEvent()
        vevent.add("uid", f"booking-{booking.pk}@maillage")
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", booking.start.astimezone(UTC))
        vevent.add("dtend", booking.end.astimezone(UTC))
        vevent.add("summary", f"{item.name} ({booking.get_status_display()})")
        url = absolute_url(booking.get_absolute_url())
        vevent.add("url", url)
        vevent.add("description", f"{item.organisation.name}\n{url}")
        location = ", ".join(p for p in (item.location, item.commune.name if item.commune_id else "") if p)
        if location:
            vevent.add("location", location)
        vevent.add("status", "CONFIRMED" if booking.status != "requested" else "TENTATIVE")
        vevent.add("last-modified", booking.updated_at.astimezone(UTC).replace(microsecond=0))
        cal.add_component(vevent)
    return cal.to_ical()
