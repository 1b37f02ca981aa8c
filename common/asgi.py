"""Django's HTTP handler for ASGI, with the whole middleware chain run in one thread hop.

Django builds its ASGI middleware chain in async mode: every ``MiddlewareMixin`` then runs its
``process_request`` and ``process_response`` through ``sync_to_async``, and one sync-only
middleware sends the rest of the chain back to the event loop with ``async_to_sync``, before the
view and the template render each go into a thread again. Maillage's middleware and views are all
synchronous, so this handler builds the chain as WSGI would and enters it through a single
``sync_to_async``: with the request_started signal and ``response.close``, three trips to a thread
per request instead of six or more (tests/common/test_asgi.py), and a request runs to its end
once it has started. Reading the body, sending the response and the request signals
stay as Django does them; an async view would still work, through ``async_to_sync``.
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class OneHopASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)
