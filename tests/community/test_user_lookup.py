"""One rule for "the account with this e-mail address" (``community.selectors.user_get_by_email``),
used by staff adding a participant, breakout hosts, consortium invitations, badges and place
managers: deactivated and erased accounts are never found."""

import pytest
from django.urls import reverse

from community.rgpd import account_erase
from community.selectors import user_get_by_email
from events.models import Registration
from tests.events.factories import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_found_by_address_whatever_its_case_and_spaces():
    user = UserFactory(email="Camille.Durand@example.org")
    assert user_get_by_email("  camille.durand@EXAMPLE.org ") == user
    assert user_get_by_email("") is None and user_get_by_email("autre@example.org") is None


def test_deactivated_and_erased_accounts_are_not_found():
    inactive = UserFactory(email="parti@example.org", is_active=False)
    assert user_get_by_email(inactive.email) is None
    erased = UserFactory(email="efface@example.org")
    account_erase(user=erased)
    erased.refresh_from_db()
    assert user_get_by_email("efface@example.org") is None and user_get_by_email(erased.email) is None


def test_staff_adding_a_deactivated_account_registers_the_address_only(staff, staff_client):
    event = make_event(by=staff, capacity=10)
    inactive = UserFactory(email="parti@example.org", is_active=False)
    response = staff_client.post(
        reverse("events:registration_add", args=[event.slug]), {"email": "PARTI@example.org", "name": "Ancien compte"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(event=event)
    assert registration.user_id is None and registration.email.lower() == inactive.email
    active = UserFactory(email="actif@example.org")
    staff_client.post(reverse("events:registration_add", args=[event.slug]), {"email": "actif@example.org", "name": "Actif"})
    assert Registration.objects.get(event=event, email__iexact="actif@example.org").user == active
