"""Who may see a group: the single rule every view, feed, websocket and search uses.

* open and on-request groups are visible to approved members;
* a secret group exists only for its active members (and its pending invitees): for anyone
  else it is a 404, exactly like a group that does not exist;
* a visitor (not logged in) reads a *public* open group; any other open or on-request group sends
  them to log in (``MembersOnly``), a secret one is a 404.
"""

import json

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404

from common import queries
from common.access import MembersOnly
from common.queries import CompiledQuery
from community.models import is_approved_member

from .models import AccessMode, Group, Membership, MembershipStatus


def groups_visible_to(viewer) -> QuerySet[Group]:
    """Groups the viewer may know exist: every non-secret group for an approved member, secret ones only to their members and invitees."""
    if not is_approved_member(viewer):
        return Group.objects.none()
    return _groups_visible_to_member(viewer.pk)


def _groups_visible_to_member(user_id) -> QuerySet[Group]:
    """``groups_visible_to`` for an approved member known by id."""
    mine = Membership.objects.filter(group=OuterRef("pk"), user_id=user_id, status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED])
    return Group.objects.filter(Q(~Q(access=AccessMode.SECRET)) | Q(Exists(mine)))


def _active_members(ref: str) -> Coalesce:
    counted = Membership.objects.filter(group=OuterRef(ref), status=MembershipStatus.ACTIVE).values("group").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def group_get_for_visitor(*, slug: str) -> Group:
    """For a visitor: a public group; another existing non-secret group sends to log in (``MembersOnly``); else 404."""
    found = _GROUP_FOR_VISITOR.raw(Group, slug=slug)  # compiled once: the query was 2/3 of a cached visitor page's CPU
    if not found:
        raise Http404
    group = found[0]
    if not group.is_readable_by_visitors:
        raise MembersOnly
    return group


def _group_for_visitor(slug: str) -> QuerySet[Group]:
    return Group.objects.exclude(access=AccessMode.SECRET).filter(slug=slug).annotate(active_member_count=_active_members("pk"))


_GROUP_FOR_VISITOR = CompiledQuery(_group_for_visitor, slug=queries.TEXT)  # slugs are unique: one row at most


def group_get_for_viewer(*, viewer, slug: str) -> Group:
    """The group, or 404 if it does not exist or the viewer may not know it exists (visitors: ``group_get_for_visitor``)."""
    if not viewer.is_authenticated:
        return group_get_for_visitor(slug=slug)
    group = groups_visible_to(viewer).filter(slug=slug).first()
    if group is None:
        raise Http404
    return group


def group_and_membership_for_viewer(*, viewer, slug: str) -> tuple[Group, Membership | None]:
    """``group_get_for_viewer`` and ``membership_of`` together, with ``group.active_member_count``, in one query."""
    if not viewer.is_authenticated:
        return group_get_for_visitor(slug=slug), None
    if not is_approved_member(viewer):
        raise Http404
    found = _GROUP_AND_MEMBERSHIP.raw(Group, user_id=viewer.pk, slug=slug)  # compiled once: ~4 ms of CPU less a page
    if not found:
        raise Http404
    group = found[0]
    row = group.my_membership
    if not row:
        return group, None
    if isinstance(row, str):  # a backend without a JSON type hands the text over
        row = json.loads(row)
    membership = Membership(pk=row["id"], group=group, user=viewer, role=row["role"], status=row["status"], notify_default=row["notify"])
    membership._state.adding, membership._state.db = False, group._state.db
    return group, membership


def _group_and_membership(user_id, slug: str) -> QuerySet[Group]:
    mine = Membership.objects.filter(group=OuterRef("pk"), user_id=user_id)
    return (
        _groups_visible_to_member(user_id)
        .filter(slug=slug)
        .annotate(
            active_member_count=_active_members("pk"),
            my_membership=Subquery(mine.values_list(JSONObject(id="pk", role="role", status="status", notify="notify_default"))[:1]),
        )
    )


_GROUP_AND_MEMBERSHIP = CompiledQuery(_group_and_membership, user_id=queries.INT, slug=queries.TEXT)


def membership_of(*, user, group: Group) -> Membership | None:
    """The user's membership row in the group, whatever its status (``None`` for a visitor or an outsider)."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(group=group, user=user).first()


def is_active_member(*, user, group: Group) -> bool:
    """Whether the user is an active member of the group (requests, invitations and bans are not)."""
    return user.is_authenticated and Membership.objects.filter(group=group, user=user, status=MembershipStatus.ACTIVE).exists()


def group_ids_of(user) -> QuerySet:
    """Ids of the groups ``user`` actively belongs to (for ``__in`` filters)."""
    return Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE).values("group_id")


def visible_group_ids(viewer) -> list[int]:
    """The ids of ``groups_visible_to(viewer)``, by a query compiled once (the stream's audiences:
    every page of a member of the network asks, for some 400 groups)."""
    if not is_approved_member(viewer):
        return []
    return [pk for (pk,) in _VISIBLE_GROUP_IDS.rows(user_id=viewer.pk)]


def active_group_ids(user) -> list[int]:
    """The ids of ``group_ids_of(user)``, by a query compiled once."""
    if not user.is_authenticated:
        return []
    return [pk for (pk,) in _ACTIVE_GROUP_IDS.rows(user_id=user.pk)]


_VISIBLE_GROUP_IDS = CompiledQuery(lambda user_id: _groups_visible_to_member(user_id).values_list("pk"), user_id=queries.INT)
_ACTIVE_GROUP_IDS = CompiledQuery(lambda user_id: group_ids_of(user_id).values_list("group_id"), user_id=queries.INT)


# --- Roles inside a visible group -------------------------------------------------------------
def can_view_group(*, user, group: Group) -> bool:
    """Same rule as ``groups_visible_to``, for one group already loaded."""
    if not is_approved_member(user):
        return False
    if group.access != AccessMode.SECRET:
        return True
    return Membership.objects.filter(group=group, user=user, status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED]).exists()


def can_post(*, user, group: Group, membership: Membership | None = None) -> bool:
    """Only approved members with an active membership post, reply or react in a group."""
    membership = membership if membership is not None else membership_of(user=user, group=group)
    return is_approved_member(user) and membership is not None and membership.is_active


def can_moderate(*, user, group: Group, membership: Membership | None = None) -> bool:
    """Group owners, admins and moderators; hub staff too, except in secret groups they are not in."""
    membership = membership if membership is not None else membership_of(user=user, group=group)
    if membership is not None and membership.can_moderate:
        return True
    return bool(user.is_authenticated and user.is_hub_staff and group.access != AccessMode.SECRET)


def can_admin(*, user, group: Group, membership: Membership | None = None) -> bool:
    """Group owners and admins; hub staff too, except in secret groups they are not in."""
    membership = membership if membership is not None else membership_of(user=user, group=group)
    if membership is not None and membership.can_admin:
        return True
    return bool(user.is_authenticated and user.is_hub_staff and group.access != AccessMode.SECRET)


# --- Activity-stream audiences ------------------------------------------------------------------
def group_audience(group: Group) -> str:
    """The activity-stream audience of what happens in ``group``: every approved member for an
    open or on-request group, only the group's own people (``"group:<id>"``, given to them by
    ``follow_up.group_audiences``) for a secret one."""
    return f"group:{group.pk}" if group.access == AccessMode.SECRET else "members"
