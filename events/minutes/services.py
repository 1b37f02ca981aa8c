"""Every write of the minutes: the text and its revisions, the amendment round, publication.

Each save of the text is a new revision; accepting a proposed text applies it as a new revision
too. Publication is refused while the round runs, while proposals wait for a decision, and when
the event was cancelled — with a French message, and nothing changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.activity import activity_record
from community.models import ActivityKind, User, is_approved_member
from community.notifications import notification_send
from groups.models import Membership, MembershipStatus, Role

from ..models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Audience,
    Event,
    EventState,
    Minutes,
    MinutesReading,
    MinutesRevision,
    MinutesState,
)
from ..selectors import can_manage, event_audience
from .access import can_write, is_participant, participant_users
from .text import keep_sections, replace_section, section_titles

KIND = "events.minutes"
REMINDER_KIND = "events.minutes_reminder"
MAX_BODY = 60000


def _ensure_writer(actor, event: Event, minutes: Minutes | None) -> None:
    if not can_write(actor, event, minutes):
        raise PermissionDenied


def _notify(minutes: Minutes, *, actor, verb: str, recipients) -> None:
    url = minutes.get_absolute_url()
    for user in recipients:
        if user.pk != actor.pk:
            notification_send(recipient=user, kind=KIND, verb=verb, actor=actor, url=url)


def _revision_add(minutes: Minutes, *, actor, body: str, note: str = "") -> MinutesRevision:
    """Store ``body`` as the minutes' text and as its next revision (on a locked row)."""
    minutes.revision_count += 1
    minutes.body = body
    minutes.save(update_fields=["body", "revision_count", "updated_at"])
    return MinutesRevision.objects.create(minutes=minutes, number=minutes.revision_count, body=body, author=actor, note=note[:255])


