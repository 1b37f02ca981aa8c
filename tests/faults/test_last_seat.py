"""100 members sign up at the same instant for the last seat of an event: exactly one gets it,
the 99 others are waitlisted (the event's rule: an unlimited waiting list), nobody sees an
error, and each of them gets exactly one e-mail and one notification for their outcome.

Each sign-up runs in its own thread with its own PostgreSQL connection, through the sign-up
service, in a subprocess (tests/faults/signup_storm.py) against a private PostgreSQL cluster
that allows 250 connections.
"""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from tests.liveserver import ROOT, django_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…): fault tests run against real servers",
    ),
]

SIGNUPS = 100
CAPACITY = 5


def test_hundred_concurrent_signups_for_the_last_seat(private_postgres):
    database_url = private_postgres.clone_test_database("maillage_last_seat")
    env = django_env(
        DATABASE_URL=database_url,
        REDIS_URL="",
        DJANGO_SETTINGS_MODULE="hub.settings.test",  # fast password hashing, tasks run at once
        DATABASE_POOL="false",  # one connection per thread, as the sign-ups of 100 web requests would have
        CONN_MAX_AGE="0",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.signup_storm", str(SIGNUPS), str(CAPACITY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["errors"] == []
    assert result["alive_threads"] == 0
    assert sorted(result["returned"]) == sorted(result["statuses"])
    assert result["statuses"].count("confirmed") == 1
    assert result["statuses"].count("waitlisted") == SIGNUPS - 1
    assert result["registrations_per_user"] == SIGNUPS
    assert result["seats_taken"] == CAPACITY and result["confirmed_total"] == CAPACITY
    assert result["emails_per_registration"] == [1]  # one e-mail each, for the outcome they got
    assert result["notifications_per_user"] == [1]


def test_a_seat_freed_during_a_signup_goes_to_it_with_only_the_confirmation_sent():
    """The rare path: the event looked full, a seat was freed (and committed) while the sign-up
    wrote its waitlist messages. The seat is taken, the waitlist e-mail and notification are
    rolled back, and only the confirmation remains."""
    import threading
    from unittest import mock

    from django.contrib.auth.models import Group
    from django.db import connections
    from django.db.models import F
    from notifications.models import Notification

    from community.models import OutboundEmail
    from events import services as event_services
    from events.models import Event, Registration, RegistrationStatus
    from events.services import registrations as event_registrations
    from tests.events.factories import make_event
    from tests.factories import StaffFactory, UserFactory

    Group.objects.get_or_create(name="Équipe du hub")  # flushed since the migrations wrote it
    event = make_event(by=StaffFactory(), capacity=1)
    event_services.registration_create(event=event, actor=UserFactory(), answers={})
    late = UserFactory()
    announce = event_registrations.registration_announce

    def free_a_seat_elsewhere():
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") - 1)  # another transaction, committed
        connections.close_all()

    def announce_then_free(reg, **kwargs):
        announce(reg, **kwargs)
        if reg.status == RegistrationStatus.WAITLISTED:
            thread = threading.Thread(target=free_a_seat_elsewhere)
            thread.start()
            thread.join(timeout=30)

    with mock.patch.object(event_registrations, "registration_announce", side_effect=announce_then_free):
        reg = event_services.registration_create(event=Event.objects.get(pk=event.pk), actor=late, answers={})

    assert reg.status == RegistrationStatus.CONFIRMED
    assert list(Registration.objects.filter(user=late).values_list("status", flat=True)) == [RegistrationStatus.CONFIRMED]
    assert Event.objects.get(pk=event.pk).seats_taken == 1
    assert list(OutboundEmail.objects.filter(recipient=late).values_list("dedupe_key", flat=True)) == [f"events:reg:{reg.pk}:confirmed"]
    assert Notification.objects.filter(recipient=late).count() == 1
