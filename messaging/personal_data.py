"""RGPD: what messaging stores about a member, and what account deletion does to it.

The export holds the member's own messages and the list of their conversations (not what the
others wrote: that is the others' data). On deletion, the member leaves every conversation, their
blocks go, their messages stay for the other participants, signed "ancien membre", and their
attachments go.
"""

from django.utils import timezone

from .models import Block, Message, MessageAttachment, MessageReport, Participant


def export_messaging(user) -> dict:
    participations = Participant.objects.filter(user=user).select_related("conversation").order_by("joined_at")
    return {
        "conversations": [
            {
                "id": p.conversation_id,
                "sujet": p.conversation.subject,
                "rejointe_le": p.joined_at.isoformat(),
                "quittee_le": p.left_at.isoformat() if p.left_at else None,
            }
            for p in participations
        ],
        "messages_envoyes": [
            {"conversation": m["conversation_id"], "date": m["created_at"].isoformat(), "texte": m["body"]}
            for m in Message.objects.filter(author=user).values("conversation_id", "created_at", "body").order_by("pk")
        ],
        "membres_bloques": list(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True)),
        "signalements": [
            {"message": r["message_id"], "date": r["created_at"].isoformat(), "raison": r["reason"]}
            for r in MessageReport.objects.filter(reporter=user).values("message_id", "created_at", "reason")
        ],
    }


def erase_messaging(user) -> None:
    Participant.objects.filter(user=user, left_at__isnull=True).update(left_at=timezone.now())
    Block.objects.filter(blocker=user).delete()
    Block.objects.filter(blocked=user).delete()
    for att in MessageAttachment.objects.filter(message__author=user):
        att.file.delete(save=False)
        att.delete()
    MessageReport.objects.filter(reporter=user).update(reason="", reporter=None)
