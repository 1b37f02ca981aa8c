"""Dashboard and profile panels (registered in ``apps.py``)."""

from . import selectors


def my_applications(request):
    if not request.user.is_authenticated:
        return None
    apps = list(selectors.application_list_for_manager(viewer=request.user)[:5])
    from places.models import Place

    manages = apps or Place.objects.filter(managers=request.user).exists()
    if not manages:
        return None
    return {"applications": apps}


def my_reviews(request):
    if not request.user.is_authenticated:
        return None
    reviews = list(selectors.review_list_for_reviewer(viewer=request.user)[:10])
    if not reviews:
        return None
    return {"reviews": reviews}


def profile_badges(request, profile):
    badges = list(selectors.badges_of(profile.user))
    if not badges:
        return None
    return {"badges": badges}
