"""Who may see a group: the single rule every view, feed, websocket and search uses.

* open and on-request groups are visible to approved members;
* a secret group exists only for its active members (and its pending invitees): for anyone
  else it is a 404, exactly like a group that does not exist.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from community.models import is_approved_member

from .models import AccessMode, Group, Membership, MembershipStatus


def groups_visible_to(viewer) -> QuerySet[Group]:
    if not is_approved_member(viewer):
        return Group.objects.none()
    mine = Membership.objects.filter(
        group=OuterRef("pk"), user=viewer, status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED]
    )
    return Group.objects.filter(Q(~Q(access=AccessMode.SECRET)) | Q(Exists(mine)))


def group_get_for_viewer(*, viewer, slug: str) -> Group:
    """The group, or 404 if it does not exist or the viewer may not know it exists."""
    group = groups_visible_to(viewer).filter(slug=slug).first()
    if group is None:
        raise Http404
    return group


def membership_of(*, user, group: Group) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(group=group, user=user).first()


def is_active_member(*, user, group: Group) -> bool:
    return user.is_authenticated and Membership.objects.filter(group=group, user=user, status=MembershipStatus.ACTIVE).exists()


def group_ids_of(user) -> QuerySet:
    """Ids of the groups ``user`` actively belongs to (for ``__in`` filters)."""
    return Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values("group_id")
