"""Never double-booked: 30 concurrent requests for one item, on whatever database runs the tests
(SQLite in the default run, PostgreSQL with DATABASE_URL): exactly one wins per overlapping slot."""

import pytest
from django.db import connection

from sharing.models import Booking
from sharing.selectors import peak_use
from sharing.services import SlotTaken, booking_create
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.sharing.factories import at, make_item

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_thirty_concurrent_requests_for_the_same_slot_one_wins():
    item = make_item(quantity=1)
    users = [UserFactory() for _ in range(30)]
    raised = run_concurrently(lambda u: booking_create(actor=u, item=item, start=at(2, 9), end=at(2, 12)), [(u,) for u in users])
    refused = [exc for exc in raised if isinstance(exc, SlotTaken)]
    assert [exc for exc in raised if not isinstance(exc, SlotTaken)] == []
    assert Booking.objects.filter(item=item).count() == 1
    assert len(refused) == 29
    assert {exc.slot for exc in refused} == {(at(2, 12), at(2, 15))}
    assert connection.vendor in ("sqlite", "postgresql")


def test_thirty_concurrent_requests_on_three_overlapping_slots_never_overlap():
    item = make_item(quantity=1)
    users = [UserFactory() for _ in range(30)]
    slots = [(at(4, 9), at(4, 12)), (at(4, 11), at(4, 14)), (at(4, 14), at(4, 16))]
    raised = run_concurrently(
        lambda u, s: booking_create(actor=u, item=item, start=s[0], end=s[1]), [(u, slots[i % 3]) for i, u in enumerate(users)]
    )
    refused = [exc for exc in raised if isinstance(exc, SlotTaken)]
    assert [exc for exc in raised if not isinstance(exc, SlotTaken)] == []
    held = list(Booking.objects.filter(item=item).values_list("start", "end", "quantity"))
    assert len(held) == 2 and len(refused) == 28
    assert peak_use(held, at(4, 0), at(5, 0)) == 1
    # the third slot never conflicts with the first: it always wins
    assert (at(4, 14), at(4, 16), 1) in held
