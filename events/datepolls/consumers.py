"""Live tally of a date poll: one websocket per open page; access checked on connect with the
page's rule. On (re)connect the client receives the current tally, so nothing is missed."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404
from django.template.loader import render_to_string

from ..models import DatePoll
from .access import poll_get_for_viewer
from .selectors import tally
from .services import live_group


def _poll_id(user, token: str) -> int | None:
    try:
        return poll_get_for_viewer(viewer=user, token=token).pk
    except Http404:
        return None


def _tally_html(token: str) -> str:
    poll = DatePoll.objects.get(token=token)
    return render_to_string("events/datepoll_tally.html", {"poll": poll, "slots": tally(poll)})


class DatePollConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        token = self.scope["url_route"]["kwargs"]["token"]
        poll_id = await database_sync_to_async(_poll_id)(user, token)
        if poll_id is None:
            await self.close(code=4404)
            return
        self.token, self.group_name = token, live_group(poll_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "tally", "html": await database_sync_to_async(_tally_html)(token)})

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def datepoll_tally(self, event):
        await self.send_json({"type": "tally", "html": event["html"]})
