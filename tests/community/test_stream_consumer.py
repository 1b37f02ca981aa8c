"""The live stream consumer, through the real ASGI stack: visitors refused, and a socket is told
only about items its viewer may see (checked per item)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import transaction

from community.activity import activity_record
from community.models import ActivityKind
from hub.asgi import application
from tests.factories import ws_headers as _headers
from tests.websockets import connect_result

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _record(**kwargs):
    with transaction.atomic():
        return activity_record(verb="a publié", url="/", kind=ActivityKind.EVENTS, **kwargs)


def test_visitors_and_pending_accounts_are_refused(pending_user):
    for headers in (_headers(), _headers(pending_user)):
        assert connect_result("/ws/reseau/", headers) == (False, 4401)


def test_member_is_told_about_visible_items_only(member, other_member):
    headers = _headers(member)

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/reseau/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        hidden = await database_sync_to_async(_record)(title="Pour l'autre", audience=f"user:{other_member.pk}")
        visible = await database_sync_to_async(_record)(title="Pour les membres", audience="members")
        mine = await database_sync_to_async(_record)(title="Pour moi", audience=f"user:{member.pk}")
        first = await communicator.receive_json_from(timeout=5)
        second = await communicator.receive_json_from(timeout=5)
        nothing_else = await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return hidden.pk, [first, second], visible.pk, mine.pk, nothing_else

    hidden_id, received, visible_id, mine_id, nothing_else = async_to_sync(scenario)()
    assert received == [{"type": "item", "id": visible_id}, {"type": "item", "id": mine_id}]
    assert nothing_else and hidden_id not in [m["id"] for m in received]


def test_item_withdrawn_before_delivery_is_not_announced(member):
    """Permission is checked per item at delivery: an item no longer visible is not sent."""
    headers = _headers(member)

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/reseau/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected
        await get_channel_layer().group_send("stream.members", {"type": "stream.item", "id": 987654})
        nothing = await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()
        return nothing

    assert async_to_sync(scenario)()
