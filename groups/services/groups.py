"""Groups and joining them: create, edit, join, leave, requests, invitations, notification defaults."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from common.uploads import clean_image
from community.models import User, is_approved_member
from community.notifications import notification_send
from community.outbox import email_enqueue
from community.selectors import user_get_by_email

from ..access import can_admin, can_post, can_view_group, membership_of
from ..models import (
    AccessMode,
    Category,
    Group,
    GroupInvitation,
    Membership,
    MembershipStatus,
    NotifyLevel,
    Role,
    TopicSubscription,
)
from .journal import log_action
from .live import broadcast_access_change, broadcast_member_change
from .stream import group_activity_narrow


def group_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    kind: str = "working",
    access: str = AccessMode.OPEN,
    avatar=None,
    categories: Iterable[str] = (),
    is_public: bool = False,
) -> Group:
    """Approved members create groups and become their owner; a group always has a category."""
    if not is_approved_member(actor):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au groupe.")})
    if access not in AccessMode.values:
        raise ValidationError({"access": _("Mode d'accès inconnu.")})
    _check_public(access=access, is_public=is_public)
    with transaction.atomic():
        group = Group(name=name, description=description, kind=kind, access=access, is_public=is_public, created_by=actor)
        if avatar:
            group.avatar = clean_image(avatar, max_side=512)
        group.save()
        Membership.objects.create(group=group, user=actor, role=Role.OWNER, status=MembershipStatus.ACTIVE)
        for order, cat in enumerate([c.strip() for c in categories if c.strip()] or [_("Général")]):
            Category.objects.get_or_create(group=group, name=cat[:80], defaults={"order": order})
    return group


def _check_public(*, access: str, is_public: bool) -> None:
    if is_public and access != AccessMode.OPEN:
        raise ValidationError({"is_public": _("Seul un groupe ouvert peut être lisible par les visiteurs.")})


def group_update(
    *,
    group: Group,
    actor: User,
    name: str,
    description: str,
    kind: str,
    access: str,
    avatar=None,
    categories: str | None = None,
    is_public: bool | None = None,
) -> Group:
    """Group admins edit the group; « Réseau » stays open; only an open group may be public; a group turned secret narrows its stream items."""
    if not can_admin(user=actor, group=group):
        raise PermissionDenied
    if group.is_network and access != AccessMode.OPEN:
        raise ValidationError({"access": _("Le groupe « Réseau » reste ouvert à tout le réseau.")})
    is_public = group.is_public and access == AccessMode.OPEN if is_public is None else is_public
    _check_public(access=access, is_public=is_public)
    turned_secret = access == AccessMode.SECRET and group.access != AccessMode.SECRET
    with transaction.atomic():
        group.name, group.description, group.kind, group.access = name.strip() or group.name, description, kind, access
        group.is_public = is_public
        if avatar:
            group.avatar = clean_image(avatar, max_side=512)
        group.save()
        if categories is not None:
            names = [c.strip()[:80] for c in categories.split(",") if c.strip()]
            for order, cat in enumerate(names):
                Category.objects.update_or_create(group=group, name=cat, defaults={"order": order})
            group.categories.exclude(name__in=names).delete()
        if turned_secret:
            group_activity_narrow(group=group)
        log_action(group=group, actor=actor, action="group_update", details=f"{name} ({access})")
    return group


def group_join(*, group: Group, actor: User) -> Membership:
    """Open: member at once. On request: a pending request. Secret: only an invitee accepting."""
    if not can_view_group(user=actor, group=group):
        raise PermissionDenied
    with transaction.atomic():
        membership = membership_of(user=actor, group=group)
        if membership is not None:
            if membership.status == MembershipStatus.BANNED:
                raise PermissionDenied(_("Vous avez été exclu·e de ce groupe."))
            if membership.status == MembershipStatus.INVITED:
                membership.status = MembershipStatus.ACTIVE
                membership.save(update_fields=["status", "updated_at"])
                transaction.on_commit(lambda: broadcast_member_change(group.pk))
            return membership
        if group.access == AccessMode.SECRET:
            raise PermissionDenied
        status = MembershipStatus.ACTIVE if group.access == AccessMode.OPEN else MembershipStatus.REQUESTED
        membership = Membership.objects.create(group=group, user=actor, status=status)
        if status == MembershipStatus.REQUESTED:
            _notify_admins_of_request(group=group, user=actor)
    return membership


def _notify_admins_of_request(*, group: Group, user: User) -> None:
    url = reverse("groups:requests", args=[group.slug])
    for admin in User.objects.filter(
        group_memberships__group=group,
        group_memberships__status=MembershipStatus.ACTIVE,
        group_memberships__role__in=[Role.OWNER, Role.ADMIN],
    ):
        notification_send(
            recipient=admin,
            kind="groups.membership",
            verb=_("%(name)s demande à rejoindre « %(group)s »") % {"name": user.public_name, "group": group.name},
            actor=user,
            url=url,
        )


def group_leave(*, group: Group, actor: User) -> None:
    """Members leave freely, except the last owner and anyone from « Réseau »; their subscriptions go too."""
    membership = membership_of(user=actor, group=group)
    if membership is None or membership.status == MembershipStatus.BANNED:
        return
    if group.is_network and membership.is_active:
        raise ValidationError(_("Tout le réseau fait partie du groupe « Réseau »."))
    with transaction.atomic():
        if membership.role == Role.OWNER and membership.is_active:
            others = Membership.objects.filter(group=group, role=Role.OWNER, status=MembershipStatus.ACTIVE).exclude(pk=membership.pk)
            if not others.exists():
                raise ValidationError(_("Vous êtes seul·e propriétaire : transmettez d'abord la propriété du groupe."))
        membership.delete()
        TopicSubscription.objects.filter(user=actor, topic__group=group).delete()
        transaction.on_commit(lambda: broadcast_access_change(group_id=group.pk, user_id=actor.pk))


def membership_request_decide(*, group: Group, actor: User, user: User, accept: bool) -> Membership | None:
    """Group admins accept or refuse a pending request; the requester is notified."""
    if not can_admin(user=actor, group=group):
        raise PermissionDenied
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(group=group, user=user, status=MembershipStatus.REQUESTED).first()
        if membership is None:
            raise ValidationError(_("Cette demande n'existe plus."))
        if accept:
            membership.status = MembershipStatus.ACTIVE
            membership.save(update_fields=["status", "updated_at"])
            verb = _("Votre demande pour rejoindre « %(group)s » est acceptée") % {"group": group.name}
            transaction.on_commit(lambda: broadcast_member_change(group.pk))
        else:
            membership.delete()
            membership = None
            verb = _("Votre demande pour rejoindre « %(group)s » n'a pas été retenue") % {"group": group.name}
        log_action(group=group, actor=actor, action="request_accept" if accept else "request_refuse", target_user=user)
        notification_send(recipient=user, kind="groups.membership", verb=verb, actor=actor, url=group.get_absolute_url())
    return membership


def group_invite(*, group: Group, actor: User, user: User | None = None, email: str = "") -> Membership | GroupInvitation:
    """Invite an existing member (picker) or an e-mail address. Group admins invite; in open and
    on-request groups any active member may invite too."""
    allowed = can_admin(user=actor, group=group) or (group.access != AccessMode.SECRET and can_post(user=actor, group=group))
    if not allowed:
        raise PermissionDenied
    email = (email or "").strip().lower()
    if user is None and email:
        user = user_get_by_email(email)
    with transaction.atomic():
        if user is not None:
            if not is_approved_member(user):
                raise ValidationError(_("Cette personne n'est pas (encore) membre du réseau."))
            membership = membership_of(user=user, group=group)
            if membership is not None:
                if membership.status == MembershipStatus.REQUESTED:
                    membership.status = MembershipStatus.ACTIVE
                    membership.save(update_fields=["status", "updated_at"])
                    return membership
                raise ValidationError(_("Cette personne est déjà dans le groupe ou invitée."))
            membership = Membership.objects.create(group=group, user=user, status=MembershipStatus.INVITED, invited_by=actor)
            notification_send(
                recipient=user,
                kind="groups.membership",
                verb=_("%(name)s vous invite dans le groupe « %(group)s »") % {"name": actor.public_name, "group": group.name},
                actor=actor,
                url=group.get_absolute_url(),
            )
            return membership
        if not email or "@" not in email:
            raise ValidationError(_("Choisissez un membre ou saisissez une adresse e-mail valide."))
        invitation, created = GroupInvitation.objects.get_or_create(group=group, email=email, defaults={"invited_by": actor})
        if created:
            email_enqueue(
                to_email=email,
                subject=_("Invitation à rejoindre le réseau Maillage"),
                template="emails/groups/invitation",
                # The group's name is not in the e-mail: a secret group stays secret until they join.
                context={"inviter": actor.public_name, "is_secret": group.is_secret, "group_name": "" if group.is_secret else group.name},
                kind="groups.membership",
                dedupe_key=f"group-invite:{group.pk}:{email}",
            )
        return invitation


def membership_set_notify_default(*, group: Group, actor: User, level: str) -> None:
    """An active member chooses the default notification level for the group's topics."""
    if level not in NotifyLevel.values:
        raise ValidationError(_("Niveau de notification inconnu."))
    Membership.objects.filter(group=group, user=actor, status=MembershipStatus.ACTIVE).update(notify_default=level)
