"""Every write of date polls, and their periodic jobs.

Invitees are told through the community notification service (member) or the outbox (guest by
e-mail), in the transaction of the change; the live tally is broadcast after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.live import broadcast
from community.models import User, is_approved_member
from community.notifications import notification_send
from community.outbox import email_enqueue
from groups.access import can_post
from groups.models import MembershipStatus

from .. import services as event_services
from ..models import (
    Audience,
    Choice,
    DateAnswer,
    DatePoll,
    DatePollGuest,
    DatePollInvitee,
    DateSlot,
    DateVote,
    Event,
    EventState,
    PollInvitees,
)
from .access import can_manage, can_view, guest_link_token
from .selectors import tally

MAX_SLOTS = 40
MAX_GUESTS = 100
GUEST_RETENTION_DAYS = 30


def live_group(poll_id: int) -> str:
    """The channel-layer group of a poll's live tally."""
    return f"datepoll_{poll_id}"


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "l j F Y, H:i")


def _clean_slots(slots) -> list[tuple[datetime, datetime]]:
    cleaned = sorted({(start, end) for start, end in slots if start and end})
    now = timezone.now()
    if len(cleaned) < 2:
        raise ValidationError({"slots": _("Proposez au moins deux créneaux différents : avec un seul, il n'y a rien à choisir.")})
    if len(cleaned) > MAX_SLOTS:
        raise ValidationError({"slots": _("Au plus %(n)s créneaux.") % {"n": MAX_SLOTS}})
    for start, end in cleaned:
        if end <= start:
            raise ValidationError({"slots": _("Le créneau du %(date)s finit avant de commencer.") % {"date": _local(start)}})
        if start <= now:
            raise ValidationError({"slots": _("Le créneau du %(date)s est déjà passé.") % {"date": _local(start)}})
    return cleaned


def _clean_emails(emails) -> list[str]:
    result = []
    for raw in emails or []:
        email = raw.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"guest_emails": _("Adresse e-mail invalide : %(email)s") % {"email": email}}) from None
        if email not in result:
            result.append(email)
    if len(result) > MAX_GUESTS:
        raise ValidationError({"guest_emails": _("Au plus %(n)s invité·es par e-mail.") % {"n": MAX_GUESTS}})
    return result


def _invite_member(poll: DatePoll, user: User, actor) -> None:
    notification_send(
        recipient=user,
        kind="events.datepoll",
        verb=_("Sondage de dates : « %(title)s » — quand êtes-vous disponible ?") % {"title": poll.title},
        actor=actor,
        url=poll.get_absolute_url(),
    )


def _invite_guest(poll: DatePoll, guest: DatePollGuest, actor) -> None:
    email_enqueue(
        to_email=guest.email,
        subject=_("Sondage de dates : %(title)s") % {"title": poll.title},
        template="emails/events/datepoll_invitation",
        context={"poll": poll, "organiser": actor.public_name, "url": reverse("events:datepoll_guest", args=[guest_link_token(guest)])},
        kind="events.datepoll",
        dedupe_key=f"datepoll-guest:{guest.pk}",
    )


def datepoll_create(
    *,
    actor,
    title: str,
    slots,
    invitees_kind: str,
    description: str = "",
    location: str = "",
    group=None,
    members=(),
    guest_emails=(),
    anonymous: bool = False,
    closes_at: datetime | None = None,
) -> DatePoll:
    """Open a poll; every invitee is told (members by notification, guests by e-mail)."""
    if not is_approved_member(actor):
        raise PermissionDenied
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Donnez un objet à la réunion.")
    if invitees_kind not in PollInvitees.values:
        errors["invitees_kind"] = _("Choisissez qui est invité.")
    if invitees_kind == PollInvitees.GROUP and group is None:
        errors["group"] = _("Choisissez le groupe invité.")
    if closes_at is not None and closes_at <= timezone.now():
        errors["closes_at"] = _("La clôture doit être dans le futur.")
    if errors:
        raise ValidationError(errors)
    if group is not None and not can_post(user=actor, group=group):
        raise PermissionDenied
    slots = _clean_slots(slots)
    if closes_at is not None and closes_at > slots[-1][0]:
        raise ValidationError({"closes_at": _("La clôture doit précéder le dernier créneau proposé.")})
    emails = _clean_emails(guest_emails)
    members = [m for m in {m.pk: m for m in members}.values() if m.pk != actor.pk]
    if invitees_kind == PollInvitees.LIST and not members and not emails:
        raise ValidationError({"members": _("Invitez au moins une personne (un membre ou une adresse e-mail).")})
    if any(not is_approved_member(m) for m in members):
        raise ValidationError({"members": _("Seuls des membres du réseau peuvent être invités par leur nom.")})
    with transaction.atomic():
        poll = DatePoll.objects.create(
            title=title[:200],
            description=(description or "").strip(),
            location=(location or "").strip()[:300],
            organiser=actor,
            group=group,
            invitees_kind=invitees_kind,
            anonymous=anonymous,
            closes_at=closes_at,
        )
        DateSlot.objects.bulk_create([DateSlot(poll=poll, start=s, end=e) for s, e in slots])
        if invitees_kind == PollInvitees.GROUP:
            members = list(
                User.objects.filter(
                    group_memberships__group=group, group_memberships__status=MembershipStatus.ACTIVE, is_active=True
                ).exclude(pk=actor.pk)
            )
        DatePollInvitee.objects.bulk_create([DatePollInvitee(poll=poll, user=m) for m in members])
        for member in members:
            _invite_member(poll, member, actor)
        for email in emails:
            _invite_guest(poll, DatePollGuest.objects.create(poll=poll, email=email), actor)
    return poll


