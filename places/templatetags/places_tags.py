"""Template filters of the places pages: multi-valued schema columns, typologies, phone numbers, hours."""

from datetime import time

from django import template
from django.templatetags.static import static
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from places.phones import phone_display
from places.schema import TYPOLOGIES, split_values

register = template.Library()


@register.filter
def pipe_values(value: str) -> list[str]:
    """``"a|b"`` → ``["a", "b"]`` (multi-valued schema columns)."""
    return split_values(value)


@register.filter
def pipe_join(value: str, separator: str = ", ") -> str:
    return separator.join(split_values(value))


@register.filter
def typology_labels(value: str) -> list[str]:
    return [str(TYPOLOGIES.get(code, code)) for code in split_values(value)]


@register.filter
def phone(value: str) -> str:
    """A stored number as people dial it from France (``03 80 12 89 73``)."""
    return phone_display(value)


@register.filter
def hour(value: time) -> str:
    """``9 h``, ``17 h 30``, ``24 h`` (French way of writing opening hours)."""
    if value == time.max:
        return _("%(hours)s h") % {"hours": 24}
    if value.minute:
        return _("%(hours)s h %(minutes)02d") % {"hours": value.hour, "minutes": value.minute}
    return _("%(hours)s h") % {"hours": value.hour}


@register.simple_tag
def map_assets(cluster: bool = False) -> str:
    """The ``data-*`` attributes naming Leaflet's files (and the cluster plugin's) for a
    ``[data-places-map]`` element: static/js/places_map.js fetches them when the map nears the screen."""
    attrs = [("data-leaflet-js", static("leaflet/leaflet.js")), ("data-leaflet-css", static("leaflet/leaflet.css"))]
    if cluster:
        sheets = " ".join(static(f"vendor/leaflet.markercluster/{name}") for name in ("MarkerCluster.css", "MarkerCluster.Default.css"))
        attrs += [("data-cluster-js", static("vendor/leaflet.markercluster/leaflet.markercluster.js")), ("data-cluster-css", sheets)]
    return format_html_join(" ", '{}="{}"', attrs)
