"""Live unread-notification counter, one websocket per open tab."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

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
