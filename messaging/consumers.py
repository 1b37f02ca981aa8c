"""Live conversations: one socket per open conversation page, one per tab for the unread badge.

A conversation socket is accepted only for an active participant (4404 otherwise, like the page's
404; 4401 for visitors). A client that (re)connects sends the last message id it saw and gets
everything after it from the database, so nothing is lost when Redis or a web process restarts.
"""

from channels.db import database_sync_to_async

from common.consumers import NOT_FOUND, TYPING_NAME_MAX, LiveConsumer, last_id
from community.models import is_approved_member

from .models import Participant
from .rendering import conversation_channel, inbox_channel, render_message_fragment
from .selectors import messages_after, unread_conversations_count


def _participation(user, conversation_id):
    if not is_approved_member(user):
        return None
    return (
        Participant.objects.select_related("conversation").filter(conversation_id=conversation_id, user=user, left_at__isnull=True).first()
    )


def _missed(participant, after_id):
    return [
        {"message_id": m.pk, "html": render_message_fragment(m)}
        for m in messages_after(conversation=participant.conversation, after_id=after_id)
    ]


class ConversationConsumer(LiveConsumer):
    async def connect(self):
        if (user := await self.signed_in_user()) is None:
            return
        participant = await database_sync_to_async(_participation)(user, int(self.scope["url_route"]["kwargs"]["pk"]))
        if participant is None:
            await self.close(code=NOT_FOUND)
            return
        self.participant = participant
        self.user_name = (await database_sync_to_async(lambda: user.public_name)())[:TYPING_NAME_MAX]
        self.channel = conversation_channel(participant.conversation_id)
        await self.join(self.channel)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "since":
            if (after := last_id(content)) is None:
                return
            # re-checked: someone who left since connecting gets nothing more
            fresh = await database_sync_to_async(_participation)(self.scope["user"], self.participant.conversation_id)
            if fresh is None:
                await self.close(code=NOT_FOUND)
                return
            self.participant = fresh
            for item in await database_sync_to_async(_missed)(fresh, after):
                await self.send_json({"type": "message", **item})
            await self.send_json({"type": "synced"})
        elif kind == "typing":
            await self.send_typing(self.channel, "messaging.typing", self.user_name)

    async def messaging_message(self, event):
        await self.send_json({"type": "message", "message_id": event["message_id"], "html": event["html"]})

    async def messaging_typing(self, event):
        await self.forward_typing(event)

    async def messaging_left(self, event):
        if event.get("user_id") == self.scope["user"].pk:
            await self.close(code=NOT_FOUND)


class InboxConsumer(LiveConsumer):
    """The member's count of unread conversations (header badge), the truth on every (re)connect."""

    async def connect(self):
        if (user := await self.signed_in_user(active_only=True)) is None:
            return
        await self.join(inbox_channel(user.pk))
        await self.send_json({"type": "count", "count": await database_sync_to_async(unread_conversations_count)(user_id=user.pk)})

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "sync":
            await self.send_json(
                {"type": "count", "count": await database_sync_to_async(unread_conversations_count)(user_id=self.scope["user"].pk)}
            )

    async def messaging_unread(self, event):
        await self.send_json({"type": "count", "count": event["count"]})