def datepoll_invite_guests(*, actor, poll: DatePoll, emails) -> int:
    """Invite more people by e-mail (organiser); returns how many were new."""
    if not can_manage(user=actor, poll=poll):
        raise PermissionDenied
    if not poll.is_open:
        raise ValidationError(_("Ce sondage est clos."))
    emails = _clean_emails(emails)
    if not emails:
        raise ValidationError({"guest_emails": _("Indiquez au moins une adresse e-mail.")})
    added = 0
    with transaction.atomic():
        known = set(poll.guests.values_list("email", flat=True))
        for email in emails:
            if email in known:
                continue
            _invite_guest(poll, DatePollGuest.objects.create(poll=poll, email=email), actor)
            added += 1
    return added


def _clean_choices(poll: DatePoll, choices: dict) -> dict[int, str]:
    slot_ids = set(poll.slots.values_list("pk", flat=True))
    cleaned = {}
    for key, value in (choices or {}).items():
        try:
            slot_id = int(key)
        except (TypeError, ValueError):
            raise ValidationError(_("Créneau inconnu.")) from None
        if slot_id not in slot_ids:
            raise ValidationError(_("Créneau inconnu."))
        if value not in Choice.values:
            raise ValidationError(_("Réponse inconnue : choisissez oui, si nécessaire ou non."))
        cleaned[slot_id] = value
    missing = slot_ids - set(cleaned)
    if missing:
        raise ValidationError(_("Répondez pour chaque créneau (oui, si nécessaire ou non)."))
    return cleaned


def _answer_row(*, poll: DatePoll, user, guest) -> DateAnswer:
    """The person's answer row, created once even when two requests race: the unique constraint
    settles it and the loser reuses the winner's row; the row lock orders the two writes."""
    lookup = {"poll": poll, "user": user} if user is not None else {"guest": guest}
    answer = DateAnswer.objects.select_for_update().filter(**lookup).first()
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            return DateAnswer.objects.create(poll=poll, user=user, guest=guest)
    except IntegrityError:
        return DateAnswer.objects.select_for_update().get(**lookup)


def datepoll_answer(*, poll: DatePoll, choices: dict, actor=None, guest: DatePollGuest | None = None, name: str = "") -> DateAnswer:
    """Record (or replace) one person's answer: a member (``actor``) or a guest by their link."""
    if (actor is None) == (guest is None):
        raise ValueError("say who answers: actor or guest")
    if actor is not None and not can_view(user=actor, poll=poll):
        raise PermissionDenied
    if guest is not None and guest.poll_id != poll.pk:
        raise PermissionDenied
    if not poll.is_open:
        raise ValidationError(_("Ce sondage est clos : les réponses ne peuvent plus changer."))
    name = " ".join((name or "").split())[:80]
    if guest is not None and not name:
        raise ValidationError({"name": _("Indiquez votre nom (ou un pseudonyme) pour que l'organisateur·rice vous reconnaisse.")})
    cleaned = _clean_choices(poll, choices)
    with transaction.atomic():
        answer = _answer_row(poll=poll, user=actor, guest=guest)
        answer.name = actor.public_name[:80] if actor is not None else name
        answer.updated_at = timezone.now()
        answer.save(update_fields=["name", "updated_at"])
        answer.votes.all().delete()
        DateVote.objects.bulk_create([DateVote(answer=answer, slot_id=slot_id, choice=choice) for slot_id, choice in cleaned.items()])
        transaction.on_commit(lambda: broadcast_tally(poll.pk))
    return answer


def broadcast_tally(poll_id: int) -> None:
    """Send the fresh tally to every open page of the poll (after commit)."""
    poll = DatePoll.objects.filter(pk=poll_id).first()
    if poll is None:
        return
    html = render_to_string("events/datepoll_tally.html", {"poll": poll, "slots": tally(poll)})
    broadcast(live_group(poll_id), {"type": "datepoll.tally", "html": html})


