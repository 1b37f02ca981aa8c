"""Websocket test helpers shared by the apps' consumer tests."""

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from hub.asgi import application


def connect_result(path: str, headers) -> tuple[bool, int | None]:
    """Open a socket on ``path`` through the real ASGI stack (origin check, auth middleware) and
    close it again: ``(True, subprotocol)`` when accepted, ``(False, close code)`` when refused.
    Call it outside the event loop (from a plain test function)."""

    async def scenario():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    return async_to_sync(scenario)()
