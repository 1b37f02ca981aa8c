"""Who hears about a new post: mentions, replies and watchers (run by ``post_notify_task``)."""

import re

from django.db.models import Q
from django.utils.translation import gettext as _

from community.models import User
from community.notifications import notification_send

from .access import can_view_group
from .models import Group, MembershipStatus, NotifyLevel, Post, TopicSubscription
from .selectors import post_permalink

MENTION_RE = re.compile(r"(?<![\w@])@([\w][\w.\-]*(?:[ \u00a0][\w][\w.\-]*){0,2})", re.UNICODE)


def mentioned_users(*, body: str, group: Group) -> list[User]:
    """Members named ``@Prénom Nom`` (display name) or ``@identifiant`` who may see the group."""
    candidates: set[str] = set()
    for match in MENTION_RE.finditer(body or ""):
        words = match.group(1).replace("\u00a0", " ").split(" ")
        for n in range(1, len(words) + 1):
            candidates.add(" ".join(words[:n]).rstrip(".-").lower())
    candidates = {c for c in candidates if c}
    if not candidates:
        return []
    cond = Q()
    for c in list(candidates)[:30]:
        cond |= Q(profile__display_name__iexact=c) | Q(username__iexact=c)
    users = User.objects.filter(cond, is_active=True, erased_at__isnull=True).select_related("profile")[:10]
    return [u for u in users if can_view_group(user=u, group=group)]


def post_notify(*, post_id: int) -> int:
    """Mentions, replies and watchers of one post; each person at most once. Returns how many."""
    post = (
        Post.objects.select_related("topic__group", "author__profile", "quoted")
        .filter(pk=post_id, is_deleted=False, is_hidden=False)
        .first()
    )
    if post is None:
        return 0
    topic, group, author = post.topic, post.topic.group, post.author
    url = post_permalink(post)
    name = author.public_name if author else _("ancien membre")
    done: set[int] = {author.pk} if author else set()
    levels = dict(TopicSubscription.objects.filter(topic=topic).values_list("user_id", "level"))
    sent = 0

    def send(user, kind, verb):
        nonlocal sent
        if user.pk in done:
            return
        done.add(user.pk)
        if not can_view_group(user=user, group=group):
            return
        notification_send(recipient=user, kind=kind, verb=verb, actor=author, url=url, description=post.body[:300])
        sent += 1

    for user in mentioned_users(body=post.body, group=group):
        send(user, "groups.mention", _("%(name)s vous a mentionné·e dans « %(topic)s »") % {"name": name, "topic": topic.title})
    reply_to = []
    if post.quoted and post.quoted.author_id:
        reply_to.append(post.quoted.author_id)
    if topic.author_id and post.pk != topic.posts.order_by("id").values_list("id", flat=True).first():
        reply_to.append(topic.author_id)
    for user in User.objects.filter(pk__in=reply_to).select_related("profile"):
        if levels.get(user.pk) == NotifyLevel.MUTED:
            continue
        send(user, "groups.reply", _("%(name)s a répondu dans « %(topic)s »") % {"name": name, "topic": topic.title})
    explicit_watchers = [uid for uid, level in levels.items() if level == NotifyLevel.WATCHING]
    explicit_other = [uid for uid, level in levels.items() if level != NotifyLevel.WATCHING]
    watchers = (
        User.objects.filter(
            Q(pk__in=explicit_watchers)
            | Q(
                group_memberships__group=group,
                group_memberships__status=MembershipStatus.ACTIVE,
                group_memberships__notify_default=NotifyLevel.WATCHING,
            )
        )
        .exclude(pk__in=explicit_other)
        .distinct()
        .select_related("profile")
    )
    for user in watchers:
        send(user, "groups.watching", _("Nouveau message de %(name)s dans « %(topic)s »") % {"name": name, "topic": topic.title})
    return sent
