"""Referrals ("fiches d'orientation"): a member sends a person to a place, or to a named member
who manages it, with a warm hand-off.

A referral carries the need (a service of the national schema), its urgency, the channel the
person prefers, the person's recorded consent, and the minimum the receiving place needs to get
in touch (a name or first name, a phone number or an e-mail, a short note). Those three
personal fields are emptied after ``ORIENTATION_RETENTION_DAYS`` by a periodic job
(``personal_data_erased_at`` says when); the rest (place, need, urgency, status, dates) stays
for the counts per place and month, which hold no personal data.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.models import TimeStampedModel
from places.models import Place
from places.schema import SERVICES


class Referral(TimeStampedModel):
    class Status(models.TextChoices):
        SENT = "sent", _("Envoyée, en attente de réponse")
        ACCEPTED = "accepted", _("Acceptée")
        REDIRECTED = "redirected", _("Réorientée vers un autre lieu")
        HANDLED = "handled", _("Prise en charge terminée")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Dans les prochaines semaines")
        SOON = "soon", _("Dans la semaine")
        URGENT = "urgent", _("Urgent (sous 48 h)")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Téléphone")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Courriel")
        VISIT = "visit", _("La personne se présentera sur place")

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("lieu"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_received",
        verbose_name=_("destinataire"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="referrals_sent", verbose_name=_("envoyée par")
    )
    need = models.CharField(_("besoin"), max_length=120, choices=[(s, s) for s in SERVICES])
    urgency = models.CharField(_("urgence"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    contact_channel = models.CharField(_("moyen de contact préféré"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    consent = models.BooleanField(_("consentement de la personne"), default=False)
    consent_at = models.DateTimeField(_("consentement recueilli le"), null=True, blank=True)
    # Personal data of the referred person: emptied after the retention period.
    person_name = models.CharField(_("nom ou prénom de la personne"), max_length=120, blank=True, default="")
    person_contact = models.CharField(_("téléphone ou courriel de la personne"), max_length=200, blank=True, default="")
    note = models.TextField(_("ce que le lieu doit savoir"), blank=True, default="", max_length=1000)
    personal_data_erased_at = models.DateTimeField(_("données personnelles effacées le"), null=True, blank=True, db_index=True)

    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.SENT, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("réponse de")
    )
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    redirected_to = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("réorientée vers")
    )
    answer_note = models.TextField(_("message au prescripteur"), blank=True, default="", max_length=1000)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("fiche d'orientation")
        verbose_name_plural = _("fiches d'orientation")
        constraints = [
            models.CheckConstraint(condition=models.Q(consent=True), name="referral_requires_consent"),
        ]
        indexes = [models.Index(fields=["place", "created_at"])]

    def __str__(self) -> str:
        return f"{self.need} → {self.place.nom}"

    def get_absolute_url(self) -> str:
        return reverse("orientation:referral_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.ACCEPTED)
