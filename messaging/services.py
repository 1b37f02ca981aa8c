"""Every write of private messaging: start a conversation, send, read, leave, block, report.

Keyword-only functions, one transaction each; live updates and e-mails are scheduled after
commit (``transaction.on_commit``). Rules that cut across them:

* only active participants (not left) read or write a conversation; staff have no bypass;
* a member who blocked someone receives nothing from them: the blocked person cannot start a
  conversation with them nor write in a conversation where they take part;
* messages are Markdown, rendered and sanitised at display (``common.markdown``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from notifications.models import Notification

from common.live import broadcast
from common.markdown import clean_body, plain_excerpt
from common.uploads import clean_attachments
from community.models import User, is_approved_member
from community.notifications import notification_send

from .models import (
    MAX_PARTICIPANTS,
    Block,
    Conversation,
    Message,
    MessageAttachment,
    MessageReport,
    Participant,
    ReportStatus,
)
from .rendering import conversation_channel, inbox_channel, render_message_fragment
from .selectors import unread_conversations_count

MAX_BODY = 10_000
MAX_ATTACHMENTS = 5
NOTIFICATION_KIND = "messaging.message"


def _blocked_error() -> ValidationError:
    return ValidationError(
        _("Vous ne pouvez pas écrire à ce membre : il ou elle a choisi de ne plus recevoir vos messages."), code="blocked"
    )


def _blocked_by_any(*, sender: User, user_ids) -> bool:
    return Block.objects.filter(blocker_id__in=list(user_ids), blocked=sender).exists()


def _insert(*, conversation: Conversation, author: User, body: str, attachments: list[tuple]) -> Message:
    message = Message.objects.create(conversation=conversation, author=author, body=body)
    for clean, kind, original in attachments:
        att = MessageAttachment(message=message, kind=kind, original_name=original, size=clean.size or 0)
        att.file.save(clean.name, clean, save=False)
        att.save()
    Conversation.objects.filter(pk=conversation.pk).update(last_message_id=message.pk, last_message_at=message.created_at)
    conversation.last_message_id, conversation.last_message_at = message.pk, message.created_at
    Participant.objects.filter(conversation=conversation, user=author).update(last_read_id=message.pk, notified_up_to_id=message.pk)
    transaction.on_commit(lambda: _broadcast_message(message.pk))
    return message


def _broadcast_message(message_id: int) -> None:
    message = Message.objects.select_related("author__profile").prefetch_related("attachments").filter(pk=message_id).first()
    if message is None:
        return
    broadcast(
        conversation_channel(message.conversation_id),
        {"type": "messaging.message", "message_id": message.pk, "html": render_message_fragment(message)},
    )
    for user_id in Participant.objects.filter(conversation_id=message.conversation_id, left_at__isnull=True).values_list(
        "user_id", flat=True
    ):
        broadcast_unread(user_id)


def broadcast_unread(user_id: int) -> None:
    """Push the member's count of unread conversations to every open tab."""
    count = unread_conversations_count(user_id=user_id)
    broadcast(inbox_channel(user_id), {"type": "messaging.unread", "count": count})


def conversation_start(*, actor: User, recipients, body: str, subject: str = "", attachments=()) -> Conversation:
    """Write to one member (their existing one-to-one conversation is reused) or to a small group."""
    people = {u.pk: u for u in recipients if u.pk != actor.pk}
    if not people:
        raise ValidationError({"recipients": _("Choisissez au moins un membre à qui écrire.")})
    if len(people) + 1 > MAX_PARTICIPANTS:
        raise ValidationError({"recipients": _("Une conversation réunit %(n)s personnes au maximum.") % {"n": MAX_PARTICIPANTS}})
    if not is_approved_member(actor):
        raise PermissionDenied
    for user in people.values():
        if not user.is_active or user.erased_at or not is_approved_member(user):
            raise ValidationError({"recipients": _("« %(name)s » ne peut pas recevoir de messages.") % {"name": user.public_name}})
    if _blocked_by_any(sender=actor, user_ids=people):
        raise _blocked_error()
    body = clean_body(body, max_length=MAX_BODY)
    cleaned = clean_attachments(attachments, max_count=MAX_ATTACHMENTS)
    subject = (subject or "").strip()[:120]
    with transaction.atomic():
        conversation = None
        if len(people) == 1 and not subject:
            conversation = _one_to_one(actor, next(iter(people)))
        if conversation is None:
            conversation = Conversation.objects.create(subject=subject, created_by=actor)
            Participant.objects.bulk_create([Participant(conversation=conversation, user_id=pk) for pk in [actor.pk, *people]])
        _insert(conversation=conversation, author=actor, body=body, attachments=cleaned)
    return conversation


