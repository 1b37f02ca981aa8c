"""What every live socket of the platform does the same way: who may connect, which channel
layer groups it listens to, which relayed groups it follows, and the typing indicator.

Sockets close with 4401 for visitors (and inactive accounts where asked), like a page that asks
to sign in; an app closes with 4404 itself when the thing asked for is not visible to the user.
Groups joined through ``join`` are left by Channels itself on disconnect (``self.groups``); groups
followed through ``follow`` are left when the consumer ends, however it ends.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from common.live import Relay

UNAUTHENTICATED = 4401
NOT_FOUND = 4404
TYPING_NAME_MAX = 80


def last_id(content: dict, key: str = "last_id") -> int | None:
    """The non-negative id a client sent with ``since`` (0 when none); None when it is not a number."""
    try:
        return max(0, int(content.get(key) or 0))
    except (TypeError, ValueError):
        return None


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        self.followed: dict[str, int] = {}
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.unfollow()  # an error or a cancellation leaves no socket in the relay

    async def signed_in_user(self, *, active_only: bool = False):
        """The connecting user, or None once the socket is closed with 4401 (visitor, or an
        inactive account when ``active_only``)."""
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or (active_only and not user.is_active):
            await self.close(code=UNAUTHENTICATED)
            return None
        return user

    async def join(self, *groups: str) -> None:
        """Listen to ``groups`` and accept the socket; Channels leaves them on disconnect."""
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)
        await self.accept()

    async def follow(self, group: str) -> None:
        """Receive ``group``'s frames (``common.live.broadcast_frame``), written to this socket by
        the process's relay without passing through this consumer. Call it once the socket is
        accepted; it returns once frames published from then on reach the socket."""
        if group not in self.followed:
            self.followed[group] = await Relay.current(self.channel_layer).add(group, self.base_send)

    def unfollow(self, group: str | None = None) -> None:
        """No more relayed frames from ``group`` (every followed group when None), from this call on."""
        for name in [group] if group is not None else list(self.followed):
            if (key := self.followed.pop(name, None)) is not None:
                Relay.current(self.channel_layer).forget(name, key)

    async def websocket_disconnect(self, message):
        relay = Relay.current(self.channel_layer)
        for group, key in list(self.followed.items()):
            del self.followed[group]
            await relay.remove(group, key)
        await super().websocket_disconnect(message)

    async def send_typing(self, group: str, event_type: str, name: str) -> None:
        """Tell ``group``'s other sockets this member is typing (``forward_typing`` on their side)."""
        await self.channel_layer.group_send(
            group, {"type": event_type, "name": name, "user_id": self.scope["user"].pk, "sender": self.channel_name}
        )

    async def forward_typing(self, event) -> None:
        if event.get("sender") != self.channel_name:
            await self.send_json({"type": "typing", "name": event["name"], "user_id": event["user_id"]})
