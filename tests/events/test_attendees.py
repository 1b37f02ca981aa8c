""" "Qui vient" on the event page: only confirmed members who opted in, only to approved members,
avatars without a query per attendee; the opt-in at sign-up and the toggle afterwards."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from events.models import Registration
from tests.events.factories import make_event
from tests.factories import UserFactory


def _attend(event, shown=True, **profile):
    user = UserFactory(profile_data=profile or None)
    services.registration_create(event=event, actor=user, answers={}, shown=shown)
    return user


def test_only_opted_in_members_are_shown_to_members(client_for, staff, member):
    event = make_event(by=staff, audience="public")
    shown = _attend(event, display_name="Jeanne Visible")
    _attend(event, shown=False, display_name="Paul Discret")
    page = client_for(member).get(event.get_absolute_url()).content.decode()
    assert "Qui vient" in page and "Jeanne Visible" in page and "Paul Discret" not in page
    assert reverse("community:profile_detail", args=[shown.pk]) in page
    visitor = Client().get(event.get_absolute_url()).content.decode()
    assert "Jeanne Visible" not in visitor and "Qui vient" not in visitor


def test_signup_opt_in_and_toggle(client_for, staff, member):
    event = make_event(by=staff)
    client = client_for(member)
    assert "Qui vient" in client.get(event.get_absolute_url()).content.decode()  # the check box label
    client.post(reverse("events:signup", args=[event.slug]), {"montrer": "on"})
    reg = Registration.objects.get(event=event, user=member)
    assert reg.shown_to_members
    response = client.post(reverse("events:attendance_shown", args=[event.slug]), {"montrer": "0"})
    assert response.status_code == 302
    reg.refresh_from_db()
    assert not reg.shown_to_members


def test_toggle_needs_an_own_registration(client_for, staff, member, other_member):
    event = make_event(by=staff)
    services.registration_create(event=event, actor=other_member, answers={})
    assert client_for(member).post(reverse("events:attendance_shown", args=[event.slug]), {"montrer": "1"}).status_code == 404
    assert not Registration.objects.get(user=other_member).shown_to_members


def test_attendees_query_count_is_fixed(client_for, staff, member):
    event = make_event(by=staff, capacity=100)
    client = client_for(member)
    for _ in range(3):
        _attend(event)
    client.get(event.get_absolute_url())
    with CaptureQueriesContext(connection) as small:
        client.get(event.get_absolute_url())
    for _ in range(30):
        _attend(event)
    with CaptureQueriesContext(connection) as large:
        page = client.get(event.get_absolute_url()).content.decode()
    assert page.count('class="attendee-name"') == 24 and "33 membres s’affichent" in page
    assert len(large.captured_queries) == len(small.captured_queries) + 1  # the total is counted past the first page
