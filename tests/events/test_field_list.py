"""One list of an event's editable fields (``events.models.EVENT_EDITABLE_FIELDS``) shared by the
organiser's form and the services that write the event."""

from events.forms import EventForm
from events.models import EVENT_EDITABLE_FIELDS
from events.services import EVENT_FIELDS


def test_the_form_edits_exactly_the_shared_list_in_its_order():
    model_fields = [name for name in EventForm.base_fields if name != "reminders"]
    assert model_fields == list(EVENT_EDITABLE_FIELDS)


def test_the_services_accept_every_form_field_plus_what_they_compute():
    assert {*EVENT_EDITABLE_FIELDS, "reminder_minutes", "series"} == EVENT_FIELDS
    assert not set(EventForm.base_fields) - {"reminders"} - EVENT_FIELDS
