"""Settings of the places app, each overridable in Django settings or by environment variable.

* ``PLACES_TILE_URL`` (default OpenStreetMap's tile server): Leaflet tile URL template. The map
  needs the tile host in the Content-Security-Policy ``img-src``: set ``CSP_IMG_EXTRA`` (e.g.
  ``CSP_IMG_EXTRA=https://tile.openstreetmap.org``). Empty: no background map, markers only.
* ``PLACES_TILE_ATTRIBUTION``: attribution shown on the map.
"""

import os

from django.conf import settings

DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = "© les contributeurs d'OpenStreetMap"


def tile_url() -> str:
    return getattr(settings, "PLACES_TILE_URL", os.environ.get("PLACES_TILE_URL", DEFAULT_TILE_URL))


def tile_attribution() -> str:
    return getattr(settings, "PLACES_TILE_ATTRIBUTION", os.environ.get("PLACES_TILE_ATTRIBUTION", DEFAULT_ATTRIBUTION))
