"""The organiser's countdown in a live session: who may start it, what it accepts, what the page shows."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import SessionTimer
from events.selectors import session_timer_current, session_timer_json
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(staff, member):
    event = make_event(by=staff, type="intelligence", accepts_proposals=True, capacity=10)
    services.registration_create(event=event, actor=member, answers={})
    return event


def test_organiser_starts_restarts_and_stops_the_countdown(staff, session):
    before = timezone.now()
    timer = services.session_timer_start(actor=staff, event=session, minutes=20, label="  Idéation ")
    assert timer.label == "Idéation" and timer.started_by == staff
    assert before + timedelta(minutes=20) <= timer.ends_at <= timezone.now() + timedelta(minutes=20)
    current = session_timer_current(session.pk)
    assert (current.ends_at, current.label) == (timer.ends_at, "Idéation")
    assert session_timer_json(current) == {"ends_at": timer.ends_at.isoformat(), "label": "Idéation"}  # what the websocket sends
    services.session_timer_start(actor=staff, event=session, minutes=5)
    assert SessionTimer.objects.filter(event=session).count() == 1  # restarting replaces, never stacks
    assert session_timer_current(session.pk).label == ""
    services.session_timer_stop(actor=staff, event=session)
    assert session_timer_current(session.pk) is None and session_timer_json(None) is None and not SessionTimer.objects.exists()


def test_an_elapsed_countdown_is_no_longer_shown(staff, session):
    timer = services.session_timer_start(actor=staff, event=session, minutes=1)
    SessionTimer.objects.filter(pk=timer.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert session_timer_current(session.pk) is None


def test_participants_cannot_start_it_and_bad_durations_change_nothing(staff, member, session):
    with pytest.raises(PermissionDenied):
        services.session_timer_start(actor=member, event=session, minutes=10)
    with pytest.raises(PermissionDenied):
        services.session_timer_stop(actor=member, event=session)
    for minutes in (0, -5, 241, "10"):
        with pytest.raises(ValidationError):
            services.session_timer_start(actor=staff, event=session, minutes=minutes)
    with pytest.raises(ValidationError):
        services.session_timer_start(actor=staff, event=session, minutes=10, label="x" * 81)
    assert not SessionTimer.objects.exists()


def test_a_cancelled_session_gets_no_countdown(staff, session):
    session.state = "cancelled"
    session.save(update_fields=["state"])
    with pytest.raises(ValidationError):
        services.session_timer_start(actor=staff, event=session, minutes=10)
    assert not SessionTimer.objects.exists()


def test_the_page_shows_the_end_time_without_javascript_and_the_form_to_the_organiser(client, staff, member, session):
    url = reverse("events:session", args=[session.slug])
    client.force_login(member)
    body = client.get(url).content.decode()
    assert "Pas de minuteur en cours" in body and "Lancer le minuteur" not in body
    client.force_login(staff)
    body = client.get(url).content.decode()
    assert "Lancer le minuteur" in body
    response = client.post(reverse("events:session_timer", args=[session.slug]), {"minutes": "15", "label": "Restitution"})
    assert response.status_code == 302
    timer = SessionTimer.objects.get(event=session)
    client.force_login(member)
    body = client.get(url).content.decode()
    local_end = timezone.localtime(timer.ends_at).strftime("%H:%M")
    assert f"Fin à {local_end}" in body and "· Restitution" in body and f'data-ends-at="{timer.ends_at.isoformat()}"' in body


def test_the_form_refuses_a_duration_off_the_list_with_a_message(client, staff, session):
    client.force_login(staff)
    response = client.post(reverse("events:session_timer", args=[session.slug]), {"minutes": "7"}, follow=True)
    assert "Choisissez une durée dans la liste." in response.content.decode()
    assert not SessionTimer.objects.exists()
    client.post(reverse("events:session_timer", args=[session.slug]), {"minutes": "20"})
    assert SessionTimer.objects.exists()
    client.post(reverse("events:session_timer", args=[session.slug]), {"stop": "1"})
    assert not SessionTimer.objects.exists()


def test_a_participant_posting_to_the_timer_gets_403_whatever_the_input(client, member, session):
    """The services hold the rule; the page relies on their PermissionDenied, before any form error."""
    client.force_login(member)
    url = reverse("events:session_timer", args=[session.slug])
    for data in ({"minutes": "15"}, {"minutes": "7"}, {}, {"stop": "1"}):
        assert client.post(url, data).status_code == 403
    assert not SessionTimer.objects.exists()
