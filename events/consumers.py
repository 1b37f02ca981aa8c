"""Live collective-intelligence session: sub-group counts and notes, one websocket per tab.

Access is checked on connect with the same rules as the page (event visible to the viewer and
the viewer confirmed or organiser); services broadcast after commit. On (re)connect the
client receives the current counts and countdown, so nothing is lost across reconnects.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from .selectors import breakout_counts, can_join_session, event_get_for_viewer, session_group, session_timer_payload


def _allowed_event_id(user, slug: str) -> int | None:
    try:
        event = event_get_for_viewer(viewer=user, slug=slug)
    except Http404:
        return None
    return event.pk if can_join_session(user, event) else None


class SessionConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        event_id = await database_sync_to_async(_allowed_event_id)(user, self.scope["url_route"]["kwargs"]["slug"])
        if event_id is None:
            await self.close(code=4404)
            return
        self.event_id = event_id
        self.group_name = session_group(event_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self._send_state()

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "sync":
            await self._send_state()

    async def _send_state(self):
        await self.send_json({"type": "counts", "counts": await database_sync_to_async(breakout_counts)(self.event_id)})
        await self.send_json({"type": "timer", "timer": await database_sync_to_async(session_timer_payload)(self.event_id)})

    async def session_counts(self, event):
        await self.send_json({"type": "counts", "counts": event["counts"]})

    async def session_note(self, event):
        await self.send_json({"type": "note", "breakout": event["breakout"], "id": event["id"], "html": event["html"]})

    async def session_timer(self, event):
        await self.send_json({"type": "timer", "timer": event["timer"]})
