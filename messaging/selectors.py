"""Reads for messaging pages: always from the viewer's side (a conversation exists only for its
active participants, staff included), shaped for a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from community.models import User

from .models import Block, Conversation, Message, MessageAttachment, MessageReport, Participant, ReportStatus

PAGE_SIZE = 50


def participations_unread() -> QuerySet[Participant]:
    """Active participations whose conversation has a message newer than the last one read."""
    return Participant.objects.filter(left_at__isnull=True, conversation__last_message_id__gt=F("last_read_id"))


def unread_conversations_count(*, user_id: int) -> int:
    """How many of the member's conversations have a message newer than the last one they read."""
    return participations_unread().filter(user_id=user_id).count()


def participation_get(*, viewer: User, conversation_id: int) -> Participant:
    """The viewer's active participation, with its conversation; 404 for everyone else."""
    if not viewer.is_authenticated:
        raise Http404
    participant = (
        Participant.objects.select_related("conversation")
        .filter(conversation_id=conversation_id, user=viewer, left_at__isnull=True)
        .first()
    )
    if participant is None:
        raise Http404
    return participant


@dataclass
class InboxRow:
    conversation: Conversation
    others: list
    last: Message | None
    unread: bool
    title: str


def inbox_for(*, viewer: User, limit: int = 100) -> list[InboxRow]:
    """The viewer's conversations, newest activity first: 3 queries whatever their number."""
    mine = list(
        Participant.objects.filter(user=viewer, left_at__isnull=True)
        .select_related("conversation")
        .prefetch_related(
            Prefetch(
                "conversation__participants", queryset=Participant.objects.select_related("user__profile").order_by("pk"), to_attr="people"
            )
        )
        .order_by("-conversation__last_message_at")[:limit]
    )
    last_ids = [p.conversation.last_message_id for p in mine if p.conversation.last_message_id]
    lasts = {m.pk: m for m in Message.objects.filter(pk__in=last_ids).select_related("author__profile")}
    rows = []
    for p in mine:
        conversation = p.conversation
        others = [q.user for q in conversation.people if q.user_id != viewer.pk and q.left_at is None]
        title = conversation.subject or ", ".join(u.public_name for u in others) or "—"
        rows.append(
            InboxRow(conversation, others, lasts.get(conversation.last_message_id), conversation.last_message_id > p.last_read_id, title)
        )
    return rows


@dataclass
class ConversationPage:
    conversation: Conversation
    participant: Participant
    people: list
    others: list
    messages: list
    has_earlier: bool
    last_id: int
    title: str
    blocked_by_other: bool
    i_blocked: set


def conversation_page(*, viewer: User, conversation_id: int, before: int | None = None) -> ConversationPage:
    """The last ``PAGE_SIZE`` messages (or those before ``before``): 6 queries whatever the size."""
    participant = participation_get(viewer=viewer, conversation_id=conversation_id)
    conversation = participant.conversation
    people = list(Participant.objects.filter(conversation=conversation).select_related("user__profile").order_by("joined_at", "pk"))
    qs = messages_visible(conversation=conversation)
    if before:
        qs = qs.filter(pk__lt=before)
    window = list(qs.order_by("-pk")[: PAGE_SIZE + 1])
    has_earlier = len(window) > PAGE_SIZE
    window = list(reversed(window[:PAGE_SIZE]))
    others = [p.user for p in people if p.user_id != viewer.pk and p.left_at is None]
    other_ids = [u.pk for u in others]
    blocks = list(
        Block.objects.filter(blocker_id__in=[viewer.pk, *other_ids], blocked_id__in=[viewer.pk, *other_ids]).values_list(
            "blocker_id", "blocked_id"
        )
    )
    title = conversation.subject or ", ".join(u.public_name for u in others) or "—"
    return ConversationPage(
        conversation=conversation,
        participant=participant,
        people=people,
        others=others,
        messages=window,
        has_earlier=has_earlier,
        last_id=conversation.last_message_id,
        title=title,
        blocked_by_other=any(blocked == viewer.pk and blocker in other_ids for blocker, blocked in blocks),
        i_blocked={blocked for blocker, blocked in blocks if blocker == viewer.pk},
    )


def messages_visible(*, conversation: Conversation) -> QuerySet[Message]:
    """A conversation's messages with authors and attachments (callers have checked participation)."""
    return Message.objects.filter(conversation=conversation).select_related("author__profile").prefetch_related("attachments")


def messages_after(*, conversation: Conversation, after_id: int, limit: int = 500) -> list[Message]:
    """What a reconnecting client missed (oldest first)."""
    return list(messages_visible(conversation=conversation).filter(pk__gt=after_id).order_by("pk")[:limit])


def message_get_for_participant(*, viewer: User, conversation_id: int, message_id: int) -> Message:
    """One message of a conversation the viewer takes part in; 404 for everyone else."""
    participation_get(viewer=viewer, conversation_id=conversation_id)
    message = (
        Message.objects.select_related("conversation", "author__profile").filter(pk=message_id, conversation_id=conversation_id).first()
    )
    if message is None:
        raise Http404
    return message


def attachment_get_for_participant(*, viewer: User, conversation_id: int, attachment_id: int):
    """A visible attachment of a conversation the viewer takes part in; 404 for everyone else."""
    participation_get(viewer=viewer, conversation_id=conversation_id)
    att = MessageAttachment.objects.filter(
        pk=attachment_id, message__conversation_id=conversation_id, message__hidden_at__isnull=True
    ).first()
    if att is None:
        raise Http404
    return att


def reports_open() -> QuerySet[MessageReport]:
    """For the hub moderation queue: the reported messages only, nothing else of the conversation."""
    return (
        MessageReport.objects.filter(status=ReportStatus.OPEN)
        .select_related("message__author__profile", "reporter__profile")
        .order_by("created_at")
    )


def blocked_members(*, viewer: User) -> QuerySet[Block]:
    """The members the viewer has blocked, newest first."""
    return Block.objects.filter(blocker=viewer).select_related("blocked__profile").order_by("-created_at")


def has_blocked(*, blocker: User, blocked_id: int) -> bool:
    """Whether ``blocker`` has blocked the member ``blocked_id``."""
    return Block.objects.filter(blocker=blocker, blocked_id=blocked_id).exists()
