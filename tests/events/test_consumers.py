"""The live session websocket, through the real ASGI stack."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from events import services
from hub.asgi import application
from tests.community.test_consumers import _headers
from tests.events.factories import make_event
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _communicator(event, headers):
    return WebsocketCommunicator(application, f"/ws/agenda/{event.slug}/seance/", headers=headers)


def test_outsiders_are_refused():
    staff = StaffFactory()
    event = make_event(by=staff, type="intelligence", accepts_proposals=True)
    anonymous, outsider = _headers(), _headers(UserFactory())

    async def scenario(headers):
        communicator = _communicator(event, headers)
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)(anonymous) == (False, 4401)
    assert async_to_sync(scenario)(outsider) == (False, 4404)


def test_participant_sees_counts_and_notes_live():
    staff = StaffFactory()
    event = make_event(by=staff, type="intelligence", accepts_proposals=True, capacity=10)
    alice, bob = UserFactory(), UserFactory()
    services.registration_create(event=event, actor=alice, answers={})
    services.registration_create(event=event, actor=bob, answers={})
    breakout = services.breakout_create(event=event, actor=staff, title="Itinérance")
    headers = _headers(alice)

    async def scenario():
        communicator = _communicator(event, headers)
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from(timeout=10)
        await database_sync_to_async(services.breakout_choose)(actor=bob, breakout=breakout)
        second = await communicator.receive_json_from(timeout=10)
        await database_sync_to_async(services.note_create)(actor=bob, breakout=breakout, body="Une idée **forte**")
        third = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return first, second, third

    first, second, third = async_to_sync(scenario)()
    assert first == {"type": "counts", "counts": {str(breakout.pk): 0}}
    assert second == {"type": "counts", "counts": {str(breakout.pk): 1}}
    assert third["type"] == "note" and third["breakout"] == breakout.pk and "<strong>forte</strong>" in third["html"]
