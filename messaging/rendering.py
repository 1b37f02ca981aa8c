"""HTML fragments sent over websockets: one rendering per message, the same for every viewer
(the page's script marks the viewer's own messages by ``data-author-id``)."""

from django.template.loader import render_to_string

from .models import Message


def render_message_fragment(message: Message) -> str:
    return render_to_string("messaging/_message.html", {"message": message, "conversation_id": message.conversation_id})


def conversation_channel(conversation_id: int) -> str:
    return f"messaging_conversation_{conversation_id}"


def inbox_channel(user_id: int) -> str:
    return f"messaging_inbox_{user_id}"
