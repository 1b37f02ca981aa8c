"""Every write of the groups app: groups, memberships, forum, moderation.

Each service validates, saves in one transaction and schedules its side effects (live
broadcasts, notifications) with ``transaction.on_commit``: a failure half-way changes nothing
and no browser hears about a post that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.live import broadcast
from common.uploads import clean_image, clean_pdf, safe_filename
from community.models import MemberStatus, Profile, User, is_approved_member

from .access import can_admin, can_moderate, can_post, can_view_group, membership_of
from .models import (
    AccessMode,
    Attachment,
    AttachmentKind,
    Category,
    Group,
    GroupInvitation,
    Membership,
    MembershipStatus,
    ModerationLog,
    NotifyLevel,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    Report,
    ReportStatus,
    Role,
    Topic,
    TopicRead,
    TopicSubscription,
)
from .tasks import post_notify_task

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 5
MAX_BODY = 20_000


# --- Live broadcasts --------------------------------------------------------------------------
def topic_channel(topic_id: int) -> str:
    return f"topic_{topic_id}"


def group_channel(group_id: int) -> str:
    return f"group_{group_id}"


def broadcast_post(post_id: int, action: str) -> None:
    """Render the post once (viewer-neutral fragment) and send it to every open topic page."""
    from .rendering import render_post_fragment

    post = Post.objects.select_related("topic__group", "author__profile", "quoted__author__profile").filter(pk=post_id).first()
    if post is None:
        return
    broadcast(topic_channel(post.topic_id), {"type": "forum.post", "action": action, "post_id": post.pk, "html": render_post_fragment(post)})


def broadcast_topic(topic_id: int) -> None:
    from .rendering import render_topic_row

    topic = Topic.objects.select_related("group", "author__profile", "category").filter(pk=topic_id, is_hidden=False).first()
    if topic is None:
        return
    broadcast(group_channel(topic.group_id), {"type": "forum.topic", "topic_id": topic.pk, "html": render_topic_row(topic)})


def _log(*, group: Group, actor: User, action: str, topic=None, post=None, target_user=None, details: str = "") -> None:
    ModerationLog.objects.create(
        group=group, actor=actor, action=action, topic=topic, post=post, target_user=target_user, details=details[:255]
    )


# --- Groups -----------------------------------------------------------------------------------
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


def group_create(
    *,
    creator: User,
    name: str,
    description: str = "",
    kind: str = "working",
    access: str = AccessMode.OPEN,
    avatar=None,
    categories: Iterable[str] = (),
) -> Group:
    if not is_approved_member(creator):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au groupe.")})
    if access not in AccessMode.values:
        raise ValidationError({"access": _("Mode d'accès inconnu.")})
    with transaction.atomic():
        group = Group(name=name, description=description, kind=kind, access=access, created_by=creator)
        if avatar:
            group.avatar = clean_image(avatar, max_side=512)
        group.save()
        Membership.objects.create(group=group, user=creator, role=Role.OWNER, status=MembershipStatus.ACTIVE)
        for order, cat in enumerate([c.strip() for c in categories if c.strip()] or [_("Général")]):
            Category.objects.get_or_create(group=group, name=cat[:80], defaults={"order": order})
    return group


def group_update(
    *, group: Group, actor: User, name: str, description: str, kind: str, access: str, avatar=None, categories: str | None = None
) -> Group:
    if not can_admin(user=actor, group=group):
        raise PermissionDenied
    if group.is_network and access != AccessMode.OPEN:
        raise ValidationError({"access": _("Le groupe « Réseau » reste ouvert à tout le réseau.")})
    with transaction.atomic():
        group.name, group.description, group.kind, group.access = name.strip() or group.name, description, kind, access
        if avatar:
            group.avatar = clean_image(avatar, max_side=512)
        group.save()
        if categories is not None:
            names = [c.strip()[:80] for c in categories.split(",") if c.strip()]
            for order, cat in enumerate(names):
                Category.objects.update_or_create(group=group, name=cat, defaults={"order": order})
            group.categories.exclude(name__in=names).delete()
        _log(group=group, actor=actor, action="group_update", details=f"{name} ({access})")
    return group


def group_join(*, group: Group, user: User) -> Membership:
    """Open: member at once. On request: a pending request. Secret: only an invitee accepting."""
    if not can_view_group(user=user, group=group):
        raise PermissionDenied
    with transaction.atomic():
        membership = membership_of(user=user, group=group)
        if membership is not None:
            if membership.status == MembershipStatus.BANNED:
                raise PermissionDenied(_("Vous avez été exclu·e de ce groupe."))
            if membership.status == MembershipStatus.INVITED:
                membership.status = MembershipStatus.ACTIVE
                membership.save(update_fields=["status", "updated_at"])
                transaction.on_commit(lambda: _broadcast_member(group.pk))
            return membership
        if group.access == AccessMode.SECRET:
            raise PermissionDenied
        status = MembershipStatus.ACTIVE if group.access == AccessMode.OPEN else MembershipStatus.REQUESTED
        membership = Membership.objects.create(group=group, user=user, status=status)
        if status == MembershipStatus.REQUESTED:
            _notify_admins_of_request(group=group, user=user)
    return membership


def _broadcast_member(group_id: int) -> None:
    broadcast(group_channel(group_id), {"type": "forum.activity"})


def _notify_admins_of_request(*, group: Group, user: User) -> None:
    from django.urls import reverse

    from community.notifications import notification_send

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


def group_leave(*, group: Group, user: User) -> None:
    membership = membership_of(user=user, group=group)
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
        TopicSubscription.objects.filter(user=user, topic__group=group).delete()


def membership_request_decide(*, group: Group, actor: User, user: User, accept: bool) -> Membership | None:
    from community.notifications import notification_send

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
            transaction.on_commit(lambda: _broadcast_member(group.pk))
        else:
            membership.delete()
            membership = None
            verb = _("Votre demande pour rejoindre « %(group)s » n'a pas été retenue") % {"group": group.name}
        _log(group=group, actor=actor, action="request_accept" if accept else "request_refuse", target_user=user)
        notification_send(recipient=user, kind="groups.membership", verb=verb, actor=actor, url=group.get_absolute_url())
    return membership


def group_invite(*, group: Group, actor: User, user: User | None = None, email: str = "") -> Membership | GroupInvitation:
    """Invite an existing member (picker) or an e-mail address. Group admins invite; in open and
    on-request groups any active member may invite too."""
    from community.notifications import notification_send
    from community.outbox import email_enqueue

    allowed = can_admin(user=actor, group=group) or (group.access != AccessMode.SECRET and can_post(user=actor, group=group))
    if not allowed:
        raise PermissionDenied
    email = (email or "").strip().lower()
    if user is None and email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
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
    membership = _managed_membership(group=group, actor=actor, user=user)
    if group.is_network:
        raise ValidationError(_("On ne retire personne du groupe « Réseau » : bannissez si nécessaire."))
    with transaction.atomic():
        membership.delete()
        _log(group=group, actor=actor, action="member_remove", target_user=user)


def member_ban(*, group: Group, actor: User, user: User, reason: str = "") -> Membership:
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
        _log(group=group, actor=actor, action="member_ban", target_user=user, details=reason)
    return membership


def member_unban(*, group: Group, actor: User, user: User) -> None:
    if not can_moderate(user=actor, group=group):
        raise PermissionDenied
    with transaction.atomic():
        Membership.objects.filter(group=group, user=user, status=MembershipStatus.BANNED).delete()
        _log(group=group, actor=actor, action="member_unban", target_user=user)


def member_set_role(*, group: Group, actor: User, user: User, role: str) -> Membership:
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
        _log(group=group, actor=actor, action="member_role", target_user=user, details=role)
    return membership


def membership_set_notify_default(*, group: Group, user: User, level: str) -> None:
    if level not in NotifyLevel.values:
        raise ValidationError(_("Niveau de notification inconnu."))
    Membership.objects.filter(group=group, user=user, status=MembershipStatus.ACTIVE).update(notify_default=level)


# --- Forum ------------------------------------------------------------------------------------
def _clean_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    out = []
    for tag in tags or ():
        tag = slugify(str(tag))[:40]
        if tag and tag not in out:
            out.append(tag)
    return out[:8]


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Le message est vide.")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("Le message est trop long (%(n)s caractères au maximum).") % {"n": MAX_BODY}})
    return body


def _attach(*, post: Post, files) -> None:
    files = list(files or ())
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("%(n)s pièces jointes au maximum.") % {"n": MAX_ATTACHMENTS}})
    for upload in files:
        original = safe_filename(upload.name)
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head.startswith(b"%PDF-"):
            clean, kind = clean_pdf(upload), AttachmentKind.PDF
        else:
            try:
                clean, kind = clean_image(upload, max_side=1600), AttachmentKind.IMAGE
            except ValidationError as exc:
                raise ValidationError(
                    {
                        "attachments": _("« %(name)s » : seules les images (JPEG, PNG, WebP, GIF) et les PDF sont acceptés.")
                        % {"name": original}
                    }
                ) from exc
        att = Attachment(post=post, kind=kind, original_name=original, size=clean.size or 0)
        att.file.save(clean.name, clean, save=False)
        att.save()


def topic_create(*, group: Group, author: User, title: str, body: str, category: Category | None = None, tags=(), attachments=()) -> Topic:
    """Start a topic with its first post. Raises ``PermissionDenied`` unless the author is an
    active member of the group (callers such as funding's "share to a group" rely on it)."""
    if not can_post(user=author, group=group):
        raise PermissionDenied(_("Vous devez être membre du groupe pour y publier."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Donnez un titre au sujet.")})
    if category is not None and category.group_id != group.pk:
        raise ValidationError({"category": _("Catégorie inconnue dans ce groupe.")})
    with transaction.atomic():
        topic = Topic.objects.create(group=group, author=author, title=title[:200], category=category, tags=_clean_tags(tags))
        post = _post_insert(topic=topic, author=author, body=body, attachments=attachments)
        TopicSubscription.objects.update_or_create(user=author, topic=topic, defaults={"level": NotifyLevel.WATCHING})
        transaction.on_commit(lambda: broadcast_topic(topic.pk))
        transaction.on_commit(lambda: _enqueue_notify(post.pk))
    return topic


def _post_insert(*, topic: Topic, author: User, body: str, quoted: Post | None = None, attachments=()) -> Post:
    body = _clean_body(body)
    post = Post.objects.create(topic=topic, author=author, body=body, quoted=quoted)
    _attach(post=post, files=attachments)
    Topic.objects.filter(pk=topic.pk).update(post_count=F("post_count") + 1, last_post_at=post.created_at, last_post_id_cache=post.pk)
    TopicRead.objects.update_or_create(user=author, topic=topic, defaults={"last_read_post_id": post.pk})
    return post


def post_create(*, topic: Topic, author: User, body: str, quoted: Post | None = None, attachments=()) -> Post:
    group = topic.group
    if not can_post(user=author, group=group):
        raise PermissionDenied(_("Vous devez être membre du groupe pour répondre."))
    if topic.is_locked and not can_moderate(user=author, group=group):
        raise PermissionDenied(_("Ce sujet est verrouillé."))
    if topic.is_hidden and not can_moderate(user=author, group=group):
        raise PermissionDenied
    if quoted is not None and quoted.topic_id != topic.pk:
        quoted = None
    with transaction.atomic():
        post = _post_insert(topic=topic, author=author, body=body, quoted=quoted, attachments=attachments)
        transaction.on_commit(lambda: broadcast_post(post.pk, "new"))
        transaction.on_commit(lambda: _enqueue_notify(post.pk))
    return post


def _enqueue_notify(post_id: int) -> None:
    try:
        post_notify_task.enqueue(post_id)
    except Exception:
        logger.warning("could not enqueue notifications for post %s", post_id, exc_info=True)


def post_edit(*, post: Post, editor: User, body: str) -> Post:
    """Authors edit their posts (while the topic is open); moderators may edit any. The previous
    text is kept as a revision, visible to moderators."""
    group = post.topic.group
    moderator = can_moderate(user=editor, group=group)
    if post.is_deleted or not (
        moderator or (post.author_id == editor.pk and can_post(user=editor, group=group) and not post.topic.is_locked)
    ):
        raise PermissionDenied
    body = _clean_body(body)
    if body == post.body:
        return post
    with transaction.atomic():
        PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
        post.body, post.edited_at = body, timezone.now()
        post.save(update_fields=["body", "edited_at", "updated_at"])
        if moderator and post.author_id != editor.pk:
            _log(group=group, actor=editor, action="post_edit", topic=post.topic, post=post)
        transaction.on_commit(lambda: broadcast_post(post.pk, "edit"))
    return post


def post_delete(*, post: Post, actor: User) -> Post:
    """Soft delete: the post keeps its place (permalinks stay stable) and shows "supprimé"."""
    group = post.topic.group
    moderator = can_moderate(user=actor, group=group)
    if not (moderator or post.author_id == actor.pk):
        raise PermissionDenied
    with transaction.atomic():
        post.is_deleted = True
        post.save(update_fields=["is_deleted", "updated_at"])
        if post.author_id != actor.pk:
            _log(group=group, actor=actor, action="post_delete", topic=post.topic, post=post)
        transaction.on_commit(lambda: broadcast_post(post.pk, "delete"))
    return post


def post_hide(*, post: Post, actor: User, hidden: bool = True) -> Post:
    group = post.topic.group
    if not can_moderate(user=actor, group=group):
        raise PermissionDenied
    with transaction.atomic():
        post.is_hidden = hidden
        post.save(update_fields=["is_hidden", "updated_at"])
        _log(group=group, actor=actor, action="post_hide" if hidden else "post_restore", topic=post.topic, post=post)
        transaction.on_commit(lambda: broadcast_post(post.pk, "edit"))
    return post


def reaction_toggle(*, post: Post, user: User, kind: str) -> bool:
    """Add the reaction, or remove it if already there; returns whether it is now present."""
    if kind not in ReactionKind.values:
        raise ValidationError(_("Réaction inconnue."))
    if not can_post(user=user, group=post.topic.group) or post.is_deleted:
        raise PermissionDenied
    with transaction.atomic():
        deleted, _x = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
        if not deleted:
            Reaction.objects.create(post=post, user=user, kind=kind)
        transaction.on_commit(lambda: broadcast_post(post.pk, "edit"))
    return not deleted


def topic_mark_read(*, topic: Topic, user: User, post_id: int) -> None:
    """Move the member's read marker forward (never backward).

    Every topic page view may write here, so the commit does not wait for PostgreSQL to flush
    its log to disk (``synchronous_commit = off`` for this transaction only): a crash can lose
    the last fraction of a second of read markers — a topic shown as unread again — never
    anything else, and the database stays consistent.
    """
    if not user.is_authenticated:
        return
    # Only in a transaction of its own: inside a caller's, SET LOCAL would relax the caller's writes too.
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        updated = TopicRead.objects.filter(user=user, topic=topic, last_read_post_id__lt=post_id).update(last_read_post_id=post_id)
        if not updated and not TopicRead.objects.filter(user=user, topic=topic).exists():
            try:
                with transaction.atomic():
                    TopicRead.objects.create(user=user, topic=topic, last_read_post_id=post_id)
            except IntegrityError:
                TopicRead.objects.filter(user=user, topic=topic, last_read_post_id__lt=post_id).update(last_read_post_id=post_id)


def topic_set_level(*, topic: Topic, user: User, level: str) -> TopicSubscription:
    if level not in NotifyLevel.values:
        raise ValidationError(_("Niveau de notification inconnu."))
    if not can_post(user=user, group=topic.group):
        raise PermissionDenied
    sub, _created = TopicSubscription.objects.update_or_create(user=user, topic=topic, defaults={"level": level})
    return sub


def topic_moderate(*, topic: Topic, actor: User, action: str) -> Topic:
    fields = {
        "pin": ("is_pinned", True),
        "unpin": ("is_pinned", False),
        "lock": ("is_locked", True),
        "unlock": ("is_locked", False),
        "hide": ("is_hidden", True),
        "restore": ("is_hidden", False),
    }
    if action not in fields:
        raise ValidationError(_("Action inconnue."))
    if not can_moderate(user=actor, group=topic.group):
        raise PermissionDenied
    field, value = fields[action]
    with transaction.atomic():
        setattr(topic, field, value)
        topic.save(update_fields=[field, "updated_at"])
        _log(group=topic.group, actor=actor, action=f"topic_{action}", topic=topic, details=topic.title)
    return topic


def topic_update(*, topic: Topic, actor: User, title: str, category: Category | None, tags) -> Topic:
    if not (can_moderate(user=actor, group=topic.group) or (topic.author_id == actor.pk and can_post(user=actor, group=topic.group))):
        raise PermissionDenied
    if category is not None and category.group_id != topic.group_id:
        raise ValidationError({"category": _("Catégorie inconnue dans ce groupe.")})
    topic.title, topic.category, topic.tags = (title or topic.title).strip()[:200], category, _clean_tags(tags)
    topic.save(update_fields=["title", "category", "tags", "updated_at"])
    return topic


def topic_move(*, topic: Topic, actor: User, target: Group) -> Topic:
    """Move a topic: moderator of the source group, and allowed to post in the target group."""
    source = topic.group
    if not can_moderate(user=actor, group=source):
        raise PermissionDenied
    if target.pk == source.pk:
        return topic
    if not (can_moderate(user=actor, group=target) or can_post(user=actor, group=target)):
        raise PermissionDenied
    with transaction.atomic():
        topic.group, topic.category = target, None
        topic.save(update_fields=["group", "category", "updated_at"])
        details = f"{source.slug} → {target.slug}"
        _log(group=source, actor=actor, action="topic_move", topic=topic, details=details)
        _log(group=target, actor=actor, action="topic_move", topic=topic, details=details)
    return topic


def post_report(*, post: Post, reporter: User, reason: str) -> Report:
    if not can_view_group(user=reporter, group=post.topic.group):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationError({"reason": _("Expliquez en quelques mots ce qui pose problème.")})
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            post=post, reporter=reporter, status=ReportStatus.OPEN, defaults={"reason": reason[:2000]}
        )
        if created:
            from django.urls import reverse

            from community.notifications import notification_send

            group = post.topic.group
            url = reverse("groups:moderation", args=[group.slug])
            mods = User.objects.filter(
                group_memberships__group=group,
                group_memberships__status=MembershipStatus.ACTIVE,
                group_memberships__role__in=[Role.OWNER, Role.ADMIN, Role.MODERATOR],
            ).exclude(pk=reporter.pk)
            for mod in mods:
                notification_send(
                    recipient=mod,
                    kind="groups.moderation",
                    verb=_("Un message a été signalé dans « %(group)s »") % {"group": group.name},
                    url=url,
                )
    return report


def report_decide(*, report: Report, actor: User, status: str, hide: bool = False) -> Report:
    if status not in (ReportStatus.RESOLVED, ReportStatus.DISMISSED):
        raise ValidationError(_("Décision inconnue."))
    group = report.post.topic.group
    if not can_moderate(user=actor, group=group):
        raise PermissionDenied
    with transaction.atomic():
        report.status, report.handled_by = status, actor
        report.save(update_fields=["status", "handled_by", "updated_at"])
        if hide:
            post_hide(post=report.post, actor=actor, hidden=True)
        _log(group=group, actor=actor, action=f"report_{status}", post=report.post, topic=report.post.topic, details=report.reason[:200])
    return report
