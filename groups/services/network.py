"""The network-wide group "Réseau": every approved member belongs to it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import MemberStatus, Profile, User

from ..models import (
    AccessMode,
    Group,
    GroupInvitation,
    Membership,
    MembershipStatus,
)


def network_group_get() -> Group:
    """The network-wide group "Réseau" (created on first use)."""
    group = Group.objects.filter(is_network=True).first()
    if group is None:
        try:
            with transaction.atomic():
                group = Group.objects.create(
                    name="Réseau",
                    slug="reseau" if not Group.objects.filter(slug="reseau").exists() else "",
                    kind="affinity",
                    access=AccessMode.OPEN,
                    is_network=True,
                    description=_("Le groupe de tout le réseau : posez vos questions « Allo Réseau ? »."),
                )
        except IntegrityError:
            group = Group.objects.get(is_network=True)
    return group


def network_member_add(*, user: User) -> Membership:
    """Put a member in « Réseau » (idempotent)."""
    group = network_group_get()
    membership, _created = Membership.objects.get_or_create(group=group, user=user, defaults={"status": MembershipStatus.ACTIVE})
    return membership


def network_sync() -> int:
    """Add every approved member to "Réseau" (idempotent); returns how many were added."""
    group = network_group_get()
    have = Membership.objects.filter(group=group).values("user_id")
    missing = Profile.objects.filter(status=MemberStatus.APPROVED).exclude(user_id__in=have).values_list("user_id", flat=True)
    rows = [Membership(group=group, user_id=uid, status=MembershipStatus.ACTIVE) for uid in missing]
    Membership.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def on_member_approved(sender, profile, **kwargs) -> None:
    """Signal receiver: a newly approved member joins "Réseau" and gets their e-mail invitations."""
    user = profile.user
    with transaction.atomic():
        network_member_add(user=user)
        for invitation in GroupInvitation.objects.filter(email__iexact=user.email, used_at__isnull=True).select_related("group"):
            Membership.objects.get_or_create(
                group=invitation.group, user=user, defaults={"status": MembershipStatus.INVITED, "invited_by": invitation.invited_by}
            )
            invitation.used_at = timezone.now()
            invitation.save(update_fields=["used_at", "updated_at"])
