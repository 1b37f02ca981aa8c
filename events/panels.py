"""Panels shown on other apps' pages (registered in ``EventsConfig.ready``)."""

from .selectors import can_admin_group_agenda, can_create_event, event_list_upcoming, registration_list_mine


def dashboard_context(request):
    if not request.user.is_authenticated:
        return None
    return {"registrations": list(registration_list_mine(user=request.user)[:5])}


def group_context(request, group):
    """The group's next events the viewer may see, and a button for those who may create one
    (nothing is shown when there is neither)."""
    events = event_list_upcoming(viewer=request.user, group=group, limit=5)
    may_create = can_create_event(request.user, organiser_group=group)
    if not events and not may_create:
        return None
    return {"events": events, "group": group, "may_create": may_create, "may_admin": can_admin_group_agenda(request.user, group)}
