"""Websocket routes of every app, gathered in one list for ``hub.asgi``.

Each app keeps its own ``routing.py`` with ``websocket_urlpatterns``; add it here.
"""

from importlib import import_module

WEBSOCKET_APPS = ["community", "messaging", "groups", "events"]

websocket_urlpatterns = []
for _app in WEBSOCKET_APPS:
    try:
        websocket_urlpatterns += import_module(f"{_app}.routing").websocket_urlpatterns
    except ModuleNotFoundError as exc:  # an app without websockets yet
        if exc.name != f"{_app}.routing":
            raise
