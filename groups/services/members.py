"""Managing a group's members: remove, ban, unban, change role (admins and moderators only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from community.models import User

from ..access import can_admin, can_moderate, membership_of
from ..models import (
    Group,
    Membership,
    MembershipStatus,
    Role,
)
from .journal import log_action
from .live import broadcast_access_change


def _managed_membership(*, group: Group, actor: User, user: User) -> Membership:
    if not can_admin(user=actor, group=group):
        raise PermissionDenied
    membership = membership_of(user=user, group=group)
    if membership is None:
        raise ValidationError(_("Cette personne n'est pas dans le groupe."))
    actor_ms = membership_of(user=actor, group=group)
    actor_is_owner = actor_ms is not None and actor_ms.is_active and actor_ms.role == Role.OWNER
    if membership.role == Role.OWNER and not actor_is_owner and not actor.is_hub_staff:
        raise PermissionDenied
    return membership


def member_remove(*, group: Group, actor: User, user: User) -> None:
    """Group admins remove a member (an owner only by an owner or staff); nobody leaves « Réseau » that way."""
    membership = _managed_membership(group=group, actor=actor, user=user)
    if group.is_network:
        raise ValidationError(_("On ne retire personne du groupe « Réseau » : bannissez si nécessaire."))
    with transaction.atomic():
        membership.delete()
        log_action(group=group, actor=actor, action="member_remove", target_user=user)
        transaction.on_commit(lambda: broadcast_access_change(group_id=group.pk, user_id=user.pk))


def member_ban(*, group: Group, actor: User, user: User, reason: str = "") -> Membership:
    """Moderators ban members (admins and owners only by an admin); nobody bans themselves."""
    if actor.pk == user.pk:
        raise ValidationError(_("Vous ne pouvez pas vous bannir vous-même."))
    if not can_moderate(user=actor, group=group):
        raise PermissionDenied
    target = membership_of(user=user, group=group)
    if target is not None and target.role in (Role.OWNER, Role.ADMIN) and not can_admin(user=actor, group=group):
        raise PermissionDenied
    with transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            group=group, user=user, defaults={"status": MembershipStatus.BANNED, "role": Role.MEMBER}
        )
        log_action(group=group, actor=actor, action="member_ban", target_user=user, details=reason)
        transaction.on_commit(lambda: broadcast_access_change(group_id=group.pk, user_id=user.pk))
    return membership


def member_unban(*, group: Group, actor: User, user: User) -> None:
    """Moderators lift a ban; the person may then join again like anyone."""
    if not can_moderate(user=actor, group=group):
        raise PermissionDenied
    with transaction.atomic():
        Membership.objects.filter(group=group, user=user, status=MembershipStatus.BANNED).delete()
        log_action(group=group, actor=actor, action="member_unban", target_user=user)


def member_set_role(*, group: Group, actor: User, user: User, role: str) -> Membership:
    """Group admins change roles; only an owner (or staff) makes owners; the last owner stays."""
    if role not in Role.values:
        raise ValidationError(_("Rôle inconnu."))
    membership = _managed_membership(group=group, actor=actor, user=user)
    actor_ms = membership_of(user=actor, group=group)
    if role == Role.OWNER and not ((actor_ms and actor_ms.role == Role.OWNER and actor_ms.is_active) or actor.is_hub_staff):
        raise PermissionDenied
    if not membership.is_active:
        raise ValidationError(_("Seul·es les membres actifs ont un rôle."))
    with transaction.atomic():
        others = Membership.objects.filter(group=group, role=Role.OWNER, status=MembershipStatus.ACTIVE).exclude(pk=membership.pk)
        if membership.role == Role.OWNER and role != Role.OWNER and not others.exists():
            raise ValidationError(_("Le groupe doit garder au moins un·e propriétaire."))
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        log_action(group=group, actor=actor, action="member_role", target_user=user, details=role)
    return membership
