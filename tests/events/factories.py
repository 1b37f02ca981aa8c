"""Events for tests, created through the services the way staff create them."""

from datetime import timedelta

from django.utils import timezone

from events.models import EventState
from events.services import event_create
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
