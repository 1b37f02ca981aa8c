"""The place page's orientation panel (registered in ``apps.py``)."""

from . import selectors


def place_orientation(request, place):
    """On a published place's page, members can send someone there; managers see what waits."""
    if not request.user.is_authenticated or not place.is_published:
        return None
    is_manager = place.managers.filter(pk=request.user.pk).exists()
    return {"place": place, "is_manager": is_manager, "pending": selectors.referral_pending_count(place=place) if is_manager else 0}
