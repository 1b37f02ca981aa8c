"""Follow-up actions ("qui fait quoi pour quand"): owners, a due date, a status, an origin.

An action comes from an object of another app (minutes, a forum topic, a group, a consortium).
``actions`` does not import those apps: the origin is described by the app that knows it (see
``origins.py``) and stored here as plain values — its kind and id, its title and link, the
*audience* of the origin (who may see it, in the activity stream's vocabulary) and the
*container* whose board lists it (e.g. ``"group:12"``).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel


class ActionStatus(models.TextChoices):
    TODO = "todo", _("À faire")
    DOING = "doing", _("En cours")
    DONE = "done", _("Fait")
    DROPPED = "dropped", _("Abandonné")


OPEN_STATUSES = (ActionStatus.TODO, ActionStatus.DOING)


class Action(TimeStampedModel):
    description = models.TextField(_("description"), max_length=2000)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="follow_up_actions", verbose_name=_("responsables"))
    due_date = models.DateField(_("échéance"), db_index=True)
    status = models.CharField(_("statut"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.TODO, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("créée par")
    )
    closed_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    # The origin, as described by the app that owns it (origins.py).
    origin_kind = models.CharField(_("type d'origine"), max_length=40)
    origin_id = models.PositiveBigIntegerField(_("identifiant de l'origine"))
    origin_title = models.CharField(_("origine"), max_length=255)
    origin_url = models.CharField(_("lien vers l'origine"), max_length=500)
    audience = models.CharField(_("audience"), max_length=60, db_index=True)
    container = models.CharField(_("tableau"), max_length=60, db_index=True)
    container_title = models.CharField(_("titre du tableau"), max_length=255)

    class Meta:
        verbose_name = _("action de suivi")
        verbose_name_plural = _("actions de suivi")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["origin_kind", "origin_id"]), models.Index(fields=["container", "status", "due_date"])]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("actions:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


class ActionEntry(models.Model):
    """The history of an action: comments and every change, oldest first."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Création")
        COMMENT = "comment", _("Commentaire")
        STATUS = "status", _("Changement de statut")
        UPDATED = "updated", _("Modification")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    body = models.TextField(blank=True, max_length=5000)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("historique d'action")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.action_id}"


class ActionReminder(models.Model):
    """One reminder sent to one owner; the unique key makes the periodic job idempotent."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)  # "before" or "overdue:<week>"
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "user", "key"], name="action_reminder_once")]

    def __str__(self) -> str:
        return f"{self.key} #{self.action_id}"
