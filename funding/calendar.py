"""The private deadlines feed (RFC 5545): one all-day event per call deadline."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from common.calendar import ical_calendar
from common.registry import CalendarItem
from common.urls import absolute_url

from .selectors import consortia_with_deadline


def calendar_ics(*, user, calls) -> bytes:
    """The member's deadlines as an iCalendar file (stable UIDs, so calendars update in place)."""
    cal = ical_calendar(prodid="-//Maillage//Financements//FR", name=_("%(hub)s — échéances de financement") % {"hub": settings.HUB_NAME})
    now = timezone.now()
    for call in calls:
        event = Event()
        event.add("uid", f"funding-call-{call.pk}-deadline@maillage")
        event.add("dtstamp", now)
        event.add("dtstart", call.deadline)
        event.add("dtend", call.deadline + timedelta(days=1))
        event.add("summary", _("Date limite : %(title)s") % {"title": call.title})
        event.add("description", f"{call.funders}\n{absolute_url(call.get_absolute_url())}")
        event.add("url", absolute_url(call.get_absolute_url()))
        cal.add_component(event)
    return cal.to_ical()


def consortium_calendar_items(user) -> list[CalendarItem]:
    """The deadlines of the calls a member's consortia answer (still in preparation), for the
    events app's private "my events" feed (registered in ``FundingConfig.ready``)."""
    return [
        CalendarItem(
            uid=f"funding-consortium-{c.pk}-deadline",
            day=c.call.deadline,
            summary=_("Date limite : %(title)s") % {"title": c.call.title},
            url=absolute_url(c.get_absolute_url()),
            description=_("Consortium « %(name)s »") % {"name": c.name},
        )
        for c in consortia_with_deadline(user=user)
    ]
