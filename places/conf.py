"""Settings of the places app, each overridable in Django settings or by environment variable.

* ``PLACES_TILE_URL`` (default OpenStreetMap's tile server): Leaflet tile URL template. The map
  needs the tile host in the Content-Security-Policy ``img-src``: set ``CSP_IMG_EXTRA`` (e.g.
  ``CSP_IMG_EXTRA=https://tile.openstreetmap.org``). Empty: no background map, markers only.
* ``PLACES_TILE_ATTRIBUTION``: attribution shown on the map.
* ``PLACES_CONFIRM_REMINDER_MONTHS`` (default 6): managers are asked to confirm their place's
  record when it has not been confirmed for this many months (again every as many months).
* ``PLACES_STALE_MONTHS`` (default 12): a place not confirmed for this long is flagged
  "à confirmer" on the list, the map and the freshness export.
"""

import os
from datetime import date

from django.conf import settings
from django.utils import timezone

DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = "© les contributeurs d'OpenStreetMap"


def tile_url() -> str:
    return getattr(settings, "PLACES_TILE_URL", os.environ.get("PLACES_TILE_URL", DEFAULT_TILE_URL))


def tile_attribution() -> str:
    return getattr(settings, "PLACES_TILE_ATTRIBUTION", os.environ.get("PLACES_TILE_ATTRIBUTION", DEFAULT_ATTRIBUTION))


def _months_setting(name: str, default: int) -> int:
    return int(getattr(settings, name, os.environ.get(name, default)))


def confirm_reminder_months() -> int:
    return _months_setting("PLACES_CONFIRM_REMINDER_MONTHS", 6)


def stale_months() -> int:
    return _months_setting("PLACES_STALE_MONTHS", 12)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def stale_before(today: date | None = None) -> date:
    """Records last confirmed before this day are stale."""
    return months_before(today or timezone.localdate(), stale_months())


def reminder_before(today: date | None = None) -> date:
    """Records last confirmed (or last reminded) before this day get a reminder."""
    return months_before(today or timezone.localdate(), confirm_reminder_months())
