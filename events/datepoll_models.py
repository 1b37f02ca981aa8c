"""Date polls (sondages de dates): a member proposes slots, invitees answer yes / if needed / no.

Kept apart from ``models.py`` (imported at its end) so the date-poll code stays in its own
modules; foreign keys name other models by string, so this module imports nothing of the app.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel


def poll_token() -> str:
    return secrets.token_urlsafe(16)


class PollInvitees(models.TextChoices):
    GROUP = "group", _("Les membres d'un groupe")
    LIST = "list", _("Une liste de membres")
    LINK = "link", _("Toute personne ayant le lien")


class DatePoll(TimeStampedModel):
    title = models.CharField(_("objet de la réunion"), max_length=200)
    description = models.TextField(_("précisions"), blank=True, max_length=5000, help_text=_("Markdown accepté."))
    location = models.CharField(_("lieu ou format"), max_length=300, blank=True)
    token = models.CharField(max_length=32, unique=True, default=poll_token, editable=False)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="date_polls")
    invitees_kind = models.CharField(_("personnes invitées"), max_length=10, choices=PollInvitees.choices, default=PollInvitees.LIST)
    anonymous = models.BooleanField(
        _("réponses anonymes"), default=False, help_text=_("Seul le décompte est montré, pas qui a répondu quoi.")
    )
    closes_at = models.DateTimeField(_("clôture automatique"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    chosen_slot = models.ForeignKey("events.DateSlot", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="date_polls")
    guests_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sondage de dates")
        verbose_name_plural = _("sondages de dates")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:datepoll_detail", args=[self.token])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and (self.closes_at is None or self.closes_at > timezone.now())


class DateSlot(models.Model):
    poll = models.ForeignKey(DatePoll, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "start", "end"], name="dateslot_unique"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="dateslot_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """ "mardi 8 décembre 2026, 14:00–16:00" in Europe/Paris time."""
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        return f"{date_format(start, 'l j F Y')}, {start:%H:%M}–{end:%H:%M}"

    @property
    def day_label(self) -> str:
        return date_format(timezone.localtime(self.start), "D j b")

    @property
    def time_label(self) -> str:
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        return f"{start:%H:%M}–{end:%H:%M}"


class DatePollGuest(models.Model):
    """A person invited by e-mail, without an account: they answer through a signed link. Only
    their e-mail (to send the link) and the name they give are kept, and both are deleted a
    while after the poll closes (``GUEST_RETENTION_DAYS``)."""

    poll = models.ForeignKey(DatePoll, on_delete=models.CASCADE, related_name="guests")
    email = models.EmailField(_("adresse e-mail"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "email"], condition=~Q(email=""), name="datepollguest_once")]

    def __str__(self) -> str:
        return f"invité·e #{self.pk}"


class DatePollInvitee(models.Model):
    """A member invited by name (list polls; group polls carry their members at creation)."""

    poll = models.ForeignKey(DatePoll, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="date_poll_invitations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="datepollinvitee_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.poll_id}"


class DateAnswer(models.Model):
    """One person's answer to a poll (a member, or a guest by their link): one per person."""

    poll = models.ForeignKey(DatePoll, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="date_answers")
    guest = models.OneToOneField(DatePollGuest, on_delete=models.CASCADE, null=True, blank=True, related_name="answer")
    name = models.CharField(_("nom"), max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], condition=Q(user__isnull=False), name="dateanswer_one_per_member"),
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(guest__isnull=False), name="dateanswer_has_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.name}"


class Choice(models.TextChoices):
    YES = "yes", _("Oui")
    MAYBE = "maybe", _("Si nécessaire")
    NO = "no", _("Non")


class DateVote(models.Model):
    answer = models.ForeignKey(DateAnswer, on_delete=models.CASCADE, related_name="votes")
    slot = models.ForeignKey(DateSlot, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(max_length=5, choices=Choice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "slot"], name="datevote_once")]

    def __str__(self) -> str:
        return f"{self.answer_id}/{self.slot_id}: {self.choice}"
