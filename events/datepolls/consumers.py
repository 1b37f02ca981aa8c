"""Live tally of a date poll: one websocket per open page; access checked on connect with the
page's rule. On (re)connect the client receives the current tally, so nothing is missed."""

from channels.db import database_sync_to_async
from django.http import Http404
from django.template.loader import render_to_string

from common.consumers import NOT_FOUND, LiveConsumer

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


class DatePollConsumer(LiveConsumer):
    async def connect(self):
        if (user := await self.signed_in_user()) is None:
            return
        token = self.scope["url_route"]["kwargs"]["token"]
        poll_id = await database_sync_to_async(_poll_id)(user, token)
        if poll_id is None:
            await self.close(code=NOT_FOUND)
            return
        await self.join(live_group(poll_id))
        await self.send_json({"type": "tally", "html": await database_sync_to_async(_tally_html)(token)})

    async def datepoll_tally(self, event):
        await self.send_json({"type": "tally", "html": event["html"]})
