"""Places pages: thin views over ``selectors`` and ``services``."""

from django.template.response import TemplateResponse

from .access import can_manage_place, place_get_for_viewer


def place_detail(request, pk):
    """A place's page; unpublished places are shown to their managers and staff only (404 otherwise)."""
    place = place_get_for_viewer(viewer=request.user, pk=pk)
    return TemplateResponse(request, "places/place_detail.html", {"place": place, "can_manage": can_manage_place(request.user, place)})
