"""Renders kept in process memory, for markup that a few values fully decide."""

from collections.abc import Callable, Hashable

from django.conf import settings


class Kept:
    """Values built once per key and process, then reused: at most ``limit`` of them, the oldest
    dropped first when full (the kept cards of a directory or an agenda come and go as members
    search; dropping them all at once rebuilt every page's cards together). With ``DEBUG`` on
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
            while len(self.entries) >= self.limit:
                try:  # threads share the memo: another may have dropped it meanwhile
                    self.entries.pop(next(iter(self.entries)), None)
                except (StopIteration, RuntimeError):
                    break
            value = self.entries[key] = build()
        return value
