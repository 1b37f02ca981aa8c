"""Fetch-and-check helpers for places (stable API: the labels app relies on them).

* ``can_manage_place(user, place)``: the user may edit the place (one of its managers, or hub staff).
* ``place_get_for_viewer(viewer=, pk=)``: the place if the viewer may see it, else ``Http404``
  (a missing place and an unpublished one look the same to outsiders).
* ``place_get_for_manager(viewer=, pk=)``: 404 if hidden, 403 if visible but not editable.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Place


def can_manage_place(user, place: Place) -> bool:
    """One of the place's managers (active), or hub staff."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_hub_staff:
        return True
    return place.managers.filter(pk=user.pk).exists()


def can_see_place(user, place: Place) -> bool:
    """Published places for everyone; unpublished ones for their managers and staff."""
    return place.is_published or can_manage_place(user, place)


def place_get_for_viewer(*, viewer, pk) -> Place:
    """The place if the viewer may see it; 404 otherwise, as for a missing place."""
    try:
        place = Place.objects.get(pk=pk)
    except (Place.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_see_place(viewer, place):
        raise Http404
    return place


def place_get_for_manager(*, viewer, pk) -> Place:
    """The place if the viewer may edit it; 404 if hidden, 403 if visible but not editable."""
    place = place_get_for_viewer(viewer=viewer, pk=pk)
    if not can_manage_place(viewer, place):
        raise PermissionDenied
    return place
