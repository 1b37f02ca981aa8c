"""Moderation: hide posts and topics, pin, lock, move, reports and their decisions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from community.models import User
from community.notifications import notification_send

from ..access import can_moderate, can_post, can_view_group
from ..models import (
    Group,
    MembershipStatus,
    Post,
    Report,
    ReportStatus,
    Role,
    Topic,
)
from ..visitor_cache import visitor_pages_changed
from .journal import log_action
from .live import broadcast_post
from .stream import post_activity_withdraw, topic_activity_rescope, topic_activity_withdraw


def post_hide(*, post: Post, actor: User, hidden: bool = True) -> Post:
    """Moderators hide or restore a post; a hidden post leaves the activity stream."""
    group = post.topic.group
    if not can_moderate(user=actor, group=group):
        raise PermissionDenied
    with transaction.atomic():
        post.is_hidden = hidden
        post.save(update_fields=["is_hidden", "updated_at"])
        if hidden:
            post_activity_withdraw(post=post)
        log_action(group=group, actor=actor, action="post_hide" if hidden else "post_restore", topic=post.topic, post=post)
        transaction.on_commit(lambda: broadcast_post(post.pk, "edit"))
    return post


def topic_moderate(*, topic: Topic, actor: User, action: str) -> Topic:
    """Moderators pin, lock, hide or restore a topic; a hidden topic leaves the activity stream."""
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
        if action == "hide":
            topic_activity_withdraw(topic=topic)
        log_action(group=topic.group, actor=actor, action=f"topic_{action}", topic=topic, details=topic.title)
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
        topic_activity_rescope(topic=topic, target=target)
        details = f"{source.slug} → {target.slug}"
        log_action(group=source, actor=actor, action="topic_move", topic=topic, details=details)
        log_action(group=target, actor=actor, action="topic_move", topic=topic, details=details)
        visitor_pages_changed(source.pk)  # the topic's own save covers the target group
    return topic


def post_report(*, post: Post, actor: User, reason: str) -> Report:
    """Anyone who may see the group reports a post once (while open); its moderators are notified."""
    if not can_view_group(user=actor, group=post.topic.group):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationError({"reason": _("Expliquez en quelques mots ce qui pose problème.")})
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            post=post, reporter=actor, status=ReportStatus.OPEN, defaults={"reason": reason[:2000]}
        )
        if created:
            group = post.topic.group
            url = reverse("groups:moderation", args=[group.slug])
            mods = User.objects.filter(
                group_memberships__group=group,
                group_memberships__status=MembershipStatus.ACTIVE,
                group_memberships__role__in=[Role.OWNER, Role.ADMIN, Role.MODERATOR],
            ).exclude(pk=actor.pk)
            for mod in mods:
                notification_send(
                    recipient=mod,
                    kind="groups.moderation",
                    verb=_("Un message a été signalé dans « %(group)s »") % {"group": group.name},
                    url=url,
                )
    return report


def report_decide(*, report: Report, actor: User, status: str, hide: bool = False) -> Report:
    """Moderators resolve or dismiss a report, optionally hiding the post."""
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
        log_action(
            group=group, actor=actor, action=f"report_{status}", post=report.post, topic=report.post.topic, details=report.reason[:200]
        )
    return report
