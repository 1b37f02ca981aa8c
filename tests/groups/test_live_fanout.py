"""The live fan-out of a forum post (issue 18 item 3): rendered and encoded once per post, the same
frame forwarded to every open page without per-socket work, and only to sockets allowed to see it.

Runs on the in-memory layer (SQLite) and on Redis pub/sub (PostgreSQL + Redis runs)."""

import json
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common import live
from groups import rendering, services
from groups.models import AccessMode
from hub.asgi import application
from tests.factories import UserFactory
from tests.factories import ws_headers as _headers
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BROADCAST_QUERIES = 3  # the post (with its topic, group and authors) and what its fragment reads (reactions…)


def _topic_path(topic):
    return f"/ws/groupes/{topic.group.slug}/sujets/{topic.pk}/"


def _broadcast_counted(post_id):
    with CaptureQueriesContext(connection) as queries:
        services.broadcast_post(post_id, "new")
    return len(queries.captured_queries)


def test_a_post_is_rendered_and_encoded_once_and_the_same_frame_reaches_every_page():
    owner = UserFactory()
    readers = [UserFactory() for _ in range(5)]
    group = make_group(owner=owner, members=readers)
    topic = services.topic_create(group=group, actor=owner, title="En direct", body="b")
    post = services.post_create(topic=topic, actor=owner, body="pour **tout le monde**")
    headers = [_headers(reader) for reader in readers]

    async def scenario(n):
        sockets = [WebsocketCommunicator(application, _topic_path(topic), headers=h) for h in headers[:n]]
        for socket in sockets:
            assert (await socket.connect())[0]
        with (
            mock.patch("groups.services.live.render_post_fragment", wraps=rendering.render_post_fragment) as render,
            mock.patch("common.live.frame", wraps=live.frame) as encode,
            mock.patch.object(AsyncJsonWebsocketConsumer, "encode_json", wraps=AsyncJsonWebsocketConsumer.encode_json) as per_socket,
            mock.patch("channels.consumer.aclose_old_connections") as thread_hop,
        ):
            queries = await database_sync_to_async(_broadcast_counted)(post.pk)
            frames = [await socket.receive_from(timeout=5) for socket in sockets]
        for socket in sockets:
            await socket.disconnect()
        return queries, frames, render.call_count, encode.call_count, per_socket.call_count, thread_hop.await_count

    one = async_to_sync(scenario)(1)
    five = async_to_sync(scenario)(5)
    for queries, frames, renders, encodes, per_socket, thread_hops in (one, five):
        assert queries == BROADCAST_QUERIES, "the same queries whatever the number of open pages"
        assert renders == 1 and encodes == 1, "rendered and encoded once per post"
        assert per_socket == 0 and thread_hops == 0, "no per-socket encoding, no thread hop per socket"
        assert len(set(frames)) == 1, "every page gets the very same frame"
    message = json.loads(five[1][0])
    assert message == {"type": "post", "action": "new", "post_id": post.pk, "html": message["html"]}
    assert "<strong>tout le monde</strong>" in message["html"]


def test_a_secret_group_post_reaches_its_members_pages_and_no_other_socket():
    owner, member, outsider = UserFactory(), UserFactory(), UserFactory()
    secret = make_group(owner=owner, access=AccessMode.SECRET, members=[member])
    topic = services.topic_create(group=secret, actor=owner, title="Entre nous", body="b")
    public = make_group(owner=outsider)
    elsewhere = services.topic_create(group=public, actor=outsider, title="Ailleurs", body="b")
    member_headers, outsider_headers = _headers(member), _headers(outsider)

    async def scenario():
        refused = WebsocketCommunicator(application, _topic_path(topic), headers=outsider_headers)
        refused_result = await refused.connect()
        inside = WebsocketCommunicator(application, _topic_path(topic), headers=member_headers)
        other_page = WebsocketCommunicator(application, _topic_path(elsewhere), headers=outsider_headers)
        group_page = WebsocketCommunicator(application, f"/ws/groupes/{public.slug}/", headers=outsider_headers)
        for socket in (inside, other_page, group_page):
            assert (await socket.connect())[0]
        post = await database_sync_to_async(services.post_create)(topic=topic, actor=owner, body="réservé aux membres")
        received = await inside.receive_json_from(timeout=5)
        leaks = [await other_page.receive_nothing(timeout=0.5), await group_page.receive_nothing(timeout=0.2)]
        for socket in (inside, other_page, group_page):
            await socket.disconnect()
        return refused_result, post.pk, received, leaks

    refused, post_id, received, leaks = async_to_sync(scenario)()
    assert refused == (False, 4404), "an outsider cannot subscribe to a secret topic"
    assert received["post_id"] == post_id and "réservé aux membres" in received["html"]
    assert leaks == [True, True], "nothing reaches a socket of another topic or group"
