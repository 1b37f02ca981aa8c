"""Events for tests, created through the services the way staff create them."""

from datetime import timedelta

from django.utils import timezone

from events.models import EventState
from events.services import event_create, series_create
from tests.factories import StaffFactory

_counter = {"n": 0}


def make_event(*, by=None, days=7, hours=2, **fields):
    _counter["n"] += 1
    start = fields.pop("start", None) or timezone.now().replace(second=0, microsecond=0) + timedelta(days=days)
    defaults = {
        "title": f"Atelier test {_counter['n']}",
        "summary": "Un atelier pour tester",
        "start": start,
        "end": start + timedelta(hours=hours),
        "state": EventState.PUBLISHED,
        "audience": "members",
    }
    defaults.update(fields)
    return event_create(actor=by or StaffFactory(), **defaults)


def make_series(staff, title, *, count=9, days=3, interval_weeks=4, audience="members", **fields):
    """A published series of ``count`` coffee mornings every ``interval_weeks`` weeks, the first in ``days`` days."""
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=days)
    return series_create(
        actor=staff,
        interval_weeks=interval_weeks,
        count=count,
        signup_scope="occurrence",
        title=title,
        summary="On se retrouve",
        start=start,
        end=start + timedelta(hours=1),
        state=EventState.PUBLISHED,
        audience=audience,
        type="cafe",
        **fields,
    )
