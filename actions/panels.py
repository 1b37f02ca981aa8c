"""Panels shown on other apps' pages (registered in ``ActionsConfig.ready``)."""

from .origins import origin_resolve
from .selectors import BoardFilters, board_actions, my_actions


def dashboard_context(request):
    if not request.user.is_authenticated:
        return None
    actions = list(my_actions(viewer=request.user, filters=BoardFilters())[:5])
    if not actions:
        return None
    return {"actions": actions}


def group_context(request, group):
    """The group's open actions (its board is ``group:<id>``), when the viewer may see them."""
    container = f"group:{group.pk}"
    actions = board_actions(viewer=request.user, container=container, filters=BoardFilters())
    if actions is None:
        return None
    actions = list(actions[:5])
    origin = origin_resolve(viewer=request.user, kind="groups.group", origin_id=group.pk)
    can_add = bool(origin and origin.can_add)
    if not actions and not can_add:
        return None
    return {"actions": actions, "container": container, "can_add": can_add, "group": group}
