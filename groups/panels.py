"""Panels this app adds to the dashboard and to profiles (see ``common.registry``)."""

from community.models import is_approved_member

from . import selectors


def dashboard_context(request):
    if not is_approved_member(request.user):
        return None
    return {"groups": selectors.my_groups(user=request.user), "topics": selectors.latest_topics_for(user=request.user)}


def profile_context(request, profile):
    if not is_approved_member(request.user):
        return None
    posts = selectors.profile_activity(viewer=request.user, user=profile.user)
    if not posts:
        return None
    return {"posts": posts, "member": profile.user}
