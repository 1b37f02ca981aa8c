"""Dashboard panel of the places app (registered in ``apps.py``)."""

from .selectors import place_list_managed_by


def my_places(request):
    """ "Mes lieux" on the dashboard, only for members who manage a place (one query)."""
    places = list(place_list_managed_by(user=request.user)[:5])
    return {"places": places} if places else None