def _one_to_one(actor: User, other_id: int) -> Conversation | None:
    """The untitled conversation with exactly these two people, both still in it."""
    mine = Participant.objects.filter(user=actor, left_at__isnull=True, conversation__subject="").values("conversation_id")
    candidates = (
        Participant.objects.filter(conversation_id__in=mine, user_id=other_id, left_at__isnull=True)
        .values_list("conversation_id", flat=True)
        .order_by("-conversation_id")
    )
    for conversation_id in candidates[:5]:
        if Participant.objects.filter(conversation_id=conversation_id).count() == 2:
            return Conversation.objects.get(pk=conversation_id)
    return None


def _active_participant(*, actor: User, conversation: Conversation) -> Participant:
    participant = Participant.objects.filter(conversation=conversation, user=actor, left_at__isnull=True).first()
    if participant is None:
        raise PermissionDenied
    return participant


def message_send(*, actor: User, conversation: Conversation, body: str, attachments=()) -> Message:
    """Post a message as an active participant (not to someone who blocked you); others notified after a quiet delay."""
    _active_participant(actor=actor, conversation=conversation)
    others = (
        Participant.objects.filter(conversation=conversation, left_at__isnull=True).exclude(user=actor).values_list("user_id", flat=True)
    )
    others = list(others)
    if not others:
        raise ValidationError(_("Plus personne d'autre ne participe à cette conversation."), code="alone")
    if _blocked_by_any(sender=actor, user_ids=others):
        raise _blocked_error()
    body = clean_body(body, max_length=MAX_BODY)
    cleaned = clean_attachments(attachments, max_count=MAX_ATTACHMENTS)
    with transaction.atomic():
        return _insert(conversation=conversation, author=actor, body=body, attachments=cleaned)


def conversation_mark_read(*, actor: User, conversation: Conversation, up_to_id: int | None = None) -> bool:
    """Everything up to ``up_to_id`` (default: the last message) is read; the e-mail for it is no
    longer due, and the in-app notifications about this conversation are read too."""
    target = conversation.last_message_id if up_to_id is None else min(up_to_id, conversation.last_message_id)
    with transaction.atomic():
        updated = Participant.objects.filter(conversation=conversation, user=actor, left_at__isnull=True, last_read_id__lt=target).update(
            last_read_id=target
        )
        if updated:
            Notification.objects.filter(
                recipient=actor, unread=True, data__kind=NOTIFICATION_KIND, data__url=conversation.get_absolute_url()
            ).update(unread=False)
            transaction.on_commit(lambda: broadcast_unread(actor.pk))
    return bool(updated)


def conversation_leave(*, actor: User, conversation: Conversation) -> None:
    """Leave a conversation: no more messages or live events reach you; what you wrote stays."""
    participant = _active_participant(actor=actor, conversation=conversation)
    with transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(left_at=timezone.now())
    channel = conversation_channel(conversation.pk)
    transaction.on_commit(lambda: broadcast(channel, {"type": "messaging.left", "user_id": actor.pk}))
    transaction.on_commit(lambda: broadcast_unread(actor.pk))


def block_create(*, actor: User, blocked: User) -> Block:
    """Block a member: they can no longer write to you (blocking yourself is refused)."""
    if blocked.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas vous bloquer vous-même."))
    with transaction.atomic():
        block, _created = Block.objects.get_or_create(blocker=actor, blocked=blocked)
    return block


