"""Live updates: the one helper that sends an event to a websocket group, and the dispatch that
consumers of frequent broadcasts use.

Services call ``broadcast`` after commit (``transaction.on_commit``). Live updates are a
convenience — every page works by reload and clients resynchronise on reconnect — so a channel
layer outage is logged, never raised into the write that caused it.

A broadcast meant for many sockets carries its frame already encoded (``frame``): the JSON text
is built once per event in the process that broadcasts, and each consumer only forwards it.
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def broadcast(group: str, message: dict) -> bool:
    """Send ``message`` (``{"type": "app.event", ...}``) to every socket in ``group``; False when
    it could not be sent."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001 - see the module docstring
        logger.warning("could not broadcast to %s", group, exc_info=True)
        return False
    return True


def frame(payload: dict) -> str:
    """The websocket text frame of ``payload``, exactly as ``send_json`` would encode it."""
    return json.dumps(payload)


class FanOutDispatchMixin:
    """Dispatch without a thread hop per event (before ``AsyncJsonWebsocketConsumer``).

    Channels runs ``close_old_connections`` in the sync thread before *every* handler, live
    events included: one post to 1,000 open pages then queues 1,000 hops through one thread
    (three quarters of the server's time in ``bench/fanout.py``). A consumer using this mixin
    reaches the database only through ``database_sync_to_async``, which closes old connections
    itself before and after each call, so the per-event hop does nothing for it.
    """

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
