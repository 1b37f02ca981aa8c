"""Live unread-notification counter and live activity stream, one websocket each per open tab."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from common.registry import registry

from .activity import activity_visible, stream_group
from .models import is_approved_member
from .notifications import counter_group, unread_count


class NotificationCounterConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.group_name = counter_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "count", "count": await database_sync_to_async(unread_count)(user)})

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # A client that reconnects asks for the current count: the answer is the truth, not a delta.
        if content.get("type") == "sync":
            await self.send_json({"type": "count", "count": await database_sync_to_async(unread_count)(self.scope["user"])})

    async def notifications_count(self, event):
        await self.send_json({"type": "count", "count": event["count"]})


class StreamConsumer(AsyncJsonWebsocketConsumer):
    """Live stream: a socket joins the groups of the viewer's audiences and, for each new item,
    checks again that the viewer may see it before telling the page (which then fetches the card
    through the permission-checked stream view). Refused to visitors and pending accounts."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not await database_sync_to_async(is_approved_member)(user):
            await self.close(code=4401)
            return
        audiences = await database_sync_to_async(registry.audiences_for)(user)
        self.stream_groups = sorted({stream_group(a) for a in audiences})
        for group in self.stream_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "stream_groups", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def stream_item(self, event):
        if await database_sync_to_async(activity_visible)(viewer=self.scope["user"], pk=event["id"]):
            await self.send_json({"type": "item", "id": event["id"]})