def minutes_save(*, actor, event: Event, body: str, secretary: User | None = None, set_secretary: bool = False) -> Minutes:
    """Create or change the text (a new revision each time); the event's managers also name the secretary."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Le compte rendu est vide.")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("Le compte rendu est trop long (60 000 caractères au plus).")})
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().filter(event=event).first()
        _ensure_writer(actor, event, minutes)
        if minutes is not None and minutes.is_published:
            raise ValidationError(_("Le compte rendu est publié : il ne peut plus être modifié."))
        if set_secretary and not can_manage(actor, event):
            raise PermissionDenied
        if set_secretary and secretary is not None and not (is_approved_member(secretary) and secretary.is_active):
            raise ValidationError({"secretary": _("La ou le secrétaire doit être membre du réseau.")})
        if minutes is None:
            minutes = Minutes(event=event, body=body, secretary=secretary if set_secretary else None)
            minutes.save()
        elif set_secretary and minutes.secretary_id != (secretary.pk if secretary else None):
            minutes.secretary = secretary
            minutes.save(update_fields=["secretary", "updated_at"])
            if secretary is not None:
                _notify(
                    minutes,
                    actor=actor,
                    verb=_("Vous êtes secrétaire de séance de « %(title)s »") % {"title": event.title},
                    recipients=[secretary],
                )
        if body != (minutes.revisions.values_list("body", flat=True).first() or ""):
            _revision_add(minutes, actor=actor, body=body)
    return minutes


def minutes_round_open(*, actor, minutes: Minutes, deadline: datetime) -> Minutes:
    """Open the amendment round until ``deadline``; the participants are told."""
    event = minutes.event
    _ensure_writer(actor, event, minutes)
    if deadline is None or deadline <= timezone.now():
        raise ValidationError({"deadline": _("La fin de la relecture doit être dans le futur.")})
    if event.is_cancelled:
        raise ValidationError(_("L'événement a été annulé : pas de relecture du compte rendu."))
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if locked.is_published:
            raise ValidationError(_("Le compte rendu est déjà publié."))
        locked.state, locked.amend_deadline, locked.amend_closed_at = MinutesState.AMENDING, deadline, None
        # A round shorter than the reminder window gets no reminder: the opening notice is one.
        locked.amend_reminded_at = timezone.now() if deadline <= timezone.now() + _reminder_window() else None
        locked.save(update_fields=["state", "amend_deadline", "amend_closed_at", "amend_reminded_at", "updated_at"])
        verb = _("Compte rendu de « %(title)s » à relire jusqu'au %(date)s") % {
            "title": event.title,
            "date": date_format(timezone.localtime(deadline), "j F Y, H:i"),
        }
        _notify(locked, actor=actor, verb=verb, recipients=participant_users(event, locked))
    return locked


def minutes_round_close(*, actor, minutes: Minutes) -> Minutes:
    """Close the round before its deadline (nothing more can be proposed)."""
    _ensure_writer(actor, minutes.event, minutes)
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if locked.round_open:
            locked.amend_closed_at = timezone.now()
            locked.save(update_fields=["amend_closed_at", "updated_at"])
    return locked


def _reminder_window() -> timedelta:
    return timedelta(hours=settings.EVENTS_MINUTES_REMINDER_HOURS)


def _writer_ids(event: Event, minutes: Minutes) -> set[int]:
    """The participants who write the minutes (secretary, organiser, organising group's admins):
    they decide on the amendments and are not reminded to propose any."""
    ids = {pk for pk in (minutes.secretary_id, event.created_by_id) if pk}
    if event.organiser_group_id:
        ids |= set(
            Membership.objects.filter(
                group_id=event.organiser_group_id, status=MembershipStatus.ACTIVE, role__in=[Role.OWNER, Role.ADMIN]
            ).values_list("user_id", flat=True)
        )
    return ids


def minutes_rounds_remind(*, now: datetime | None = None) -> int:
    """Once per round, ``EVENTS_MINUTES_REMINDER_HOURS`` before its deadline, remind the
    participants who have neither commented, proposed a text nor answered « rien à signaler »
    (not for a cancelled event nor a closed round). Idempotent: ``amend_reminded_at`` is set in the transaction of the
    notifications (and of their e-mails in the outbox). Returns the number of reminders."""
    now = now or timezone.now()
    due = Minutes.objects.filter(
        state=MinutesState.AMENDING,
        amend_closed_at__isnull=True,
        amend_reminded_at__isnull=True,
        amend_deadline__gt=now,
        amend_deadline__lte=now + _reminder_window(),
    ).exclude(event__state=EventState.CANCELLED)
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = Minutes.objects.select_for_update().filter(pk=pk, amend_reminded_at__isnull=True).first()
            if locked is None or locked.state != MinutesState.AMENDING or locked.amend_closed_at or locked.amend_deadline <= now:
                continue
            locked.amend_reminded_at = now
            locked.save(update_fields=["amend_reminded_at", "updated_at"])
            event = Event.objects.get(pk=locked.event_id)
            if event.is_cancelled:
                continue
            verb = _("Rappel : le compte rendu de « %(title)s » est à relire jusqu'au %(date)s") % {
                "title": event.title,
                "date": date_format(timezone.localtime(locked.amend_deadline), "j F Y, H:i"),
            }
            contributed = locked.amendments.exclude(author=None).values("author_id")
            recipients = (
                participant_users(event, locked)
                .exclude(pk__in=contributed)
                .exclude(pk__in=locked.readings.values("user_id"))
                .exclude(pk__in=_writer_ids(event, locked))
            )
            url = locked.get_absolute_url() + "#relecture"
            hint = _("Rien à signaler ? Dites-le en un clic sur la page du compte rendu.")
            for user in recipients.order_by("pk"):
                if notification_send(recipient=user, kind=REMINDER_KIND, verb=verb, url=url, description=hint) is not None:
                    sent += 1
    return sent


def minutes_rounds_close_due(*, now: datetime | None = None) -> int:
    """Close the rounds whose deadline passed, as the secretary's « Clore la relecture » does, and
    tell the secretary (else the organiser) what awaits a decision. Idempotent: a round closed
    once (``amend_closed_at``) is skipped. Returns the number of rounds closed."""
    now = now or timezone.now()
    due = Minutes.objects.filter(state=MinutesState.AMENDING, amend_closed_at__isnull=True, amend_deadline__lte=now)
    closed = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = Minutes.objects.select_for_update().filter(pk=pk, amend_closed_at__isnull=True).first()
            if locked is None or locked.state != MinutesState.AMENDING:
                continue
            locked.amend_closed_at = locked.amend_deadline
            locked.save(update_fields=["amend_closed_at", "updated_at"])
            closed += 1
            event = Event.objects.select_related("created_by").get(pk=locked.event_id)
            recipient = locked.secretary if locked.secretary_id else event.created_by
            if event.is_cancelled or recipient is None:
                continue
            waiting = locked.amendments.filter(status=AmendmentStatus.OPEN).count()
            if waiting:
                verb = _("Relecture close : %(n)s commentaire(s) ou proposition(s) à trancher sur « %(title)s »") % {
                    "n": waiting,
                    "title": event.title,
                }
            else:
                verb = _("Relecture close sans proposition : le compte rendu de « %(title)s » peut être validé") % {"title": event.title}
            notification_send(recipient=recipient, kind=KIND, verb=verb, url=locked.get_absolute_url())
    return closed


def amendment_create(*, actor, minutes: Minutes, kind: str, body: str, section: str = "") -> Amendment:
    """A participant's comment, or a replacement text for one section, while the round is open."""
    event = minutes.event
    if not (is_participant(actor, event) or can_write(actor, event, minutes)):
        raise PermissionDenied
    body = (body or "").strip()
    errors = {}
    if kind not in AmendmentKind.values:
        errors["kind"] = _("Choisissez un commentaire ou une proposition de texte.")
    if not body:
        errors["body"] = _("Écrivez votre commentaire ou le texte proposé.")
    elif len(body) > 10000:
        errors["body"] = _("Le texte est trop long (10 000 caractères au plus).")
    if kind == AmendmentKind.REPLACE and section not in section_titles(minutes.body):
        errors["section"] = _("Choisissez la section dont vous proposez un nouveau texte.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if not locked.round_open:
            raise ValidationError(_("La relecture est close : les commentaires et propositions ne sont plus reçus."))
        amendment = Amendment.objects.create(
            minutes=locked, author=actor, kind=kind, section=section if kind == AmendmentKind.REPLACE else "", body=body
        )
        writers = [u for u in (event.created_by, locked.secretary) if u is not None]
        verb = _("%(name)s a commenté le compte rendu de « %(title)s »") % {"name": actor.public_name, "title": event.title}
        _notify(locked, actor=actor, verb=verb, recipients={u.pk: u for u in writers}.values())
    return amendment


def minutes_nothing_to_report(*, actor, minutes: Minutes) -> bool:
    """A participant's one-click answer while the round is open: read, nothing to add (no
    reminder for them; the writers see it). Returns ``False`` when they had already said so."""
    if not (is_participant(actor, minutes.event) or can_write(actor, minutes.event, minutes)):
        raise PermissionDenied
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if not locked.round_open:
            raise ValidationError(_("La relecture est close : les commentaires et propositions ne sont plus reçus."))
        _reading, created = MinutesReading.objects.get_or_create(minutes=locked, user=actor)
    return created


def amendment_decide(*, actor, amendment: Amendment, accept: bool, response: str = "") -> Amendment:
    """Accept or reject a comment or proposal; an accepted text replaces its section (a new revision)."""
    minutes = amendment.minutes
    _ensure_writer(actor, minutes.event, minutes)
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        current = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if locked.is_published:
            raise ValidationError(_("Le compte rendu est déjà publié."))
        if current.status != AmendmentStatus.OPEN:
            raise ValidationError(_("Cette proposition a déjà reçu une réponse."))
        if accept and current.kind == AmendmentKind.REPLACE:
            try:
                body = replace_section(locked.body, current.section, current.body)
            except KeyError:
                raise ValidationError(_("La section « %(s)s » n'existe plus dans le texte.") % {"s": current.section}) from None
            author = current.author.public_name if current.author_id else _("ancien membre")
            _revision_add(
                locked,
                actor=actor,
                body=body,
                note=_("Proposition de %(name)s acceptée (%(section)s)")
                % {
                    "name": author,
                    "section": current.section,
                },
            )
        current.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
        current.decided_by, current.decided_at, current.response = actor, timezone.now(), (response or "").strip()[:1000]
        current.save(update_fields=["status", "decided_by", "decided_at", "response"])
        if current.author_id and current.author_id != actor.pk:
            verb = (
                _("Votre proposition sur « %(title)s » est acceptée")
                if accept
                else _("Votre proposition sur « %(title)s » n'est pas retenue")
            ) % {"title": locked.event.title}
            _notify(locked, actor=actor, verb=verb, recipients=[current.author])
    return current


def minutes_publish(*, actor, minutes: Minutes, public_sections: list[str] | None = None) -> Minutes:
    """Validate and publish: participants told, shown on the event and in the group's activity;
    a public event's restitution keeps only ``public_sections``."""
    event = Event.objects.get(pk=minutes.event_id)
    _ensure_writer(actor, event, minutes)
    if event.is_cancelled:
        raise ValidationError(_("L'événement a été annulé : son compte rendu ne peut pas être validé."))
    titles = section_titles(minutes.body)
    public_sections = [t for t in (public_sections or []) if t]
    if event.audience != Audience.PUBLIC and public_sections:
        raise ValidationError({"public_sections": _("Seul un événement tout public a une restitution publique.")})
    unknown = [t for t in public_sections if t not in titles]
    if unknown:
        raise ValidationError({"public_sections": _("Sections inconnues : %(names)s.") % {"names": ", ".join(unknown)}})
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if locked.is_published:
            raise ValidationError(_("Le compte rendu est déjà publié."))
        if locked.round_open:
            raise ValidationError(_("La relecture est en cours : attendez sa fin ou clôturez-la avant de valider."))
        waiting = locked.amendments.filter(kind=AmendmentKind.REPLACE, status=AmendmentStatus.OPEN).count()
        if waiting:
            raise ValidationError(_("Répondez d'abord aux %(n)s proposition(s) de texte en attente.") % {"n": waiting})
        locked.state, locked.published_at, locked.public_sections = MinutesState.PUBLISHED, timezone.now(), public_sections
        locked.save(update_fields=["state", "published_at", "public_sections", "updated_at"])
        audience = event_audience(event)
        summary = keep_sections(locked.body, public_sections) if audience == "public" else locked.body
        activity_record(
            verb=_("a publié le compte rendu"),
            title=event.title,
            url=locked.get_absolute_url(),
            audience=audience,
            kind=ActivityKind.EVENTS,
            actor=actor,
            summary=summary or _("Compte rendu de la réunion."),
            object_ref=f"events.minutes:{locked.pk}",
            group_id=event.audience_group_id or event.organiser_group_id,
        )
        verb = _("Compte rendu publié : « %(title)s »") % {"title": event.title}
        _notify(locked, actor=actor, verb=verb, recipients=participant_users(event, locked))
    return locked
