"""What a newcomer tripped on: a visitor on a members-only event, a sign-up link opened directly,
giving up a seat without being asked."""

import pytest
from django.urls import reverse

from events.models import Registration, RegistrationStatus
from tests.events.factories import make_event
from tests.events.test_views import _secret_group_event

pytestmark = pytest.mark.django_db


def test_a_visitor_on_a_members_only_event_is_sent_to_log_in_and_back(client, staff):
    event = make_event(by=staff, audience="members")
    response = client.get(event.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={event.get_absolute_url()}"


def test_secret_and_missing_events_stay_404_for_visitors_and_outsiders(client, client_for, staff, member, other_member):
    _, secret = _secret_group_event(staff, member)
    assert client.get(secret.get_absolute_url()).status_code == 404  # not "log in": it does not exist for them
    assert client.get(reverse("events:event_detail", args=["nulle-part"])).status_code == 404
    assert client_for(other_member).get(secret.get_absolute_url()).status_code == 404
    assert client_for(member).get(secret.get_absolute_url()).status_code == 200


def test_a_sign_up_link_opened_directly_shows_the_event(client_for, staff, member):
    event = make_event(by=staff)
    response = client_for(member).get(reverse("events:signup", args=[event.slug]))
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert not Registration.objects.filter(event=event).exists()


def test_giving_up_a_seat_asks_first_then_frees_it(client_for, staff, member):
    event = make_event(by=staff, capacity=5)
    c = client_for(member)
    c.post(reverse("events:signup", args=[event.slug]), {})
    reg = Registration.objects.get(event=event, user=member)
    assert reg.status == RegistrationStatus.CONFIRMED
    page = c.get(event.get_absolute_url()).content.decode()
    assert f'href="{reverse("events:unregister", args=[event.slug])}"' in page  # a link to the question, not a one-click form
    question = c.get(reverse("events:unregister", args=[event.slug]))
    assert question.status_code == 200 and "Oui, annuler mon inscription" in question.content.decode()
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CONFIRMED  # asking changed nothing
    c.post(reverse("events:unregister", args=[event.slug]))
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CANCELLED


def test_the_live_session_page_names_the_event_once(client_for, staff):
    event = make_event(by=staff, type="intelligence", accepts_proposals=True, title="Séance d'intelligence collective : vos projets")
    page = client_for(staff).get(reverse("events:session", args=[event.slug])).content.decode()
    assert "Séance : Séance" not in page
    assert "<h1>Séance d&#x27;intelligence collective : vos projets</h1>" in page
    assert 'aria-current="page">Séance en direct' in page or "Séance en direct</li>" in page
