"""Live updates of the forum: channel names and the after-commit broadcasts (through ``common.live``)."""

from __future__ import annotations

from common.live import broadcast, broadcast_frame

from ..models import (
    Post,
    Topic,
)
from ..rendering import render_post_fragment, render_topic_row


def topic_channel(topic_id: int) -> str:
    """The websocket group of one topic page (polls, typing) and its relayed posts."""
    return f"topic_{topic_id}"


def group_channel(group_id: int) -> str:
    """The relayed group of one group page (new topics, activity)."""
    return f"group_{group_id}"


def member_channel(user_id: int) -> str:
    """The websocket group of one member's open forum pages (topic and group sockets), told when
    their access to a group changes."""
    return f"forum_member_{user_id}"


def broadcast_access_change(*, group_id: int, user_id: int) -> None:
    """The member lost their place in the group (removed, banned, left): their open pages of it
    re-check access and close like a page not found (4404) when they may no longer read it."""
    broadcast(member_channel(user_id), {"type": "forum.access", "group_id": group_id})


def broadcast_post(post_id: int, action: str) -> None:
    """Render the post once (viewer-neutral fragment), encode its websocket frame once, and send
    that to every open topic page through each process's relay: the same text written to every
    socket (no per-viewer work; viewer-specific controls are applied by the page's script from
    what it already knows)."""
    post = Post.objects.select_related("topic__group", "author__profile", "quoted__author__profile").filter(pk=post_id).first()
    if post is None:
        return
    payload = {"type": "post", "action": action, "post_id": post.pk, "html": render_post_fragment(post)}
    broadcast_frame(topic_channel(post.topic_id), payload)


def broadcast_topic(topic_id: int) -> None:
    """Send a new topic's row to every open page of its group (hidden topics are never sent)."""
    topic = Topic.objects.select_related("group", "author__profile", "category").filter(pk=topic_id, is_hidden=False).first()
    if topic is None:
        return
    broadcast_frame(group_channel(topic.group_id), {"type": "topic", "topic_id": topic.pk, "html": render_topic_row(topic)})


def broadcast_member_change(group_id: int) -> None:
    """Tell open group pages that the membership changed (they refresh their activity panel)."""
    broadcast_frame(group_channel(group_id), {"type": "activity"})
