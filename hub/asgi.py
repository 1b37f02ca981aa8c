"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets are wrapped in ``AllowedHostsOriginValidator(AuthMiddlewareStack(...))``: a foreign
Origin is refused before any consumer runs, and consumers see ``scope["user"]``. HTTP goes through
``common.asgi.OneHopASGIHandler``: Django's handler with the middleware chain run in one thread hop,
on at most ``HTTP_THREADS`` threads kept from request to request.
"""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
django.setup(set_prefix=False)  # what get_asgi_application does, with the handler below

from common.asgi import OneHopASGIHandler  # noqa: E402

django_asgi_app = OneHopASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from hub.routing import websocket_urlpatterns  # noqa: E402

# Everything imported so far lives as long as the process: keep it out of the garbage
# collector's generations, so that collections (and their pauses) only scan request objects.
gc.freeze()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
