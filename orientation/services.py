"""Writes on referrals. Keyword-only, ``actor`` first, one transaction, notifications through the
community notification service (a link and the place's name: never the person's data).

* ``referral_create``: a member sends a person to a place (or a named manager of it);
* ``referral_answer``: the receiving side accepts, redirects to another place, or marks handled;
* ``referral_personal_data_purge``: the periodic job empties the person's data after
  ``ORIENTATION_RETENTION_DAYS`` (idempotent: a second run finds nothing).
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User
from community.notifications import notification_send
from places.access import can_see_place
from places.models import Place

from . import conf
from .access import can_answer
from .models import Referral

PERSONAL_FIELDS = ("person_name", "person_contact", "note")
ANSWERS = {
    "accept": Referral.Status.ACCEPTED,
    "redirect": Referral.Status.REDIRECTED,
    "handled": Referral.Status.HANDLED,
}


def receivers_of(referral: Referral) -> list[User]:
    """Who is told about a new referral: the named member, else every manager of the place."""
    if referral.recipient_id:
        return [referral.recipient]
    return list(referral.place.managers.filter(is_active=True))


def referral_create(*, actor: User, place: Place, data: dict, recipient: User | None = None) -> Referral:
    """Send a referral. Refused (nothing saved) without the person's consent, without a way to
    reach them when the channel needs one, or to a member who does not manage the place."""
    if not actor.is_authenticated or not can_see_place(actor, place) or not place.is_published:
        raise PermissionDenied
    errors = {}
    if not data.get("consent"):
        errors["consent"] = _("Cochez la case : la personne doit avoir donné son accord pour cette orientation.")
    if recipient is not None and not place.managers.filter(pk=recipient.pk).exists():
        errors["recipient"] = _("Ce membre ne fait pas partie de l'équipe du lieu.")
    channel = data.get("contact_channel") or Referral.Channel.PHONE
    if channel != Referral.Channel.VISIT and not (data.get("person_contact") or "").strip():
        errors["person_contact"] = _("Indiquez comment joindre la personne (ou choisissez « se présentera sur place »).")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    referral = Referral(
        place=place,
        recipient=recipient,
        sender=actor,
        need=data["need"],
        urgency=data.get("urgency") or Referral.Urgency.NORMAL,
        contact_channel=channel,
        consent=True,
        consent_at=now,
        person_name=(data.get("person_name") or "").strip(),
        person_contact=(data.get("person_contact") or "").strip(),
        note=(data.get("note") or "").strip(),
    )
    referral.full_clean()
    with transaction.atomic():
        referral.save()
        url = referral.get_absolute_url()
        for user in receivers_of(referral):
            notification_send(
                recipient=user,
                kind="orientation.received",
                actor=actor,
                verb=_("Nouvelle fiche d'orientation pour %(place)s") % {"place": place.nom},
                description=_("Ouvrez la fiche dans Maillage pour la lire et y répondre."),
                target=referral,
                url=url,
            )
    return referral


def referral_answer(*, actor: User, referral: Referral, action: str, note: str = "", redirected_to: Place | None = None) -> Referral:
    """The receiving side answers: ``accept``, ``redirect`` (to another published place) or
    ``handled``. A handled or redirected referral is closed. The sender is told (a link only)."""
    if not can_answer(actor, referral):
        raise PermissionDenied
    if action not in ANSWERS:
        raise ValidationError(_("Réponse inconnue."))
    if not referral.is_open:
        raise ValidationError(_("Cette orientation est close."))
    bad_target = redirected_to is None or not redirected_to.is_published or redirected_to.pk == referral.place_id
    if action == "redirect" and bad_target:
        raise ValidationError({"redirected_to": _("Choisissez le lieu vers lequel réorienter la personne.")})
    status = ANSWERS[action]
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED]).update(
            status=status,
            answered_by=actor,
            answered_at=timezone.now(),
            redirected_to=redirected_to if action == "redirect" else None,
            answer_note=note.strip()[:1000],
            updated_at=timezone.now(),
        )
        if not updated:
            raise ValidationError(_("Cette orientation est close."))
        referral.refresh_from_db()
        if referral.sender_id:
            notification_send(
                recipient=referral.sender,
                kind="orientation.answered",
                actor=actor,
                verb=_("Votre orientation vers %(place)s : %(status)s")
                % {"place": referral.place.nom, "status": referral.get_status_display()},
                target=referral,
                url=referral.get_absolute_url(),
            )
    return referral


def referral_personal_data_purge(*, now: datetime | None = None) -> int:
    """Empty the referred person's data on referrals older than the retention period (one
    update; idempotent). Returns the number of referrals purged."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.retention_days())
    return Referral.objects.filter(created_at__lt=cutoff, personal_data_erased_at__isnull=True).update(
        person_name="", person_contact="", note="", answer_note="", personal_data_erased_at=now
    )
