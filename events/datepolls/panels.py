"""The group page's date-poll panel (registered in ``register``)."""

from groups.access import can_post

from .selectors import group_polls


def group_context(request, group):
    """Open polls of the group for its members, and the link to start one."""
    if not can_post(user=request.user, group=group):
        return None
    return {"polls": group_polls(group=group), "group": group}
