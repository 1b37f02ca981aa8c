"""The live counter consumer, through the real ASGI stack (origin check + auth middleware)."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from community.notifications import notification_send
from hub.asgi import application
from tests.factories import ws_headers as _headers
from tests.websockets import connect_result

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _communicator(headers):
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


def test_anonymous_is_refused():
    assert connect_result("/ws/notifications/", _headers()) == (False, 4401)


def test_foreign_origin_is_refused(member):
    assert connect_result("/ws/notifications/", _headers(member, origin=b"https://evil.example"))[0] is False


def test_member_receives_count_then_live_updates_only_their_own(member, other_member):
    from channels.db import database_sync_to_async

    headers = _headers(member)

    async def scenario():
        communicator = _communicator(headers)
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_json_from(timeout=5)
        await database_sync_to_async(notification_send)(recipient=other_member, kind="x", verb="pas pour moi")
        await database_sync_to_async(notification_send)(recipient=member, kind="x", verb="pour moi")
        second = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"type": "sync"})
        third = await communicator.receive_json_from(timeout=5)
        nothing_else = await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return first, second, third, nothing_else

    first, second, third, nothing_else = async_to_sync(scenario)()
    assert first == {"type": "count", "count": 0}
    assert second == {"type": "count", "count": 1}
    assert third == {"type": "count", "count": 1}
    assert nothing_else
