"""Panels shown on other apps' pages (registered in ``EventsConfig.ready``)."""

from .selectors import event_list_upcoming, registration_list_mine


def dashboard_context(request):
    if not request.user.is_authenticated:
        return None
    return {"registrations": list(registration_list_mine(user=request.user)[:5])}


def group_context(request, group):
    """The group's next events the viewer may see (nothing is shown when there are none)."""
    events = event_list_upcoming(viewer=request.user, group=group, limit=5)
    if not events:
        return None
    return {"events": events, "group": group}
