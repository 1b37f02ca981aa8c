"""Shared items and the people around them, for the sharing tests."""

from datetime import datetime, timedelta

from django.utils import timezone

from sharing.models import Item
from tests.factories import OrganisationFactory, UserFactory


def lender(organisation=None):
    """An approved member of ``organisation`` (a new one by default): manages its items."""
    return UserFactory(profile_data={"organisation": organisation or OrganisationFactory()})


def make_item(organisation=None, **fields) -> Item:
    data = {"name": "Valise de tablettes", "kind": Item.Kind.EQUIPMENT, "quantity": 1, **fields}
    return Item.objects.create(organisation=organisation or OrganisationFactory(), **data)


def at(days: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Paris time ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))
