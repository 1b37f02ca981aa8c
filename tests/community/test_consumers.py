"""The live counter consumer, through the real ASGI stack (origin check + auth middleware)."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from community.notifications import notification_send
from hub.asgi import application

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _session_cookie(user) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def _headers(user=None, origin=b"http://testserver"):
    """Built outside the event loop: saving the session touches the database."""
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", _session_cookie(user)))
    return headers


def _communicator(headers):
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


def test_anonymous_is_refused():
    headers = _headers()

    async def scenario():
        communicator = _communicator(headers)
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    connected, code = async_to_sync(scenario)()
    assert connected is False and code == 4401


def test_foreign_origin_is_refused(member):
    headers = _headers(member, origin=b"https://evil.example")

    async def scenario():
        communicator = _communicator(headers)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


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
