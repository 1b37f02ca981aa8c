"""What every live socket of the platform does the same way: who may connect and which channel
layer groups it listens to.

Sockets close with 4401 for visitors (and inactive accounts where asked), like a page that asks
to sign in; an app closes with 4404 itself when the thing asked for is not visible to the user.
Groups joined through ``join`` are left by Channels itself on disconnect (``self.groups``).
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

UNAUTHENTICATED = 4401
NOT_FOUND = 4404


class LiveConsumer(AsyncJsonWebsocketConsumer):
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
