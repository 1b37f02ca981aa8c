"""Live unread-notification counter and live activity stream, one websocket each per open tab."""

from channels.db import database_sync_to_async

from common.consumers import UNAUTHENTICATED, LiveConsumer
from common.registry import registry

from .activity import activity_visible, stream_group
from .models import is_approved_member
from .notifications import counter_group, unread_count


class NotificationCounterConsumer(LiveConsumer):
    async def connect(self):
        if (user := await self.signed_in_user(active_only=True)) is None:
            return
        await self.join(counter_group(user.pk))
        await self.send_json({"type": "count", "count": await database_sync_to_async(unread_count)(user)})

    async def receive_json(self, content, **kwargs):
        # A client that reconnects asks for the current count: the answer is the truth, not a delta.
        if content.get("type") == "sync":
            await self.send_json({"type": "count", "count": await database_sync_to_async(unread_count)(self.scope["user"])})

    async def notifications_count(self, event):
        await self.send_json({"type": "count", "count": event["count"]})


class StreamConsumer(LiveConsumer):
    """Live stream: a socket joins the groups of the viewer's audiences and, for each new item,
    checks again that the viewer may see it before telling the page (which then fetches the card
    through the permission-checked stream view). Refused to visitors and pending accounts."""

    async def connect(self):
        if (user := await self.signed_in_user()) is None:
            return
        if not await database_sync_to_async(is_approved_member)(user):
            await self.close(code=UNAUTHENTICATED)
            return
        audiences = await database_sync_to_async(registry.audiences_for)(user)
        await self.join(*sorted({stream_group(a) for a in audiences}))

    async def stream_item(self, event):
        if await database_sync_to_async(activity_visible)(viewer=self.scope["user"], pk=event["id"]):
            await self.send_json({"type": "item", "id": event["id"]})
