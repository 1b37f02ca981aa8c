"""The live session websocket, through the real ASGI stack."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from events import services
from hub.asgi import application
from tests.events.factories import make_event
from tests.factories import StaffFactory, UserFactory, ws_headers
from tests.websockets import connect_result

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _communicator(event, headers):
    return WebsocketCommunicator(application, f"/ws/agenda/{event.slug}/seance/", headers=headers)


def test_outsiders_are_refused():
    staff = StaffFactory()
    event = make_event(by=staff, type="intelligence", accepts_proposals=True)
    anonymous, outsider = ws_headers(), ws_headers(UserFactory())

    path = f"/ws/agenda/{event.slug}/seance/"
    assert connect_result(path, anonymous) == (False, 4401)
    assert connect_result(path, outsider) == (False, 4404)


def test_participant_sees_counts_and_notes_live():
    staff = StaffFactory()
    event = make_event(by=staff, type="intelligence", accepts_proposals=True, capacity=10)
    alice, bob = UserFactory(), UserFactory()
    services.registration_create(event=event, actor=alice, answers={})
    services.registration_create(event=event, actor=bob, answers={})
    breakout = services.breakout_create(event=event, actor=staff, title="Itinérance")
    headers = ws_headers(alice)

    async def scenario():
        communicator = _communicator(event, headers)
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from(timeout=10)
        assert await communicator.receive_json_from(timeout=10) == {"type": "timer", "timer": None}
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


def test_countdown_reaches_every_participant_and_survives_a_reconnect():
    staff = StaffFactory()
    event = make_event(by=staff, type="intelligence", accepts_proposals=True, capacity=10)
    alice = UserFactory()
    services.registration_create(event=event, actor=alice, answers={})
    headers = ws_headers(alice)

    async def scenario():
        communicator = _communicator(event, headers)
        assert (await communicator.connect())[0]
        await communicator.receive_json_from(timeout=10)  # counts
        assert await communicator.receive_json_from(timeout=10) == {"type": "timer", "timer": None}
        await database_sync_to_async(services.session_timer_start)(actor=staff, event=event, minutes=20, label="Idéation")
        started = await communicator.receive_json_from(timeout=10)
        await communicator.send_json_to({"type": "sync"})  # what a reconnecting page asks
        await communicator.receive_json_from(timeout=10)  # counts
        synced = await communicator.receive_json_from(timeout=10)
        await database_sync_to_async(services.session_timer_stop)(actor=staff, event=event)
        stopped = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return started, synced, stopped

    started, synced, stopped = async_to_sync(scenario)()
    assert started["type"] == "timer" and started["timer"]["label"] == "Idéation"
    assert synced == started
    assert stopped == {"type": "timer", "timer": None}
