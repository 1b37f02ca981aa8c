"""Live conversations through the real ASGI stack (origin check + auth middleware)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from hub.asgi import application
from messaging import services
from tests.factories import StaffFactory, UserFactory
from tests.factories import ws_headers as _headers
from tests.messaging.factories import make_conversation
from tests.websockets import connect_result

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_non_participants_are_refused_like_not_found():
    a, b = UserFactory(), UserFactory()
    conv = make_conversation(a, b)
    path = f"/ws/messages/{conv.pk}/"
    assert connect_result(path, _headers()) == (False, 4401)
    assert connect_result(path, _headers(UserFactory())) == (False, 4404)
    assert connect_result(path, _headers(StaffFactory())) == (False, 4404)
    assert connect_result("/ws/messages/999999/", _headers(a)) == (False, 4404)
    assert connect_result(path, _headers(b))[0] is True
    services.conversation_leave(actor=b, conversation=conv)
    assert connect_result(path, _headers(b)) == (False, 4404)


def test_live_delivery_typing_and_resync_after_reconnect():
    a, b = UserFactory(), UserFactory()
    conv = make_conversation(a, b, body="premier")
    first = conv.messages.get()
    missed = services.message_send(actor=a, conversation=conv, body="manqué pendant la coupure")
    path = f"/ws/messages/{conv.pk}/"
    headers_a, headers_b = _headers(a), _headers(b)

    async def scenario():
        reader = WebsocketCommunicator(application, path, headers=headers_b)
        writer = WebsocketCommunicator(application, path, headers=headers_a)
        assert (await reader.connect())[0] and (await writer.connect())[0]
        await reader.send_json_to({"type": "since", "last_id": first.pk})
        replay = await reader.receive_json_from(timeout=5)
        synced = await reader.receive_json_from(timeout=5)
        await writer.send_json_to({"type": "since", "last_id": missed.pk})
        await writer.receive_json_from(timeout=5)  # synced
        await writer.send_json_to({"type": "typing"})
        typing = await reader.receive_json_from(timeout=5)
        assert await writer.receive_nothing(timeout=0.2)  # the typist does not hear themself
        message = await database_sync_to_async(services.message_send)(actor=a, conversation=conv, body="tout **neuf**")
        live = await reader.receive_json_from(timeout=5)
        await reader.disconnect()
        await writer.disconnect()
        return replay, synced, typing, message.pk, live

    replay, synced, typing, message_id, live = async_to_sync(scenario)()
    assert replay["type"] == "message" and replay["message_id"] == missed.pk and "manqué pendant la coupure" in replay["html"]
    assert synced == {"type": "synced"}
    assert typing["type"] == "typing" and typing["user_id"] == a.pk
    assert live["message_id"] == message_id and "<strong>neuf</strong>" in live["html"]


def test_unread_badge_socket_gets_the_count_and_updates():
    a, b = UserFactory(), UserFactory()
    conv = make_conversation(a, b)
    headers = _headers(b)

    async def scenario():
        badge = WebsocketCommunicator(application, "/ws/messages/", headers=headers)
        assert (await badge.connect())[0]
        first = await badge.receive_json_from(timeout=5)
        await database_sync_to_async(services.conversation_mark_read)(actor=b, conversation=conv)
        after_read = await badge.receive_json_from(timeout=5)
        await badge.disconnect()
        return first, after_read

    first, after_read = async_to_sync(scenario)()
    assert first == {"type": "count", "count": 1}
    assert after_read == {"type": "count", "count": 0}


def test_member_who_left_is_cut_off_and_gets_nothing_on_resync():
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    conv = make_conversation(a, b, c, subject="Trio")
    path = f"/ws/messages/{conv.pk}/"
    headers = _headers(b)

    async def scenario():
        sock = WebsocketCommunicator(application, path, headers=headers)
        assert (await sock.connect())[0]
        await database_sync_to_async(services.conversation_leave)(actor=b, conversation=conv)
        closed = await sock.receive_output(timeout=5)
        return closed

    closed = async_to_sync(scenario)()
    assert closed["type"] == "websocket.close" and closed["code"] == 4404