def _close(poll: DatePoll, *, at: datetime) -> bool:
    return bool(DatePoll.objects.filter(pk=poll.pk, closed_at__isnull=True).update(closed_at=at))


def datepoll_close(*, actor, poll: DatePoll) -> DatePoll:
    """Close a poll by hand: its organiser or the group's admins only; answers are frozen."""
    if not can_manage(user=actor, poll=poll):
        raise PermissionDenied
    with transaction.atomic():
        _close(poll, at=timezone.now())
        transaction.on_commit(lambda: broadcast_tally(poll.pk))
    poll.refresh_from_db()
    return poll


def datepolls_close_due(*, now: datetime | None = None) -> int:
    """Close the polls whose closing date passed and tell their organiser (idempotent)."""
    now = now or timezone.now()
    closed = 0
    for poll in DatePoll.objects.filter(closed_at__isnull=True, closes_at__lte=now).select_related("organiser"):
        with transaction.atomic():
            if not _close(poll, at=poll.closes_at):
                continue
            closed += 1
            if poll.organiser is not None:
                notification_send(
                    recipient=poll.organiser,
                    kind="events.datepoll",
                    verb=_("Le sondage « %(title)s » est clos : choisissez le créneau.") % {"title": poll.title},
                    url=poll.get_absolute_url(),
                )
    return closed


def datepoll_to_event(*, actor, poll: DatePoll, slot: DateSlot) -> Event:
    """Close the poll on ``slot`` and create the event in one step: a group poll gives a group
    event, published at once; invitees (members and guests) are told they are invited."""
    if not can_manage(user=actor, poll=poll):
        raise PermissionDenied
    if slot.poll_id != poll.pk:
        raise ValidationError(_("Ce créneau n'appartient pas à ce sondage."))
    if slot.start <= timezone.now():
        raise ValidationError(_("Ce créneau est déjà passé : choisissez-en un autre ou relancez un sondage."))
    with transaction.atomic():
        locked = DatePoll.objects.select_for_update().get(pk=poll.pk)
        if locked.event_id:
            raise ValidationError(_("Ce sondage a déjà donné un événement."))
        fields = {
            "title": locked.title,
            "description": locked.description,
            "address": locked.location,
            "start": slot.start,
            "end": slot.end,
            "audience": Audience.GROUP if locked.group_id else Audience.MEMBERS,
            "audience_group": locked.group,
            "organiser_group": locked.group,
            "state": EventState.PUBLISHED,
        }
        event = event_services.event_create(actor=actor, **fields)
        locked.event, locked.chosen_slot = event, slot
        locked.closed_at = locked.closed_at or timezone.now()
        locked.save(update_fields=["event", "chosen_slot", "closed_at", "updated_at"])
        when = _local(slot.start)
        people = {i.user_id: i.user for i in locked.invitees.select_related("user")}
        people.update({a.user_id: a.user for a in locked.answers.filter(user__isnull=False).select_related("user")})
        people.pop(actor.pk, None)
        for user in people.values():
            notification_send(
                recipient=user,
                kind="events.datepoll",
                verb=_("Date retenue pour « %(title)s » : %(when)s. Vous êtes invité·e.") % {"title": event.title, "when": when},
                actor=actor,
                url=event.get_absolute_url(),
            )
        for guest in locked.guests.exclude(email=""):
            email_enqueue(
                to_email=guest.email,
                subject=_("Date retenue : %(title)s") % {"title": event.title},
                template="emails/events/datepoll_event",
                context={"poll": locked, "event": event, "when": when, "organiser": actor.public_name},
                kind="events.datepoll",
                dedupe_key=f"datepoll-event:{guest.pk}",
            )
        transaction.on_commit(lambda: broadcast_tally(poll.pk))
    return event


def datepoll_guests_purge(*, now: datetime | None = None) -> int:
    """Delete guests' e-mails and names ``GUEST_RETENTION_DAYS`` after their poll closed (their
    votes stay in the tally, as "invité·e"). Idempotent."""
    now = now or timezone.now()
    limit = now - timedelta(days=GUEST_RETENTION_DAYS)
    polls = list(DatePoll.objects.filter(guests_purged_at__isnull=True, closed_at__lte=limit).values_list("pk", flat=True)) + list(
        DatePoll.objects.filter(guests_purged_at__isnull=True, closed_at__isnull=True, closes_at__lte=limit).values_list("pk", flat=True)
    )
    with transaction.atomic():
        DateAnswer.objects.filter(poll_id__in=polls, guest__isnull=False).update(name="")
        DatePollGuest.objects.filter(poll_id__in=polls).update(email="")
        DatePoll.objects.filter(pk__in=polls).update(guests_purged_at=now)
    return len(polls)
