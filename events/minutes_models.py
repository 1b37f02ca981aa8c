"""Minutes (comptes rendus) of an event: a Markdown text with its revisions and an amendment round.

Kept apart from ``models.py`` (imported at its end) like the date polls; foreign keys name the
other models by string. The text is cut into sections by its ``## `` headings: an amendment
proposes a replacement for one section, and a public event's restitution keeps the sections the
secretary chose.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    AMENDING = "amending", _("En relecture")
    PUBLISHED = "published", _("Publié")


class Minutes(TimeStampedModel):
    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="minutes")
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("secrétaire de séance")
    )
    body = models.TextField(_("texte du compte rendu"), max_length=60000, help_text=_("Markdown accepté ; une section par titre « ## »."))
    state = models.CharField(_("état"), max_length=10, choices=MinutesState.choices, default=MinutesState.DRAFT, db_index=True)
    revision_count = models.PositiveIntegerField(default=0)
    amend_deadline = models.DateTimeField(_("fin de la relecture"), null=True, blank=True)
    amend_closed_at = models.DateTimeField(_("relecture close le"), null=True, blank=True)
    # Set when the participants were reminded of the deadline (once per round; a re-run sends nothing).
    amend_reminded_at = models.DateTimeField(_("rappel de relecture envoyé le"), null=True, blank=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    public_sections = models.JSONField(_("sections de la restitution publique"), default=list, blank=True)

    class Meta:
        verbose_name = _("compte rendu")
        verbose_name_plural = _("comptes rendus")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return reverse("events:minutes_detail", args=[self.event.slug])

    @property
    def is_published(self) -> bool:
        return self.state == MinutesState.PUBLISHED

    @property
    def round_open(self) -> bool:
        """The amendment round runs until its deadline or until the secretary closes it."""
        return (
            self.state == MinutesState.AMENDING
            and self.amend_closed_at is None
            and (self.amend_deadline is None or self.amend_deadline > timezone.now())
        )


class MinutesRevision(models.Model):
    """Each save of the text (and each accepted amendment) is a numbered revision."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField(max_length=60000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutesrevision_number_once")]

    def __str__(self) -> str:
        return f"{self.minutes_id} v{self.number}"


class AmendmentKind(models.TextChoices):
    COMMENT = "comment", _("Commentaire")
    REPLACE = "replace", _("Proposition de texte")


class AmendmentStatus(models.TextChoices):
    OPEN = "open", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REJECTED = "rejected", _("Refusée")


class Amendment(models.Model):
    """A participant's comment on the draft, or a replacement text for one of its sections."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="amendments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="minutes_amendments"
    )
    kind = models.CharField(_("type"), max_length=10, choices=AmendmentKind.choices, default=AmendmentKind.COMMENT)
    section = models.CharField(_("section"), max_length=200, blank=True)
    body = models.TextField(_("texte"), max_length=10000)
    status = models.CharField(_("statut"), max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.OPEN, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(_("réponse"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("amendement")
        constraints = [
            models.CheckConstraint(condition=Q(kind="comment") | ~Q(section=""), name="amendment_replace_names_section"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_proposal(self) -> bool:
        return self.kind == AmendmentKind.REPLACE


class MinutesReading(models.Model):
    """A participant's « rien à signaler » during the amendment round: they read the draft and have
    nothing to add. The deadline reminder then leaves them alone, and the secretary sees who read it."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="readings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("relecture sans remarque")
        verbose_name_plural = _("relectures sans remarque")
        constraints = [models.UniqueConstraint(fields=["minutes", "user"], name="minutes_reading_unique")]

    def __str__(self) -> str:
        return f"{self.minutes_id}: {self.user_id}"