def block_delete(*, actor: User, blocked: User) -> bool:
    """Lift a block you set; returns whether there was one."""
    with transaction.atomic():
        deleted, _rows = Block.objects.filter(blocker=actor, blocked=blocked).delete()
    return bool(deleted)


def message_report(*, actor: User, message: Message, reason: str) -> MessageReport:
    """Show ``message`` to hub staff (the moderation queue); only a participant may."""
    _active_participant(actor=actor, conversation=message.conversation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Dites en quelques mots ce qui pose problème.")})
    if message.author_id == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas signaler votre propre message."))
    with transaction.atomic():
        existing = MessageReport.objects.filter(message=message, reporter=actor, status=ReportStatus.OPEN).first()
        if existing:
            return existing
        return MessageReport.objects.create(message=message, reporter=actor, reason=reason[:2000])


def report_decide(*, actor: User, report: MessageReport, status: str, hide: bool = False) -> MessageReport:
    """Staff settle a reported message (resolved or dismissed, optionally hidden); only the reported message is ever shown to them."""
    if not actor.is_hub_staff:
        raise PermissionDenied
    if status not in (ReportStatus.RESOLVED, ReportStatus.DISMISSED):
        raise ValidationError(_("Décision inconnue."))
    now = timezone.now()
    with transaction.atomic():
        MessageReport.objects.filter(pk=report.pk).update(status=status, decided_by=actor, decided_at=now)
        if hide and status == ReportStatus.RESOLVED:
            Message.objects.filter(pk=report.message_id, hidden_at__isnull=True).update(hidden_at=now)
            transaction.on_commit(lambda: _broadcast_message(report.message_id))
    report.refresh_from_db()
    return report


def unread_notify(*, now=None) -> int:
    """Tell members about messages still unread after ``MESSAGING_EMAIL_DELAY``, through the
    notification service (their preference for "messages privés": e-mail now, digest, in-app or
    nothing). Idempotent: each participant's ``notified_up_to_id`` moves forward in the same
    transaction as the notification (and its outbox row), with a conditional update."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.MESSAGING_EMAIL_DELAY_SECONDS)
    due = (
        Participant.objects.filter(
            Q(conversation__last_message_id__gt=F("last_read_id")),
            Q(conversation__last_message_id__gt=F("notified_up_to_id")),
            left_at__isnull=True,
            user__is_active=True,
            # the conversation has been quiet for the delay: one e-mail per burst, not per message
            conversation__last_message_at__lte=cutoff,
        )
        .select_related("conversation", "user__profile")
        .order_by("pk")[:1000]
    )
    sent = 0
    for participant in due:
        after = max(participant.last_read_id, participant.notified_up_to_id)
        waiting = list(
            Message.objects.filter(conversation_id=participant.conversation_id, pk__gt=after, hidden_at__isnull=True)
            .exclude(author_id=participant.user_id)
            .select_related("author__profile")
            .order_by("pk")
        )
        if not waiting:
            continue
        last = waiting[-1]
        conversation = participant.conversation
        with transaction.atomic():
            claimed = Participant.objects.filter(pk=participant.pk, notified_up_to_id=participant.notified_up_to_id).update(
                notified_up_to_id=last.pk
            )
            if not claimed:
                continue
            authors = sorted({m.author.public_name if m.author else _("ancien membre") for m in waiting})
            verb = ngettext("%(count)s message non lu de %(names)s", "%(count)s messages non lus de %(names)s", len(waiting)) % {
                "count": len(waiting),
                "names": ", ".join(authors),
            }
            if conversation.subject:
                verb += f" · « {conversation.subject} »"
            notification_send(
                recipient=participant.user,
                kind=NOTIFICATION_KIND,
                verb=verb,
                actor=last.author,
                target=conversation,  # one line per conversation in the notification list
                url=conversation.get_absolute_url(),
                description=plain_excerpt(last.body, 300),
            )
            sent += 1
    return sent
