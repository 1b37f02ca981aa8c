"""Live forum: one socket per open topic page and one per open group page.

Access is checked on connect with the same selectors as the views: a topic or group the user
may not see closes the socket with 4404, exactly like a page that does not exist. Services
broadcast rendered fragments after commit; a client that (re)connects sends the last post id it
saw and receives everything after it from the database — and the posts edited, deleted or hidden
since its last sync — so nothing is lost across restarts.
"""

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from common.live import FanOutDispatchMixin

from .access import can_post, groups_visible_to
from .models import PollVote
from .rendering import render_post_fragment
from .selectors import posts_after, posts_changed_since, topic_get_for_user
from .services import group_channel, member_channel, topic_channel

TYPING_NAME_MAX = 80


def _topic_for(user, topic_id):
    topic = topic_get_for_user(user=user, topic_id=topic_id)
    if topic is None:
        return None, "", False
    return topic, user.public_name, can_post(user=user, group=topic.group)


def _has_voted(user, topic_id) -> bool:
    return PollVote.objects.filter(poll__topic_id=topic_id, user=user).exists()


def _missed(topic, after_id, changed_since):
    """New posts after ``after_id``, then posts up to it edited, deleted or hidden since
    ``changed_since`` (epoch seconds, server clock)."""
    items = [{"action": "new", "post_id": p.pk, "html": render_post_fragment(p)} for p in posts_after(topic=topic, after_id=after_id)]
    if changed_since:
        for post in posts_changed_since(topic=topic, up_to_id=after_id, since=changed_since):
            items.append({"action": "delete" if post.is_deleted else "edit", "post_id": post.pk, "html": render_post_fragment(post)})
    return items


def _still_allowed(user, topic_id) -> bool:
    return topic_get_for_user(user=user, topic_id=topic_id) is not None


def _group_for(user, slug):
    return groups_visible_to(user).filter(slug=slug).first()


class TopicConsumer(FanOutDispatchMixin, AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        topic_id = int(self.scope["url_route"]["kwargs"]["topic_id"])
        topic, name, can_post = await database_sync_to_async(_topic_for)(user, topic_id)
        if topic is None or topic.group.slug != self.scope["url_route"]["kwargs"]["slug"]:
            await self.close(code=4404)
            return
        self.topic, self.user_name, self.can_post = topic, name[:TYPING_NAME_MAX], can_post
        self.has_voted = await database_sync_to_async(_has_voted)(user, topic.pk)
        self.channel = topic_channel(topic.pk)
        self.access_channel = member_channel(user.pk)
        await self.channel_layer.group_add(self.channel, self.channel_name)
        await self.channel_layer.group_add(self.access_channel, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "channel"):
            await self.channel_layer.group_discard(self.channel, self.channel_name)
            await self.channel_layer.group_discard(self.access_channel, self.channel_name)

    async def forum_access(self, event):
        """The member's place in a group changed: a page they may no longer read closes (4404)."""
        if event["group_id"] == self.topic.group_id and not await database_sync_to_async(_still_allowed)(self.scope["user"], self.topic.pk):
            await self.close(code=4404)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "since":
            try:
                after = max(0, int(content.get("last_id") or 0))
                changed_since = max(0.0, float(content.get("changed_since") or 0))
            except (TypeError, ValueError):
                return
            # Re-check: a member removed or banned since connecting gets nothing more.
            if not await database_sync_to_async(_still_allowed)(self.scope["user"], self.topic.pk):
                await self.close(code=4404)
                return
            # Taken before reading: a change committed during the replay comes live or next time.
            at = time.time()
            for item in await database_sync_to_async(_missed)(self.topic, after, changed_since):
                await self.send_json({"type": "post", **item})
            await self.send_json({"type": "synced", "at": at})
        elif kind == "typing" and self.can_post:
            await self.channel_layer.group_send(
                self.channel,
                {"type": "forum.typing", "name": self.user_name, "user_id": self.scope["user"].pk, "sender": self.channel_name},
            )

    async def forum_post(self, event):
        await self.send(text_data=event["frame"])  # encoded once by services.broadcast_post

    async def forum_poll(self, event):
        """Full results only where the page may show them (poll closed, or results after vote and
        this member has voted); the voter count elsewhere. Who voted is never sent."""
        if event.get("voter_id") == self.scope["user"].pk:
            self.has_voted = True
        visible = event["closed"] or (event["after_vote"] and self.has_voted)
        await self.send_json({"type": "poll", "closed": event["closed"], "html": event["results_html" if visible else "summary_html"]})

    async def forum_typing(self, event):
        if event.get("sender") != self.channel_name:
            await self.send_json({"type": "typing", "name": event["name"], "user_id": event["user_id"]})


class GroupConsumer(FanOutDispatchMixin, AsyncJsonWebsocketConsumer):
    """New topics of a group, live on the group page."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        group = await database_sync_to_async(_group_for)(user, self.scope["url_route"]["kwargs"]["slug"])
        if group is None:
            await self.close(code=4404)
            return
        self.group_id, self.channel, self.access_channel = group.pk, group_channel(group.pk), member_channel(user.pk)
        await self.channel_layer.group_add(self.channel, self.channel_name)
        await self.channel_layer.group_add(self.access_channel, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "channel"):
            await self.channel_layer.group_discard(self.channel, self.channel_name)
            await self.channel_layer.group_discard(self.access_channel, self.channel_name)

    async def forum_access(self, event):
        """The member's place in a group changed: a group page they may no longer see closes (4404)."""
        if event["group_id"] == self.group_id and not await database_sync_to_async(_group_for)(
            self.scope["user"], self.scope["url_route"]["kwargs"]["slug"]
        ):
            await self.close(code=4404)

    async def forum_topic(self, event):
        await self.send_json({"type": "topic", "topic_id": event["topic_id"], "html": event["html"]})

    async def forum_activity(self, event):
        await self.send_json({"type": "activity"})
