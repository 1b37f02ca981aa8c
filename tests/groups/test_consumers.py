"""Live topic and group sockets through the real ASGI stack (origin check + auth middleware)."""

import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from groups import services
from groups.models import AccessMode, Membership
from groups.selectors import CLOCK_MARGIN
from hub.asgi import application
from tests.factories import StaffFactory, UserFactory
from tests.factories import ws_headers as _headers
from tests.groups.factories import make_group
from tests.websockets import connect_result

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _topic_path(topic):
    return f"/ws/groupes/{topic.group.slug}/sujets/{topic.pk}/"


def test_secret_topic_socket_is_closed_like_not_found_for_outsiders_and_staff():
    owner, member = UserFactory(), UserFactory()
    group = make_group(owner=owner, access=AccessMode.SECRET, members=[member])
    topic = services.topic_create(group=group, actor=owner, title="t", body="b")
    path = _topic_path(topic)
    assert connect_result(path, _headers()) == (False, 4401)
    assert connect_result(path, _headers(UserFactory())) == (False, 4404)
    assert connect_result(path, _headers(StaffFactory())) == (False, 4404)
    assert connect_result(f"/ws/groupes/{group.slug}/", _headers(UserFactory())) == (False, 4404)
    assert connect_result(path, _headers(member))[0] is True
    # A wrong slug for a real topic id is not found either.
    other = make_group(owner=UserFactory())
    assert connect_result(f"/ws/groupes/{other.slug}/sujets/{topic.pk}/", _headers(member)) == (False, 4404)


def test_new_edited_and_deleted_posts_arrive_live_and_missed_ones_are_replayed():
    owner, reader = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[reader])
    topic = services.topic_create(group=group, actor=owner, title="t", body="premier")
    first = topic.posts.get()
    missed = services.post_create(topic=topic, actor=owner, body="manqué pendant la coupure")
    headers = _headers(reader)

    async def scenario():
        communicator = WebsocketCommunicator(application, _topic_path(topic), headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_json_to({"type": "since", "last_id": first.pk})
        replay = await communicator.receive_json_from(timeout=5)
        synced = await communicator.receive_json_from(timeout=5)
        post = await database_sync_to_async(services.post_create)(topic=topic, actor=owner, body="tout **neuf**")
        new = await communicator.receive_json_from(timeout=5)
        await database_sync_to_async(services.post_edit)(post=post, actor=owner, body="tout neuf, corrigé")
        edited = await communicator.receive_json_from(timeout=5)
        await database_sync_to_async(services.post_delete)(post=post, actor=owner)
        deleted = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return replay, synced, post.pk, new, edited, deleted

    replay, synced, post_id, new, edited, deleted = async_to_sync(scenario)()
    assert replay["post_id"] == missed.pk and "manqué pendant la coupure" in replay["html"]
    assert synced["type"] == "synced" and isinstance(synced["at"], float)
    assert new["action"] == "new" and new["post_id"] == post_id and "<strong>neuf</strong>" in new["html"]
    assert edited["action"] == "edit" and "corrigé" in edited["html"] and "modifié" in edited["html"]
    assert deleted["action"] == "delete" and "Message supprimé" in deleted["html"]


def test_edits_and_deletions_made_while_offline_are_replayed():
    owner, reader = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[reader])
    topic = services.topic_create(group=group, actor=owner, title="t", body="premier")
    kept, edited, deleted = topic.posts.get(), *(services.post_create(topic=topic, actor=owner, body=f"message {i}") for i in range(2))
    headers = _headers(reader)

    async def sync(last_id, changed_since):
        communicator = WebsocketCommunicator(application, _topic_path(topic), headers=headers)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"type": "since", "last_id": last_id, "changed_since": changed_since})
        received = []
        while True:
            message = await communicator.receive_json_from(timeout=5)
            received.append(message)
            if message["type"] == "synced":
                break
        await communicator.disconnect()
        return received

    time.sleep(CLOCK_MARGIN + 0.2)  # unchanged posts now lie before the clock margin: not replayed
    first = async_to_sync(sync)(deleted.pk, 0)  # up to date: nothing to replay
    assert [m["type"] for m in first] == ["synced"]
    offline_since = first[-1]["at"]
    services.post_edit(post=edited, actor=owner, body="corrigé hors ligne")
    services.post_delete(post=deleted, actor=owner)
    replay = async_to_sync(sync)(deleted.pk, offline_since)
    by_id = {m["post_id"]: m for m in replay if m["type"] == "post"}
    assert set(by_id) == {edited.pk, deleted.pk}, "only the posts changed since the last sync"
    assert by_id[edited.pk]["action"] == "edit" and "corrigé hors ligne" in by_id[edited.pk]["html"]
    assert by_id[deleted.pk]["action"] == "delete" and "Message supprimé" in by_id[deleted.pk]["html"]
    assert kept.pk not in by_id
    # A client that never synced (no changed_since) only gets the posts after its last id.
    assert [m["type"] for m in async_to_sync(sync)(deleted.pk, None)] == ["synced"]


def test_typing_indicator_reaches_others_not_the_typist():
    owner, reader = UserFactory(profile_data={"display_name": "Awa Diallo"}), UserFactory()
    group = make_group(owner=owner, members=[reader])
    topic = services.topic_create(group=group, actor=owner, title="t", body="b")
    typist_headers, reader_headers = _headers(owner), _headers(reader)

    async def scenario():
        typist = WebsocketCommunicator(application, _topic_path(topic), headers=typist_headers)
        watcher = WebsocketCommunicator(application, _topic_path(topic), headers=reader_headers)
        assert (await typist.connect())[0] and (await watcher.connect())[0]
        await typist.send_json_to({"type": "typing"})
        seen = await watcher.receive_json_from(timeout=5)
        echo = await typist.receive_nothing(timeout=0.3)
        await typist.disconnect()
        await watcher.disconnect()
        return seen, echo

    seen, echo = async_to_sync(scenario)()
    assert seen["type"] == "typing" and seen["name"] == "Awa Diallo"
    assert echo is True


