"""Live updates: the one helper that sends an event to a websocket group.

Services call ``broadcast`` after commit (``transaction.on_commit``). Live updates are a
convenience — every page works by reload and clients resynchronise on reconnect — so a channel
layer outage is logged, never raised into the write that caused it.
"""

import logging

from asgiref.sync import async_to_sync
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
