"""Never over-booked: 50 concurrent sign-ups for 5 seats, on whatever database runs the tests."""

import pytest
from django.db import connection

from events.models import Event, Registration, RegistrationStatus
from events.services import registration_cancel, registration_create
from tests.concurrency import run_concurrently
from tests.events.factories import make_event
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_fifty_concurrent_signups_for_five_seats_then_one_cancellation_promotes_one():
    staff = StaffFactory()
    event = make_event(by=staff, capacity=5)
    users = [UserFactory() for _ in range(50)]

    errors = run_concurrently(lambda u: registration_create(event=event, actor=u, answers={}), [(u,) for u in users])

    assert errors == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.CONFIRMED) == 5
    assert statuses.count(RegistrationStatus.WAITLISTED) == 45
    event.refresh_from_db()
    assert event.seats_taken == 5

    first_waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).order_by("waitlisted_at", "pk").first()
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).first()
    registration_cancel(registration=confirmed, actor=confirmed.user)

    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.CONFIRMED) == 5
    assert statuses.count(RegistrationStatus.WAITLISTED) == 44
    assert statuses.count(RegistrationStatus.CANCELLED) == 1
    first_waiting.refresh_from_db()
    assert first_waiting.status == RegistrationStatus.CONFIRMED
    assert Event.objects.get(pk=event.pk).seats_taken == 5
    assert connection.vendor in ("sqlite", "postgresql")


def test_concurrent_cancellations_promote_exactly_as_many_people():
    staff = StaffFactory()
    event = make_event(by=staff, capacity=5)
    users = [UserFactory() for _ in range(12)]
    for u in users:
        registration_create(event=event, actor=u, answers={})
    confirmed = list(Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED))
    assert len(confirmed) == 5

    errors = run_concurrently(lambda r: registration_cancel(registration=r), [(r,) for r in confirmed[:3]])

    assert errors == []
    assert Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count() == 5
    assert Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).count() == 4
    assert Event.objects.get(pk=event.pk).seats_taken == 5


def test_same_person_signing_up_twice_at_once_gets_one_registration():
    staff = StaffFactory()
    event = make_event(by=staff, capacity=5)
    user = UserFactory()

    errors = run_concurrently(lambda u: registration_create(event=event, actor=u, answers={}), [(user,)] * 6)

    assert len(errors) == 5
    assert Registration.objects.filter(event=event).count() == 1
    assert Event.objects.get(pk=event.pk).seats_taken == 1