def test_removed_member_gets_nothing_on_resync():
    owner, reader = UserFactory(), UserFactory()
    group = make_group(owner=owner, access=AccessMode.SECRET, members=[reader])
    topic = services.topic_create(group=group, actor=owner, title="t", body="b")
    headers = _headers(reader)

    async def scenario():
        communicator = WebsocketCommunicator(application, _topic_path(topic), headers=headers)
        assert (await communicator.connect())[0]
        await database_sync_to_async(Membership.objects.filter(group=group, user=reader).delete)()
        await communicator.send_json_to({"type": "since", "last_id": 0})
        output = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return output

    output = async_to_sync(scenario)()
    assert output["type"] == "websocket.close" and output["code"] == 4404


def test_group_socket_receives_new_topics():
    owner, reader = UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[reader])
    headers = _headers(reader)

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/groupes/{group.slug}/", headers=headers)
        assert (await communicator.connect())[0]
        topic = await database_sync_to_async(services.topic_create)(group=group, actor=owner, title="Nouveau en direct", body="b")
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return topic.pk, message

    topic_id, message = async_to_sync(scenario)()
    assert message["type"] == "topic" and message["topic_id"] == topic_id and "Nouveau en direct" in message["html"]


def test_poll_results_go_live_only_to_pages_allowed_to_see_them():
    owner, voter, watcher = UserFactory(), UserFactory(), UserFactory()
    group = make_group(owner=owner, members=[voter, watcher])
    topic = services.topic_create(
        group=group, actor=owner, title="Sondage", body="b", poll={"question": "Quel jour ?", "options": ["Lundi", "Mardi"]}
    )
    monday = topic.poll.options.get(label="Lundi")
    voter_headers, watcher_headers = _headers(voter), _headers(watcher)  # sessions saved outside the event loop

    async def scenario():
        voter_ws = WebsocketCommunicator(application, _topic_path(topic), headers=voter_headers)
        watcher_ws = WebsocketCommunicator(application, _topic_path(topic), headers=watcher_headers)
        assert (await voter_ws.connect())[0] and (await watcher_ws.connect())[0]
        await database_sync_to_async(services.poll_vote)(poll=topic.poll, actor=voter, option_ids=[monday.pk])
        to_voter = await voter_ws.receive_json_from(timeout=5)
        to_watcher = await watcher_ws.receive_json_from(timeout=5)
        await database_sync_to_async(services.poll_close)(poll=topic.poll, actor=owner)
        closed = await watcher_ws.receive_json_from(timeout=5)
        await voter_ws.disconnect()
        await watcher_ws.disconnect()
        return to_voter, to_watcher, closed

    to_voter, to_watcher, closed = async_to_sync(scenario)()
    assert to_voter["type"] == "poll" and "1 voix · 100 %" in to_voter["html"]
    assert "1 votant·e" in to_watcher["html"] and "voix" not in to_watcher["html"]  # has not voted: no counts
    assert closed["closed"] is True and "Résultat :" in closed["html"] and "Lundi" in closed["html"]


def test_a_member_removed_or_banned_loses_open_pages_of_a_secret_group_at_once():
    owner, removed, banned, stays = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    group = make_group(owner=owner, access=AccessMode.SECRET, members=[removed, banned, stays])
    open_group = make_group(owner=owner, access=AccessMode.OPEN, members=[removed])
    topic = services.topic_create(group=group, actor=owner, title="t", body="premier")
    open_topic = services.topic_create(group=open_group, actor=owner, title="t", body="premier")
    sockets = {
        "removed": (_topic_path(topic), _headers(removed)),
        "removed_group_page": (f"/ws/groupes/{group.slug}/", _headers(removed)),
        "banned": (_topic_path(topic), _headers(banned)),
        "stays": (_topic_path(topic), _headers(stays)),
        "removed_open": (_topic_path(open_topic), _headers(removed)),
    }

    async def scenario():
        pages = {name: WebsocketCommunicator(application, path, headers=headers) for name, (path, headers) in sockets.items()}
        for page in pages.values():
            assert (await page.connect())[0]
        await database_sync_to_async(services.member_remove)(group=group, actor=owner, user=removed)
        await database_sync_to_async(services.member_ban)(group=group, actor=owner, user=banned)
        closed = {}
        for name in ("removed", "removed_group_page", "banned"):
            closed[name] = await pages[name].receive_output(timeout=5)
        await database_sync_to_async(services.post_create)(topic=topic, actor=owner, body="après le départ")
        await database_sync_to_async(services.post_create)(topic=open_topic, actor=owner, body="groupe ouvert")
        kept = await pages["stays"].receive_json_from(timeout=5)
        still_open = await pages["removed_open"].receive_json_from(timeout=5)
        for name in ("stays", "removed_open"):
            await pages[name].disconnect()
        return closed, kept, still_open

    closed, kept, still_open = async_to_sync(scenario)()
    assert all(message == {"type": "websocket.close", "code": 4404} for message in closed.values()), closed
    assert "après le départ" in kept["html"]
    # an open group's pages stay open: its posts are readable by every member anyway
    assert "groupe ouvert" in still_open["html"]
