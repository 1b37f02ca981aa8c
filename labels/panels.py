"""Dashboard and profile panels (registered in ``apps.py``)."""

from places.selectors import place_list_managed_by

from . import selectors


def my_applications(request):
    """The member's label applications, shown to those who manage a place or applied."""
    if not request.user.is_authenticated:
        return None
    apps = selectors.application_list_for_panel(viewer=request.user)
    manages = apps or place_list_managed_by(user=request.user).exists()
    if not manages:
        return None
    return {"applications": apps}


def my_reviews(request):
    """Evaluations waiting for the member, when they review applications."""
    if not request.user.is_authenticated:
        return None
    reviews = selectors.review_list_for_panel(viewer=request.user)
    if not reviews:
        return None
    return {"reviews": reviews}


def profile_badges(request, profile):
    """A member's competence badges, on their profile."""
    badges = list(selectors.badges_of(profile.user))
    if not badges:
        return None
    return {"badges": badges}
