"""Live updates: the one helper that sends an event to a websocket group, and the dispatch that
consumers of frequent broadcasts use.

Services call ``broadcast`` after commit (``transaction.on_commit``). Live updates are a
convenience — every page works by reload and clients resynchronise on reconnect — so a channel
layer outage is logged, never raised into the write that caused it.

A broadcast meant for many sockets and the same for each goes through ``broadcast_frame``: the
JSON text is built once per event in the process that broadcasts, published once, and each web
process's ``Relay`` writes it to its local sockets without waking their consumers.
"""

import asyncio
import functools
import itertools
import json
import logging
import weakref
from collections.abc import Awaitable, Callable

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


# --- The relay: one subscription per process and live group, frames written straight to sockets ---
RELAY_EVENT = "live.frame"
RELAY_REFRESH_SECONDS = 3600  # below the in-memory and list layers' 24 h group expiry


def relay_group(group: str) -> str:
    """The channel layer group that carries ``group``'s frames (one member per process: its relay)."""
    return f"relay.{group}"


def broadcast_frame(group: str, payload: dict) -> bool:
    """Send ``payload`` to every socket following ``group`` (``LiveConsumer.follow``): encoded once
    here, published once, received once per process and written as is to each local socket.

    For messages that are the same for every viewer; anything that depends on the socket (who
    voted, who is typing) goes through ``broadcast`` and the consumers' handlers."""
    return broadcast(relay_group(group), {"type": RELAY_EVENT, "group": group, "frame": frame(payload)})


class Relay:
    """This process's fan-out of ``broadcast_frame``: for each live group with local sockets, one
    member of the channel layer group (one Redis subscription with the pub/sub layer), and the
    ASGI ``send`` of every local socket following it.

    A frame is written to each socket with ``send`` directly, not through the socket's channel
    layer queue and consumer: Channels spends a queue, a task and an ``asyncio.wait`` per event
    per socket there, the larger part of a post's cost at a thousand open pages. Each ``send``
    starts as an eager task: it finishes at once when the server writes without waiting (daphne
    always, uvicorn unless the client reads too slowly); one that waits (a paused transport) goes
    on as a task and holds up no other socket. A ``send`` that fails (socket gone) unfollows it.

    Built on the channel layer's own ``new_channel``/``group_add``/``receive``, so it works on
    Redis pub/sub, the list layer and the in-memory layer (embedded mode) alike. One per event
    loop (``Relay.current()``); it reads only while some local socket follows a group.
    """

    _by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Relay]" = weakref.WeakKeyDictionary()

    def __init__(self, layer):
        self.layer = layer
        self.sockets: dict[str, dict[int, Callable[[dict], Awaitable[None]]]] = {}
        self.subscribed: set[str] = set()
        self.channel: str | None = None
        self._tasks: list[asyncio.Task] = []  # the reader and the refresher, while subscribed
        self._sending: set[asyncio.Task] = set()  # sends still waiting (paused transports)
        self._lock = asyncio.Lock()  # subscription changes, in order
        self._keys = itertools.count(1)

    @classmethod
    def current(cls, layer=None) -> "Relay":
        loop = asyncio.get_running_loop()
        relay = cls._by_loop.get(loop)
        if relay is None:
            relay = cls._by_loop[loop] = cls(layer or get_channel_layer())
        return relay

    async def add(self, group: str, send: Callable[[dict], Awaitable[None]]) -> int:
        """Write ``group``'s frames to ``send`` from now on; returns the key for ``remove``. Returns
        once this process is subscribed: a frame published afterwards reaches ``send``."""
        key = next(self._keys)
        self.sockets.setdefault(group, {})[key] = send
        if group not in self.subscribed:
            async with self._lock:
                if group not in self.subscribed and key in self.sockets.get(group, ()):
                    if self.channel is None:
                        self.channel = await self.layer.new_channel()
                        loop = asyncio.get_running_loop()
                        self._tasks = [loop.create_task(self._read(self.channel)), loop.create_task(self._refresh())]
                    await self.layer.group_add(relay_group(group), self.channel)
                    self.subscribed.add(group)
        return key

    def forget(self, group: str, key: int) -> None:
        """Stop writing to the socket at once (synchronous: no frame after this call); the
        process unsubscribes from ``group`` in the background when it was the last socket."""
        if self._drop(group, key):
            self._spawn(self._unsubscribe(group))

    async def remove(self, group: str, key: int) -> None:
        """``forget``, then wait for the unsubscription when it was the group's last socket."""
        if self._drop(group, key):
            await self._unsubscribe(group)

    def _drop(self, group: str, key: int) -> bool:
        members = self.sockets.get(group)
        if members is None or members.pop(key, None) is None or members:
            return False
        del self.sockets[group]
        return True

    async def _unsubscribe(self, group: str) -> None:
        async with self._lock:
            if group in self.sockets or group not in self.subscribed:
                return  # followed again meanwhile, or never subscribed
            self.subscribed.discard(group)
            try:
                await self.layer.group_discard(relay_group(group), self.channel)
            except Exception:  # noqa: BLE001 - nothing is written to a group without sockets anyway
                logger.warning("live relay: could not leave %s", group, exc_info=True)
            if not self.subscribed:
                tasks, self._tasks, self.channel = self._tasks, [], None
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _read(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a layer outage: pages resynchronise on reconnect
                logger.warning("live relay: could not receive", exc_info=True)
                await asyncio.sleep(1)
                continue
            group = message.get("group")
            if message.get("type") == RELAY_EVENT and group in self.sockets:
                self.deliver(group, message["frame"])

    def deliver(self, group: str, text: str) -> None:
        """Write ``text`` to every local socket following ``group``."""
        loop = asyncio.get_running_loop()
        event = {"type": "websocket.send", "text": text}  # read, never changed, by the servers
        for key, send in list(self.sockets.get(group, {}).items()):
            task = asyncio.eager_task_factory(loop, send(event))
            if task.done():
                if task.cancelled() or task.exception() is not None:
                    self.forget(group, key)
            else:
                self._sending.add(task)
                task.add_done_callback(functools.partial(self._sent, group, key))

    def _sent(self, group: str, key: int, task: asyncio.Task) -> None:
        self._sending.discard(task)
        if task.cancelled() or task.exception() is not None:
            self.forget(group, key)

    async def _refresh(self) -> None:
        """Renew the group memberships, which the in-memory and list layers expire after a day."""
        while True:
            await asyncio.sleep(RELAY_REFRESH_SECONDS)
            async with self._lock:
                for group in list(self.subscribed):
                    try:
                        await self.layer.group_add(relay_group(group), self.channel)
                    except Exception:  # noqa: BLE001 - retried at the next refresh
                        logger.warning("live relay: could not renew %s", group, exc_info=True)

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
