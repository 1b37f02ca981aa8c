"""Private conversations: one-to-one or small groups (up to ``MAX_PARTICIPANTS`` people).

Only participants read a conversation — hub staff included: staff see a message only when a
participant reports it (``MessageReport``). ``Conversation.last_message_id`` and
``Participant.last_read_id`` make unread counts a single indexed query.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import PrivateAttachment
from common.storage import private_storage

MAX_PARTICIPANTS = 20


class Conversation(models.Model):
    subject = models.CharField(_("sujet"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    last_message_id = models.BigIntegerField(default=0)
    last_message_at = models.DateTimeField(_("dernier message"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.subject or f"conversation {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:conversation_detail", args=[self.pk])


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_participations")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_id = models.BigIntegerField(default=0)
    # the last message id an unread e-mail/notification was sent for (idempotent periodic job)
    notified_up_to_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="messaging_participant_unique")]
        indexes = [models.Index(fields=["user", "left_at"], name="messaging_part_user_left")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"

    @property
    def active(self) -> bool:
        return self.left_at is None


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="private_messages")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(_("masqué par l'équipe le"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["conversation", "id"], name="messaging_msg_conv_id")]

    def __str__(self) -> str:
        return f"message {self.pk}"


def attachment_path(instance, filename):
    return f"messages/{filename}"


class MessageAttachment(PrivateAttachment):
    """Never served from a public URL: only through the participant-checked download view."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=private_storage)

    def get_absolute_url(self) -> str:
        return reverse("messaging:attachment_download", args=[self.message.conversation_id, self.pk])


class Block(models.Model):
    """``blocker`` no longer receives messages from ``blocked``."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="messaging_block_unique"),
            models.CheckConstraint(condition=~models.Q(blocker=models.F("blocked")), name="messaging_block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("À traiter")
    RESOLVED = "resolved", _("Traité")
    DISMISSED = "dismissed", _("Rejeté")


class MessageReport(models.Model):
    """A participant shows one message to hub staff: the only way staff read a private message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("raison"))
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], condition=models.Q(status="open"), name="messaging_report_open_unique")
        ]

    def __str__(self) -> str:
        return f"report {self.pk} on {self.message_id}"
