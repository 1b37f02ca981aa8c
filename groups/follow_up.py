"""Groups as origins of follow-up actions (``actions.origins``) and their audiences.

* audience ``"group:<id>"``: the groups a viewer may see (open and on-request groups for every
  approved member, secret ones for their members), by the same rule as the group pages;
* origins ``"groups.group"`` (actions decided in a group) and ``"groups.topic"`` (from a forum
  topic); both are listed on the group's board ``group:<id>``. Active members may add actions and
  own them; the group's admins may change any of them.
"""

from django.utils.translation import gettext_lazy as _

from actions.origins import Origin, origin_kind
from community.models import User

from .access import can_admin, can_post, groups_visible_to, membership_of, visible_group_ids
from .models import MembershipStatus, Topic


def group_audiences(viewer) -> set[str]:
    """Audience provider: ``"group:<id>"`` for every group the viewer may see (``groups_visible_to``)."""
    return {f"group:{pk}" for pk in visible_group_ids(viewer)}


def _group_origin(viewer, group, *, kind: str, origin_id: int, title: str, url: str) -> Origin:
    membership = membership_of(user=viewer, group=group)
    return Origin(
        kind=kind,
        id=origin_id,
        title=title,
        url=url,
        audience=f"group:{group.pk}",
        container=f"group:{group.pk}",
        container_title=group.name,
        can_add=can_post(user=viewer, group=group, membership=membership),
        can_manage=can_admin(user=viewer, group=group, membership=membership),
        candidates=User.objects.filter(group_memberships__group=group, group_memberships__status=MembershipStatus.ACTIVE, is_active=True),
    )


def group_origin(viewer, group_id: int) -> Origin | None:
    group = groups_visible_to(viewer).filter(pk=group_id).first()
    if group is None:
        return None
    return _group_origin(viewer, group, kind="groups.group", origin_id=group.pk, title=group.name, url=group.get_absolute_url())


def topic_origin(viewer, topic_id: int) -> Origin | None:
    topic = Topic.objects.filter(pk=topic_id, group__in=groups_visible_to(viewer)).select_related("group").first()
    if topic is None:
        return None
    return _group_origin(viewer, topic.group, kind="groups.topic", origin_id=topic.pk, title=topic.title, url=topic.get_absolute_url())


def register() -> None:
    origin_kind("groups.group", _("Groupe"), group_origin)
    origin_kind("groups.topic", _("Sujet du forum"), topic_origin)
