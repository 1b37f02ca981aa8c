"""The live fan-out of a forum post (issue 18 item 3): rendered and encoded once per post, published
once, received once per process by its relay (``common.live.Relay``) and written as is to every
open page without waking their consumers, and only to sockets allowed to see it.

Runs on the in-memory layer (SQLite: the embedded mode) and on Redis pub/sub (PostgreSQL + Redis
runs); ``test_multiprocess.py`` runs two real server processes."""

import asyncio
import json
import uuid
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import DEFAULT_CHANNEL_LAYER, InMemoryChannelLayer, channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from common import live
from common.live import FanOutDispatchMixin, Relay, broadcast_frame
from groups import rendering, services
from groups.models import AccessMode, Membership
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


# --- the relay: many sockets, several processes, revocation, clean-up ------------------------------
def _group_name():
    return f"topic_test_{uuid.uuid4().hex[:12]}"


def _sink(received: list, *, gate: asyncio.Event | None = None, fail: bool = False):
    """An ASGI ``send`` that records the text it writes (after ``gate`` opens), or fails like a
    socket that is gone."""

    async def send(event):
        if fail:
            raise ConnectionResetError("gone")
        if gate is not None:
            await gate.wait()
        received.append(event["text"])

    return send


async def _until(predicate, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def _process_layers():
    """Two web processes' channel layers: two connections to Redis, or — in the embedded mode,
    where the in-memory layer cannot be shared between processes — one layer seen by two relays."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        return layer, layer
    return channel_layers.make_backend(DEFAULT_CHANNEL_LAYER), channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)


def test_many_sockets_of_a_topic_get_each_post_from_one_subscription_without_their_consumers():
    owner = UserFactory()
    readers = [UserFactory() for _ in range(30)]
    group = make_group(owner=owner, members=readers)
    topic = services.topic_create(group=group, actor=owner, title="Foule", body="b")
    headers = [_headers(reader) for reader in readers]

    async def scenario():
        sockets = [WebsocketCommunicator(application, _topic_path(topic), headers=h) for h in headers]
        for socket in sockets:
            assert (await socket.connect())[0]
        relay = Relay.current()
        followers = len(relay.sockets[services.topic_channel(topic.pk)])
        subscriptions = set(relay.subscribed)
        with (
            mock.patch.object(FanOutDispatchMixin, "dispatch", autospec=True, side_effect=FanOutDispatchMixin.dispatch) as dispatch,
            mock.patch.object(Relay, "deliver", autospec=True, side_effect=Relay.deliver) as deliver,
        ):
            posts = [await database_sync_to_async(services.post_create)(topic=topic, actor=owner, body=f"message {n}") for n in range(3)]
            frames = [[json.loads(await socket.receive_from(timeout=5))["post_id"] for _ in posts] for socket in sockets]
        for socket in sockets:
            await socket.disconnect()
        return [p.pk for p in posts], frames, followers, subscriptions, dispatch.call_count, deliver.call_count

    post_ids, frames, followers, subscriptions, dispatches, deliveries = async_to_sync(scenario)()
    assert followers == 30 and subscriptions == {services.topic_channel(topic.pk)}, "one subscription for 30 sockets"
    assert all(received == post_ids for received in frames), "every socket gets every post, in order"
    assert deliveries == 3, "each post received once by the process"
    assert dispatches == 0, "no consumer woken per socket for a post"


def test_one_publish_reaches_each_process_once_and_each_writes_to_its_own_sockets():
    name = _group_name()

    async def scenario():
        layers = _process_layers()
        relays = [Relay(layer) for layer in layers]
        received = [[[] for _ in range(3)] for _ in relays]
        keys = [[await relay.add(name, _sink(box)) for box in boxes] for relay, boxes in zip(relays, received, strict=True)]
        sender = get_channel_layer()
        with (
            mock.patch.object(sender, "group_send", wraps=sender.group_send) as publish,
            mock.patch.object(Relay, "deliver", autospec=True, side_effect=Relay.deliver) as deliver,
        ):
            assert await database_sync_to_async(broadcast_frame)(name, {"type": "post", "post_id": 7})
            await _until(lambda: all(box for boxes in received for box in boxes))
            await asyncio.sleep(0.2)  # a second copy would have arrived by now
        for relay, relay_keys in zip(relays, keys, strict=True):
            for key in relay_keys:
                await relay.remove(name, key)
        left = [(relay.sockets, relay.subscribed, relay.channel) for relay in relays]
        return received, publish.call_count, deliver.call_count, left

    received, publishes, deliveries, left = async_to_sync(scenario)()
    assert publishes == 1 and deliveries == 2, "one publish, received once by each of the two processes"
    assert all(box == ['{"type": "post", "post_id": 7}'] for boxes in received for box in boxes)
    assert left == [({}, set(), None), ({}, set(), None)], "nothing left once the sockets are gone"


def test_a_slow_socket_holds_up_no_other_and_a_dead_one_is_dropped():
    name = _group_name()

    async def scenario():
        relay = Relay(get_channel_layer())
        gate = asyncio.Event()
        slow, fast, dead = [], [], []
        await relay.add(name, _sink(slow, gate=gate))
        await relay.add(name, _sink(dead, fail=True))
        await relay.add(name, _sink(fast))
        relay.deliver(name, "un")
        relay.deliver(name, "deux")
        fast_first, slow_first, followers = list(fast), list(slow), len(relay.sockets[name])
        gate.set()
        await _until(lambda: len(slow) == 2)
        for key in list(relay.sockets[name]):
            await relay.remove(name, key)
        return fast_first, slow_first, followers, slow

    fast_first, slow_first, followers, slow = async_to_sync(scenario)()
    assert fast_first == ["un", "deux"] and slow_first == [], "a waiting socket does not delay the others"
    assert slow == ["un", "deux"], "and gets its frames in order"
    assert followers == 2, "a socket whose send fails is no longer written to"


def test_a_revoked_member_gets_no_further_post_and_leaves_the_relay():
    owner, removed, stays = UserFactory(), UserFactory(), UserFactory()
    group = make_group(owner=owner, access=AccessMode.SECRET, members=[removed, stays])
    topic = services.topic_create(group=group, actor=owner, title="t", body="b")
    removed_headers, stays_headers = _headers(removed), _headers(stays)

    async def scenario():
        gone = WebsocketCommunicator(application, _topic_path(topic), headers=removed_headers)
        kept = WebsocketCommunicator(application, _topic_path(topic), headers=stays_headers)
        assert (await gone.connect())[0] and (await kept.connect())[0]
        relay = Relay.current()
        before = len(relay.sockets[services.topic_channel(topic.pk)])
        # Removed without the service (no access event yet): the post after it must still not
        # reach the page once the access event is handled, whatever the order of arrival.
        await database_sync_to_async(Membership.objects.filter(group=group, user=removed).delete)()
        await database_sync_to_async(services.broadcast_access_change)(group_id=group.pk, user_id=removed.pk)
        closed = await gone.receive_output(timeout=5)
        after = len(relay.sockets[services.topic_channel(topic.pk)])
        post = await database_sync_to_async(services.post_create)(topic=topic, actor=owner, body="après le départ")
        kept_frame = await kept.receive_json_from(timeout=5)
        nothing = await gone.receive_nothing(timeout=0.5)
        await kept.disconnect()
        return before, closed, after, post.pk, kept_frame, nothing

    before, closed, after, post_id, kept_frame, nothing = async_to_sync(scenario)()
    assert before == 2 and after == 1, "the revoked page left the relay when it closed"
    assert closed == {"type": "websocket.close", "code": 4404}
    assert kept_frame["post_id"] == post_id
    assert nothing, "no frame after the close"


def test_disconnected_pages_leave_nothing_in_the_relay():
    owner, reader = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[reader])
    first = services.topic_create(group=group, actor=owner, title="un", body="b")
    second = services.topic_create(group=group, actor=owner, title="deux", body="b")
    headers = _headers(reader)

    async def scenario():
        paths = [_topic_path(first), _topic_path(first), _topic_path(second), f"/ws/groupes/{group.slug}/"]
        sockets = [WebsocketCommunicator(application, path, headers=headers) for path in paths]
        for socket in sockets:
            assert (await socket.connect())[0]
        relay = Relay.current()
        open_state = ({g: len(s) for g, s in relay.sockets.items()}, set(relay.subscribed), relay.channel is not None)
        for socket in sockets:
            await socket.disconnect()
        return open_state, (relay.sockets, relay.subscribed, relay.channel)

    (followers, subscribed, reading), left = async_to_sync(scenario)()
    topic_a, topic_b, group_page = services.topic_channel(first.pk), services.topic_channel(second.pk), services.group_channel(group.pk)
    assert followers == {topic_a: 2, topic_b: 1, group_page: 1} and subscribed == {topic_a, topic_b, group_page} and reading
    assert left == ({}, set(), None), "no socket, subscription or reader left behind"


@override_settings(CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
def test_the_embedded_mode_relays_posts_and_new_topics_through_the_in_memory_layer():
    owner, reader = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[reader])
    topic = services.topic_create(group=group, actor=owner, title="t", body="b")
    headers = _headers(reader)

    async def scenario():
        assert isinstance(get_channel_layer(), InMemoryChannelLayer)
        topic_page = WebsocketCommunicator(application, _topic_path(topic), headers=headers)
        group_page = WebsocketCommunicator(application, f"/ws/groupes/{group.slug}/", headers=headers)
        assert (await topic_page.connect())[0] and (await group_page.connect())[0]
        post = await database_sync_to_async(services.post_create)(topic=topic, actor=owner, body="sans Redis")
        new = await database_sync_to_async(services.topic_create)(group=group, actor=owner, title="Nouveau", body="b")
        got_post = await topic_page.receive_json_from(timeout=5)
        got_topic = await group_page.receive_json_from(timeout=5)
        for socket in (topic_page, group_page):
            await socket.disconnect()
        return post.pk, new.pk, got_post, got_topic

    post_id, topic_id, got_post, got_topic = async_to_sync(scenario)()
    assert got_post["type"] == "post" and got_post["post_id"] == post_id and "sans Redis" in got_post["html"]
    assert got_topic["type"] == "topic" and got_topic["topic_id"] == topic_id
