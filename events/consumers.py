"""Live collective-intelligence session: sub-group counts and notes, one websocket per tab.

Access is checked on connect with the same rules as the page (event visible to the viewer and
the viewer confirmed or organiser); services broadcast after commit. On (re)connect the
client receives the current counts and countdown, so nothing is lost across reconnects.
"""

from channels.db import database_sync_to_async
from django.http import Http404

from common.consumers import NOT_FOUND, LiveConsumer

from .selectors import breakout_counts, can_join_session, event_get_for_viewer, session_group, session_timer_current, session_timer_json


def _allowed_event_id(user, slug: str) -> int | None:
    try:
        event = event_get_for_viewer(viewer=user, slug=slug)
    except Http404:
        return None
    return event.pk if can_join_session(user, event) else None


class SessionConsumer(LiveConsumer):
    async def connect(self):
        if (user := await self.signed_in_user()) is None:
            return
        event_id = await database_sync_to_async(_allowed_event_id)(user, self.scope["url_route"]["kwargs"]["slug"])
        if event_id is None:
            await self.close(code=NOT_FOUND)
            return
        self.event_id = event_id
        await self.join(session_group(event_id))
        await self._send_state()

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "sync":
            await self._send_state()

    async def _send_state(self):
        await self.send_json({"type": "counts", "counts": await database_sync_to_async(breakout_counts)(self.event_id)})
        timer = await database_sync_to_async(session_timer_current)(self.event_id)
        await self.send_json({"type": "timer", "timer": session_timer_json(timer)})

    async def session_counts(self, event):
        await self.send_json({"type": "counts", "counts": event["counts"]})

    async def session_note(self, event):
        await self.send_json({"type": "note", "breakout": event["breakout"], "id": event["id"], "html": event["html"]})

    async def session_timer(self, event):
        await self.send_json({"type": "timer", "timer": event["timer"]})
