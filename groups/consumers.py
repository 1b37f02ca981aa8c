"""Live forum: one socket per open topic page and one per open group page.

Access is checked on connect with the same selectors as the views: a topic or group the user
may not see closes the socket with 4404, exactly like a page that does not exist. Services
broadcast rendered fragments after commit; a client that (re)connects sends the last post id it
saw and receives everything after it from the database — and the posts edited, deleted or hidden
since its last sync — so nothing is lost across restarts.

Posts (topic pages) and new topics and membership changes (group pages) are the same for every
viewer: they come through the process's relay (``follow``, ``common.live.broadcast_frame``),
written to each socket without waking its consumer. What depends on the socket — poll results,
typing, a member's access — still comes through the consumer's handlers.
"""

import time

from channels.db import database_sync_to_async

from common.consumers import NOT_FOUND, TYPING_NAME_MAX, LiveConsumer, last_id
from common.live import FanOutDispatchMixin

from .access import can_post, groups_visible_to
from .models import PollVote
from .rendering import render_post_fragment
from .selectors import posts_after, posts_changed_since, topic_get_for_user
from .services import group_channel, member_channel, topic_channel


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


class TopicConsumer(FanOutDispatchMixin, LiveConsumer):
    async def connect(self):
        if (user := await self.signed_in_user()) is None:
            return
        topic_id = int(self.scope["url_route"]["kwargs"]["topic_id"])
        topic, name, can_post = await database_sync_to_async(_topic_for)(user, topic_id)
        if topic is None or topic.group.slug != self.scope["url_route"]["kwargs"]["slug"]:
            await self.close(code=NOT_FOUND)
            return
        self.topic, self.user_name, self.can_post = topic, name[:TYPING_NAME_MAX], can_post
        self.has_voted = await database_sync_to_async(_has_voted)(user, topic.pk)
        self.channel = topic_channel(topic.pk)
        await self.join(self.channel, member_channel(user.pk))  # polls and typing; access changes
        await self.follow(self.channel)  # posts

    async def forum_access(self, event):
        """The member's place in a group changed: a page they may no longer read closes (4404),
        and gets no post from the moment the change is known."""
        if event["group_id"] == self.topic.group_id:
            self.unfollow(self.channel)
            if await database_sync_to_async(_still_allowed)(self.scope["user"], self.topic.pk):
                await self.follow(self.channel)
            else:
                await self.close(code=NOT_FOUND)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "since":
            after = last_id(content)
            try:
                changed_since = max(0.0, float(content.get("changed_since") or 0))
            except (TypeError, ValueError):
                return
            if after is None:
                return
            # Re-check: a member removed or banned since connecting gets nothing more.
            if not await database_sync_to_async(_still_allowed)(self.scope["user"], self.topic.pk):
                self.unfollow()
                await self.close(code=NOT_FOUND)
                return
            # Taken before reading: a change committed during the replay comes live or next time.
            at = time.time()
            for item in await database_sync_to_async(_missed)(self.topic, after, changed_since):
                await self.send_json({"type": "post", **item})
            await self.send_json({"type": "synced", "at": at})
        elif kind == "typing" and self.can_post:
            await self.send_typing(self.channel, "forum.typing", self.user_name)

    async def forum_poll(self, event):
        """Full results only where the page may show them (poll closed, or results after vote and
        this member has voted); the voter count elsewhere. Who voted is never sent."""
        if event.get("voter_id") == self.scope["user"].pk:
            self.has_voted = True
        visible = event["closed"] or (event["after_vote"] and self.has_voted)
        await self.send_json({"type": "poll", "closed": event["closed"], "html": event["results_html" if visible else "summary_html"]})

    async def forum_typing(self, event):
        await self.forward_typing(event)


class GroupConsumer(FanOutDispatchMixin, LiveConsumer):
    """New topics of a group and membership changes, live on the group page."""

    async def connect(self):
        if (user := await self.signed_in_user()) is None:
            return
        group = await database_sync_to_async(_group_for)(user, self.scope["url_route"]["kwargs"]["slug"])
        if group is None:
            await self.close(code=NOT_FOUND)
            return
        self.group_id, self.channel = group.pk, group_channel(group.pk)
        await self.join(member_channel(user.pk))  # access changes
        await self.follow(self.channel)  # new topics, activity

    async def forum_access(self, event):
        """The member's place in a group changed: a group page they may no longer see closes (4404)."""
        if event["group_id"] == self.group_id:
            self.unfollow(self.channel)
            if await database_sync_to_async(_group_for)(self.scope["user"], self.scope["url_route"]["kwargs"]["slug"]):
                await self.follow(self.channel)
            else:
                await self.close(code=NOT_FOUND)
