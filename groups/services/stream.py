"""What the groups app tells the network's activity stream (``community.activity``).

Items carry the group's audience (``access.group_audience``), so a secret group's topics and
posts reach only its own members; items about a post or topic that is hidden, deleted or moved
are withdrawn or re-scoped in the same transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from community.activity import activity_record, activity_set_audience, activity_withdraw
from community.models import ActivityKind, User

from ..access import group_audience
from ..models import Group, Post, Topic


def topic_ref(topic_id: int) -> str:
    """The activity-stream reference of a topic."""
    return f"groups.topic:{topic_id}"


def post_ref(post_id: int) -> str:
    """The activity-stream reference of a post."""
    return f"groups.post:{post_id}"


def topic_activity_record(*, topic: Topic, post: Post, actor: User) -> None:
    """A new topic enters the stream of the people who may read its group."""
    activity_record(
        verb=_("a ouvert un sujet"),
        title=topic.title,
        url=topic.get_absolute_url(),
        audience=group_audience(topic.group),
        kind=ActivityKind.GROUPS,
        actor=actor,
        summary=post.body,
        object_ref=topic_ref(topic.pk),
        group_id=topic.group_id,
    )


def post_activity_record(*, post: Post, url: str, actor: User) -> None:
    """A reply enters the stream of the people who may read its group."""
    topic = post.topic
    activity_record(
        verb=_("a répondu"),
        title=topic.title,
        url=url,
        audience=group_audience(topic.group),
        kind=ActivityKind.GROUPS,
        actor=actor,
        summary=post.body,
        object_ref=post_ref(post.pk),
        group_id=topic.group_id,
    )


def post_activity_withdraw(*, post: Post) -> None:
    """A deleted or hidden post leaves every stream."""
    activity_withdraw(object_ref=post_ref(post.pk))


def topic_activity_withdraw(*, topic: Topic) -> None:
    """A hidden topic (its opening and its replies) leaves every stream."""
    activity_withdraw(object_ref=topic_ref(topic.pk))
    for post_id in topic.posts.values_list("id", flat=True):
        activity_withdraw(object_ref=post_ref(post_id))


def topic_activity_rescope(*, topic: Topic, target: Group) -> None:
    """A moved topic's items take the audience of the group it moved to (never wider than it)."""
    audience = group_audience(target)
    activity_set_audience(audience=audience, object_ref=topic_ref(topic.pk))
    for post_id in topic.posts.values_list("id", flat=True):
        activity_set_audience(audience=audience, object_ref=post_ref(post_id))


def group_activity_narrow(*, group: Group) -> None:
    """A group turned secret: everything already in the stream about it narrows to its members.
    (A secret group opened up keeps its past items narrow: safe, and members still see them.)"""
    activity_set_audience(audience=group_audience(group), group_id=group.pk)
