"""Who sees and who changes an action.

* seeing follows the origin: an action is visible to whoever has its audience (the same
  ``registry.audiences_for`` the activity stream uses); anyone else gets a 404;
* changing it (status, description, owners, due date): its owners, its author, and whoever may
  manage its origin (e.g. the group's admins); others who see it get a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from common.registry import registry
from community.models import is_approved_member

from .models import Action
from .origins import origin_resolve


def viewer_audiences(viewer) -> list[str]:
    if not is_approved_member(viewer):
        return []
    return sorted(registry.audiences_for(viewer))


def actions_visible_to(viewer, audiences: list[str] | None = None) -> QuerySet[Action]:
    audiences = viewer_audiences(viewer) if audiences is None else audiences
    if not audiences:
        return Action.objects.none()
    return Action.objects.filter(audience__any_of=frozenset(audiences))


def action_get_for_viewer(*, viewer, pk: int) -> Action:
    action = actions_visible_to(viewer).filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


def can_change(*, user, action: Action, owner_ids=None) -> bool:
    if not user.is_authenticated:
        return False
    owner_ids = owner_ids if owner_ids is not None else set(action.owners.values_list("pk", flat=True))
    if user.pk in owner_ids or user.pk == action.created_by_id:
        return True
    origin = origin_resolve(viewer=user, kind=action.origin_kind, origin_id=action.origin_id)
    return bool(origin and origin.can_manage)


def ensure_can_change(*, user, action: Action) -> None:
    if not can_change(user=user, action=action):
        raise PermissionDenied
