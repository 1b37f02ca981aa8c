"""Renders kept in process memory, for markup that a few values fully decide."""

from collections.abc import Callable, Hashable

from django.conf import settings


class Kept:
    """Values built once per key and process, then reused: at most ``limit`` of them (all dropped
    when full: the keys are few by design, the bound guards against a mistake). With ``DEBUG`` on
    (templates reloaded while editing) nothing is kept and every call builds afresh."""

    def __init__(self, limit: int):
        self.limit = limit
        self.entries: dict[Hashable, object] = {}

    def get(self, key: Hashable | None, build: Callable[[], object]):
        """The value kept for ``key``, else ``build()`` kept; ``key=None`` builds without keeping."""
        if key is None or settings.DEBUG:
            return build()
        value = self.entries.get(key)
        if value is None:
            if len(self.entries) >= self.limit:
                self.entries.clear()
            value = self.entries[key] = build()
        return value
