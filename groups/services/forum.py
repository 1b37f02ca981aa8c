"""The forum: topics, posts, edits, reactions, read markers and subscriptions."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.markdown import clean_body
from common.uploads import clean_attachments
from community.models import User

from ..access import can_moderate, can_post
from ..models import (
    Attachment,
    Category,
    Group,
    NotifyLevel,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    Topic,
    TopicRead,
    TopicSubscription,
)
from ..selectors import post_permalink
from ..tasks import post_notify_task
from .journal import log_action
from .live import broadcast_post, broadcast_topic
from .polls import poll_attach
from .stream import post_activity_record, post_activity_withdraw, topic_activity_record

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 5
MAX_BODY = 20_000


def _clean_tags(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    out = []
    for tag in tags or ():
        tag = slugify(str(tag))[:40]
        if tag and tag not in out:
            out.append(tag)
    return out[:8]


def _attach(*, post: Post, files: list[tuple]) -> None:
    """Store files already judged by ``clean_attachments``."""
    for clean, kind, original in files:
        att = Attachment(post=post, kind=kind, original_name=original, size=clean.size or 0)
        att.file.save(clean.name, clean, save=False)
        att.save()


def topic_create(
    *,
    group: Group,
    actor: User,
    title: str,
    body: str,
    category: Category | None = None,
    tags=(),
    attachments=(),
    poll: dict | None = None,
) -> Topic:
    """Start a topic with its first post. Raises ``PermissionDenied`` unless the actor is an
    active member of the group (callers such as funding's "share to a group" rely on it). With
    ``poll`` (``poll_attach``'s arguments) the topic carries a poll; a bad poll creates nothing."""
    if not can_post(user=actor, group=group):
        raise PermissionDenied(_("Vous devez être membre du groupe pour y publier."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Donnez un titre au sujet.")})
    if category is not None and category.group_id != group.pk:
        raise ValidationError({"category": _("Catégorie inconnue dans ce groupe.")})
    with transaction.atomic():
        topic = Topic.objects.create(group=group, author=actor, title=title[:200], category=category, tags=_clean_tags(tags))
        post = _post_insert(topic=topic, author=actor, body=body, attachments=attachments)
        if poll is not None:
            poll_attach(topic=topic, **poll)
        TopicSubscription.objects.update_or_create(user=actor, topic=topic, defaults={"level": NotifyLevel.WATCHING})
        topic_activity_record(topic=topic, post=post, actor=actor)
        transaction.on_commit(lambda: broadcast_topic(topic.pk))
        transaction.on_commit(lambda: _enqueue_notify(post.pk))
    return topic


def _post_insert(*, topic: Topic, author: User, body: str, quoted: Post | None = None, attachments=()) -> Post:
    body = clean_body(body, max_length=MAX_BODY)
    files = clean_attachments(attachments, max_count=MAX_ATTACHMENTS)
    post = Post.objects.create(topic=topic, author=author, body=body, quoted=quoted)
    _attach(post=post, files=files)
    Topic.objects.filter(pk=topic.pk).update(post_count=F("post_count") + 1, last_post_at=post.created_at, last_post_id_cache=post.pk)
    TopicRead.objects.update_or_create(user=author, topic=topic, defaults={"last_read_post_id": post.pk})
    return post


def post_create(*, topic: Topic, actor: User, body: str, quoted: Post | None = None, attachments=()) -> Post:
    """Reply in a topic: active members only; a locked or hidden topic only for moderators."""
    group = topic.group
    if not can_post(user=actor, group=group):
        raise PermissionDenied(_("Vous devez être membre du groupe pour répondre."))
    if topic.is_locked and not can_moderate(user=actor, group=group):
        raise PermissionDenied(_("Ce sujet est verrouillé."))
    if topic.is_hidden and not can_moderate(user=actor, group=group):
        raise PermissionDenied
    if quoted is not None and quoted.topic_id != topic.pk:
        quoted = None
    with transaction.atomic():
        post = _post_insert(topic=topic, author=actor, body=body, quoted=quoted, attachments=attachments)
        post_activity_record(post=post, url=post_permalink(post), actor=actor)
        transaction.on_commit(lambda: broadcast_post(post.pk, "new"))
        transaction.on_commit(lambda: _enqueue_notify(post.pk))
    return post


def _enqueue_notify(post_id: int) -> None:
    try:
        post_notify_task.enqueue(post_id)
    except Exception:
        logger.warning("could not enqueue notifications for post %s", post_id, exc_info=True)


def post_edit(*, post: Post, actor: User, body: str) -> Post:
    """Authors edit their posts (while the topic is open); moderators may edit any. The previous
    text is kept as a revision, visible to moderators."""
    group = post.topic.group
    moderator = can_moderate(user=actor, group=group)
    if post.is_deleted or not (
        moderator or (post.author_id == actor.pk and can_post(user=actor, group=group) and not post.topic.is_locked)
    ):
        raise PermissionDenied
    body = clean_body(body, max_length=MAX_BODY)
    if body == post.body:
        return post
    with transaction.atomic():
        PostRevision.objects.create(post=post, body=post.body, edited_by=actor)
        post.body, post.edited_at = body, timezone.now()
        post.save(update_fields=["body", "edited_at", "updated_at"])
        if moderator and post.author_id != actor.pk:
            log_action(group=group, actor=actor, action="post_edit", topic=post.topic, post=post)
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
        post_activity_withdraw(post=post)
        if post.author_id != actor.pk:
            log_action(group=group, actor=actor, action="post_delete", topic=post.topic, post=post)
        transaction.on_commit(lambda: broadcast_post(post.pk, "delete"))
    return post


def reaction_toggle(*, post: Post, actor: User, kind: str) -> bool:
    """Add the reaction, or remove it if already there; returns whether it is now present."""
    if kind not in ReactionKind.values:
        raise ValidationError(_("Réaction inconnue."))
    if not can_post(user=actor, group=post.topic.group) or post.is_deleted:
        raise PermissionDenied
    with transaction.atomic():
        deleted, _x = Reaction.objects.filter(post=post, user=actor, kind=kind).delete()
        if not deleted:
            Reaction.objects.create(post=post, user=actor, kind=kind)
        transaction.on_commit(lambda: broadcast_post(post.pk, "edit"))
    return not deleted


def topic_mark_read(*, topic: Topic, actor: User, post_id: int) -> None:
    """Move the member's read marker forward (never backward).

    Every topic page view may write here, so the commit does not wait for PostgreSQL to flush
    its log to disk (``synchronous_commit = off`` for this transaction only): a crash can lose
    the last fraction of a second of read markers — a topic shown as unread again — never
    anything else, and the database stays consistent.
    """
    if not actor.is_authenticated:
        return
    # Only in a transaction of its own: inside a caller's, SET LOCAL would relax the caller's writes too.
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        updated = TopicRead.objects.filter(user=actor, topic=topic, last_read_post_id__lt=post_id).update(last_read_post_id=post_id)
        if not updated and not TopicRead.objects.filter(user=actor, topic=topic).exists():
            try:
                with transaction.atomic():
                    TopicRead.objects.create(user=actor, topic=topic, last_read_post_id=post_id)
            except IntegrityError:
                TopicRead.objects.filter(user=actor, topic=topic, last_read_post_id__lt=post_id).update(last_read_post_id=post_id)


def topic_set_level(*, topic: Topic, actor: User, level: str) -> TopicSubscription:
    """A member chooses how they hear about a topic (watching, normal, muted); members only."""
    if level not in NotifyLevel.values:
        raise ValidationError(_("Niveau de notification inconnu."))
    if not can_post(user=actor, group=topic.group):
        raise PermissionDenied
    sub, _created = TopicSubscription.objects.update_or_create(user=actor, topic=topic, defaults={"level": level})
    return sub
