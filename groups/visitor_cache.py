"""Pages of public groups as visitors (not logged in) see them, served from the shared cache.

A visitor's page is the same for every visitor: it is rendered once and stored (Redis in
production) next to the *generation* of its group. Every commit that changes what the group's
pages show — a topic, post, reaction, poll, vote, attachment, category, membership or the group
itself saved or deleted — moves that generation (``signals.py`` calls ``visitor_pages_changed``
after commit), so a stored page whose generation no longer matches is never served: nothing is
deleted by hand and a stale page cannot come back. The generation is a timestamp, so a counter
evicted from the cache never returns to an old value. Authors' display names live in other
apps: a renamed author shows on visitor pages after ``TIMEOUT`` at the latest.

Members' group pages use the same generation for what they share with every viewer
(``generation_memo``: the recent activity, the topic count).

One cache round trip per page (the generation and the page together). Only canonical URLs are
stored (known parameters, bounded values), so visitors cannot fill the cache with variants.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

TIMEOUT = 600
CACHED_PARAMS = ("page", "categorie", "etiquette")
_CANONICAL = {"page": re.compile(r"^\d{1,4}$"), "categorie": re.compile(r"^\d{1,9}$"), "etiquette": re.compile(r"^[\w-]{1,40}$")}


def _generation_key(group_id: int) -> str:
    return f"groups:visitor-generation:{group_id}"


def visitor_pages_expire(group_id: int) -> None:
    """Now, whatever the transaction: for rows written past the models' signals (``QuerySet.update`` in data fixes, tests)."""
    cache.set(_generation_key(group_id), time.time_ns(), timeout=None)


def visitor_pages_changed(group_id: int | None) -> None:
    """After the current transaction commits, every cached visitor page of the group is stale."""
    if group_id is None:
        return
    transaction.on_commit(lambda: visitor_pages_expire(group_id))


def _page_key(group_id: int, request) -> str | None:
    """The cache key of a visitor's page, or ``None`` when the URL is not a canonical one."""
    params = []
    for name, values in request.GET.lists():
        pattern = _CANONICAL.get(name)
        if pattern is None or len(values) != 1 or not pattern.match(values[0]):
            return None
        params.append((name, values[0]))
    digest = hashlib.blake2b(repr((request.path, sorted(params))).encode(), digest_size=16).hexdigest()
    return f"groups:visitor-page:{group_id}:{digest}"


def _generation(found: dict, generation_key: str):
    generation = found.get(generation_key)
    if generation is None:
        cache.add(generation_key, time.time_ns(), timeout=None)
        generation = cache.get(generation_key)
    return generation


def generation_memo(group_id: int, compute: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Values drawn from the group's own rows alone, the same for every viewer (its recent activity,
    how many topics a filter finds), computed at most once per generation of the group: read with
    the generation in one cache round trip, computed and stored when missing or older. The
    generation is read before the rows, so a value stored under it is never newer-looking than it is."""
    generation_key = _generation_key(group_id)
    keys = {name: f"groups:memo:{group_id}:{name}" for name in compute}
    found = cache.get_many([generation_key, *keys.values()])
    generation = _generation(found, generation_key)
    values, fresh = {}, {}
    for name, key in keys.items():
        stored = found.get(key)
        if stored is not None and generation is not None and stored[0] == generation:
            values[name] = stored[1]
        else:
            values[name] = compute[name]()
            if generation is not None:
                fresh[key] = (generation, values[name])
    if fresh:
        cache.set_many(fresh, timeout=TIMEOUT)
    return values


def _has_pending_messages(request) -> bool:
    """A one-off message (e.g. "you are logged out") must reach its reader, not the cache."""
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return session is not None and session.session_key is not None and "_messages" in session


def visitor_page(request, *, group_id: int, build) -> HttpResponse:
    """The visitor's page from the cache, else ``build()`` rendered and stored (200 only)."""
    key = None if _has_pending_messages(request) else _page_key(group_id, request)
    if key is None:
        return build()
    generation_key = _generation_key(group_id)
    found = cache.get_many([generation_key, key])
    generation = _generation(found, generation_key)
    stored = found.get(key)
    if stored is not None and generation is not None and stored[0] == generation:
        response = HttpResponse(stored[1], content_type="text/html; charset=utf-8")
        response["X-Visitor-Cache"] = "hit"
        return response
    response = build()
    if hasattr(response, "render"):
        response.render()
    if response.status_code == 200 and generation is not None and not response.cookies:
        cache.set(key, (generation, response.content), timeout=TIMEOUT)
    response["X-Visitor-Cache"] = "miss"
    return response
