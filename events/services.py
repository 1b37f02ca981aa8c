"""Every write of the events app.

The seat rule lives in two tiny functions, ``_seats_take`` and ``_seats_release``: a
conditional ``UPDATE`` on ``Event.seats_taken`` that only succeeds while seats remain. Both
databases serialise concurrent updates of one row (PostgreSQL re-checks the ``WHERE`` after
the row lock; SQLite runs one ``BEGIN IMMEDIATE`` writer at a time), and a check constraint
refuses any state with more seats taken than the capacity. A registration and its seat are
written in the same transaction, so a failure half-way leaves neither.
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.live import broadcast
from common.urls import absolute_url
from community.notifications import notification_send
from community.outbox import email_enqueue

from .ics import build_calendar
from .models import (
    ACTIVE,
    SEAT_HOLDING,
    Audience,
    Breakout,
    BreakoutChoice,
    BreakoutNote,
    CalendarToken,
    Event,
    EventSeries,
    EventState,
    Proposal,
    ProposalStatus,
    Question,
    Registration,
    RegistrationStatus,
)
from .selectors import can_manage, can_register

logger = logging.getLogger(__name__)


# --- seats ------------------------------------------------------------------------------------
def _seats_take(event_id: int, n: int) -> bool:
    """Take ``n`` seats if they remain; True on success. Must run inside the caller's transaction."""
    return bool(
        Event.objects.filter(pk=event_id)
        .filter(Q(capacity__isnull=True) | Q(capacity__gte=F("seats_taken") + n))
        .update(seats_taken=F("seats_taken") + n)
    )


def _seats_release(event_id: int, n: int) -> None:
    Event.objects.filter(pk=event_id, seats_taken__gte=n).update(seats_taken=F("seats_taken") - n)


# --- events -----------------------------------------------------------------------------------
EVENT_FIELDS = {
    "title",
    "summary",
    "description",
    "type",
    "format",
    "address",
    "commune",
    "online_url",
    "start",
    "end",
    "organiser_group",
    "audience",
    "audience_group",
    "image",
    "tags",
    "state",
    "capacity",
    "signup_enabled",
    "signup_opens_at",
    "signup_closes_at",
    "max_guests",
    "confirm_within_hours",
    "reminder_minutes",
    "accepts_proposals",
    "series",
}
# Changes participants must hear about.
NOTIFIED_FIELDS = {"start", "end", "address", "commune", "online_url", "format"}


def _validate_event(event: Event) -> None:
    errors = {}
    if event.start and event.end and event.end < event.start:
        errors["end"] = _("La fin doit suivre le début.")
    if event.audience == Audience.GROUP and not event.audience_group_id:
        errors["audience_group"] = _("Choisissez le groupe auquel l'événement s'adresse.")
    if (
        event.organiser_group_id
        and event.organiser_group.is_secret
        and not (event.audience == Audience.GROUP and event.audience_group_id == event.organiser_group_id)
    ):
        errors["audience"] = _("Un groupe secret ne peut organiser que des événements réservés à ses membres.")
    if event.capacity is not None and event.seats_taken > event.capacity:
        errors["capacity"] = _("%(n)s places sont déjà prises : la capacité ne peut pas descendre en dessous.") % {"n": event.seats_taken}
    if errors:
        raise ValidationError(errors)


def _value_of(event: Event, name: str):
    field = Event._meta.get_field(name)
    return getattr(event, field.attname)


def event_create(*, created_by, **fields) -> Event:
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"unknown event fields: {unknown}")
    event = Event(created_by=created_by, **fields)
    if event.audience != Audience.GROUP:
        event.audience_group = None
    _validate_event(event)
    event.save()
    return event


def event_update(*, event: Event, by, **fields) -> Event:
    """Save changes; participants hear about a new time or place, and freed capacity promotes."""
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"unknown event fields: {unknown}")
    with transaction.atomic():
        current = Event.objects.select_for_update().get(pk=event.pk)
        changed = {name for name, value in fields.items() if _value_of(current, name) != (value.pk if hasattr(value, "pk") else value)}
        for name, value in fields.items():
            setattr(current, name, value)
        if current.audience != Audience.GROUP:
            current.audience_group = None
        _validate_event(current)
        cancelling = "state" in changed and current.state == EventState.CANCELLED
        if cancelling:  # cancelling through the edit form: same path as the cancel button
            current.state = Event.objects.get(pk=current.pk).state
        notify = current.state == EventState.PUBLISHED and bool(changed & NOTIFIED_FIELDS)
        if notify:
            current.sequence = F("sequence") + 1
        current.save()
        current.refresh_from_db()
        if "capacity" in changed:
            waitlist_promote(event=current)
        if cancelling:
            return event_cancel(event=current, by=by)
        if notify:
            _participants_notify(
                current,
                kind="events.change",
                verb=_("Changement pour « %(title)s »") % {"title": current.title},
                description=_("Le %(date)s. Vérifiez la date, le lieu ou le lien sur la page de l'événement.")
                % {"date": _local(current.start)},
            )
    return current


def event_publish(*, event: Event, by) -> Event:
    Event.objects.filter(pk=event.pk, state=EventState.DRAFT).update(state=EventState.PUBLISHED)
    event.refresh_from_db()
    return event


def event_cancel(*, event: Event, by, reason: str = "") -> Event:
    """Cancel the event; every participant is told (the registrations are kept, for the record)."""
    with transaction.atomic():
        updated = (
            Event.objects.filter(pk=event.pk)
            .exclude(state=EventState.CANCELLED)
            .update(state=EventState.CANCELLED, sequence=F("sequence") + 1)
        )
        event.refresh_from_db()
        if updated:
            _participants_notify(
                event,
                kind="events.change",
                verb=_("Événement annulé : « %(title)s »") % {"title": event.title},
                description=reason or _("L'événement prévu le %(date)s est annulé.") % {"date": _local(event.start)},
            )
    return event


def series_create(*, created_by, interval_weeks: int, count: int, signup_scope: str, **fields) -> EventSeries:
    """Materialise a recurrence as one event per date (Europe/Paris wall-clock time is kept)."""
    if count < 1 or count > 52 or interval_weeks < 1:
        raise ValidationError(_("Une série compte de 1 à 52 dates, espacées d'au moins une semaine."))
    with transaction.atomic():
        series = EventSeries.objects.create(title=fields["title"], interval_weeks=interval_weeks, count=count, signup_scope=signup_scope)
        start_local = timezone.localtime(fields.pop("start"))
        duration = fields.pop("end") - start_local
        for i in range(count):
            # Add days to the local wall-clock time, then localise: 14:00 stays 14:00 across DST.
            naive = start_local.replace(tzinfo=None) + timedelta(weeks=interval_weeks * i)
            start = timezone.make_aware(naive)
            event_create(created_by=created_by, start=start, end=start + duration, series=series, **fields)
    return series


# --- sign-up form ------------------------------------------------------------------------------
def question_save(*, event: Event, question: Question | None = None, **fields) -> Question:
    if question is None:
        position = (event.questions.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        question = Question(event=event, position=fields.pop("position", position))
    for name, value in fields.items():
        setattr(question, name, value)
    if question.kind in ("choice", "multi") and not question.choice_list:
        raise ValidationError({"choices": _("Indiquez au moins un choix (un par ligne).")})
    question.save()
    return question


def question_delete(*, question: Question) -> None:
    question.delete()


def answers_clean(*, event: Event, answers: dict) -> dict:
    """Validate raw answers against the event's form; raises ValidationError with field messages."""
    from .forms import signup_form_for

    form = signup_form_for(event, data=answers, with_identity=False, with_guests=False)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form.cleaned_answers()


# --- registrations -----------------------------------------------------------------------------
def _local(dt: datetime) -> str:
    return timezone.localtime(dt).strftime("%d/%m/%Y à %H:%M")


def registration_create(
    *,
    event: Event,
    user=None,
    email: str = "",
    name: str = "",
    answers: dict | None = None,
    guests: list[str] | None = None,
    by_staff=None,
    series: bool = False,
) -> Registration:
    """Sign someone up: confirmed while seats remain, waitlisted after.

    A member signs up with their account; anyone else (public events only) gives an e-mail and
    is confirmed once they follow the link we send (``PENDING`` until then, no seat held).
    ``series=True`` signs up for every upcoming date of the event's series as well.
    """
    guests = [g.strip() for g in (guests or []) if g and g.strip()]
    if by_staff is None:
        if not event.signup_is_open():
            raise ValidationError(_("Les inscriptions à cet événement ne sont pas ouvertes."))
        if user is not None and not can_register(user, event):
            raise PermissionDenied
        if user is None and event.audience != Audience.PUBLIC:
            raise PermissionDenied
    elif not can_manage(by_staff, event):
        raise PermissionDenied
    if len(guests) > event.max_guests:
        raise ValidationError({"guests": _("Au plus %(n)s accompagnant·e(s).") % {"n": event.max_guests}})
    cleaned = answers_clean(event=event, answers=answers or {}) if answers is not None else {}
    if user is not None:
        email, name = user.email, user.public_name
    if not email:
        raise ValidationError({"email": _("Indiquez votre adresse e-mail.")})
    if not name:
        raise ValidationError({"name": _("Indiquez votre nom.")})
    email = email.strip().lower() if user is None else email

    with transaction.atomic():
        reg = _registration_write(
            event=event, user=user, email=email, name=name, answers=cleaned, guests=guests, pending=user is None and by_staff is None
        )
        if series and event.series_id:
            others = Event.objects.filter(series_id=event.series_id, start__gt=event.start, state=EventState.PUBLISHED)
            for other in others:
                if not Registration.objects.filter(event=other, email=email, status__in=ACTIVE).exists():
                    _registration_write(event=other, user=user, email=email, name=name, answers=cleaned, guests=guests, pending=False)
    return reg


def _registration_write(*, event: Event, user, email: str, name: str, answers: dict, guests: list[str], pending: bool) -> Registration:
    """Write a registration and its messages (outbox e-mail, notification); take its seat last.

    Taking a seat locks the event row until the caller commits, and every other sign-up for the
    event waits on that lock. So the registration and its messages are first written for the
    outcome the current seat count promises, holding no lock; the conditional seat ``UPDATE``
    comes last, just before the commit. When it disagrees with the promise (somebody took the
    last seat meanwhile, or freed one), that work is rolled back to a savepoint and redone for
    the real outcome. The messages stay in the registration's transaction (outbox): a crash
    never leaves a registration without its e-mail, nor an e-mail without its registration.
    """
    if Registration.objects.filter(event=event, email__iexact=email, status__in=ACTIVE).exists():
        raise ValidationError(_("Vous êtes déjà inscrit·e à cet événement."))
    seats = 1 + len(guests)
    if pending:
        return _registration_save(event=event, user=user, email=email, name=name, answers=answers, guests=guests, status=RegistrationStatus.PENDING)
    hoped = Event.objects.filter(pk=event.pk).filter(Q(capacity__isnull=True) | Q(capacity__gte=F("seats_taken") + seats)).exists()
    status = RegistrationStatus.CONFIRMED if hoped else RegistrationStatus.WAITLISTED
    try:
        with transaction.atomic():  # a savepoint: leaving it by _SeatCountChanged undoes all of it
            reg = _registration_save(event=event, user=user, email=email, name=name, answers=answers, guests=guests, status=status)
            if _seats_take(event.pk, seats) != hoped:
                raise _SeatCountChanged
            return reg
    except _SeatCountChanged:
        pass  # the registration, its messages (and their on-commit hooks) and any seat are rolled back
    status = RegistrationStatus.CONFIRMED if _seats_take(event.pk, seats) else RegistrationStatus.WAITLISTED
    return _registration_save(event=event, user=user, email=email, name=name, answers=answers, guests=guests, status=status)


class _SeatCountChanged(Exception):
    """Raised to roll a sign-up back to its savepoint when the seat UPDATE contradicts the count read before."""


def _registration_save(*, event: Event, user, email: str, name: str, answers: dict, guests: list[str], status: str) -> Registration:
    reg = Registration(event=event, user=user, email=email, name=name, answers=answers, guests=guests, seats=1 + len(guests), status=status)
    if status == RegistrationStatus.WAITLISTED:
        reg.waitlisted_at = timezone.now()
    try:
        with transaction.atomic():
            reg.save()
    except IntegrityError as exc:  # the same e-mail raced us: the outer transaction rolls the seat back
        raise ValidationError(_("Vous êtes déjà inscrit·e à cet événement.")) from exc
    _registration_announce(reg)
    return reg


def registration_confirm_email(*, token: str) -> Registration:
    """A non-member followed the link: take a seat or join the waiting list."""
    with transaction.atomic():
        reg = Registration.objects.select_related("event").filter(token=token).first()
        if reg is None:
            raise ValidationError(_("Ce lien n'est pas valable."))
        if reg.status != RegistrationStatus.PENDING:
            return reg
        if _seats_take(reg.event_id, reg.seats):
            status, waitlisted_at = RegistrationStatus.CONFIRMED, None
        else:
            status, waitlisted_at = RegistrationStatus.WAITLISTED, timezone.now()
        if not Registration.objects.filter(pk=reg.pk, status=RegistrationStatus.PENDING).update(status=status, waitlisted_at=waitlisted_at):
            raise ValidationError(_("Ce lien a déjà servi."))
        reg.refresh_from_db()
        _registration_announce(reg)
    return reg


def registration_cancel(*, registration: Registration, by=None) -> Registration:
    """Cancel a registration; a freed seat goes at once to the next person on the waiting list."""
    with transaction.atomic():
        reg = Registration.objects.select_related("event").get(pk=registration.pk)
        if by is not None and reg.user_id != by.pk and not can_manage(by, reg.event):
            raise PermissionDenied
        held = reg.status in SEAT_HOLDING
        if not Registration.objects.filter(pk=reg.pk, status=reg.status, status__in=ACTIVE).update(
            status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now(), offer_expires_at=None
        ):
            return reg
        if held:
            _seats_release(reg.event_id, reg.seats)
            waitlist_promote(event=reg.event)
        reg.refresh_from_db()
    return reg


def registration_cancel_by_token(*, token: str) -> Registration:
    reg = Registration.objects.filter(token=token).first()
    if reg is None:
        raise ValidationError(_("Ce lien n'est pas valable."))
    return registration_cancel(registration=reg)


def waitlist_promote(*, event: Event) -> list[Registration]:
    """Give freed seats to the waiting list, first come first served.

    With ``confirm_within_hours`` the seat is offered and held until the deadline; otherwise it
    is confirmed at once. Each promotion is a conditional update, so two concurrent callers
    never promote the same person twice.
    """
    event = Event.objects.get(pk=event.pk)
    promoted = []
    if event.state != EventState.PUBLISHED or event.start <= timezone.now():
        return promoted
    with transaction.atomic():
        for reg in Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).order_by("waitlisted_at", "pk"):
            if not _seats_take(event.pk, reg.seats):
                break
            if event.confirm_within_hours:
                new_status = RegistrationStatus.OFFERED
                expires = min(timezone.now() + timedelta(hours=event.confirm_within_hours), event.start)
            else:
                new_status, expires = RegistrationStatus.CONFIRMED, None
            if not Registration.objects.filter(pk=reg.pk, status=RegistrationStatus.WAITLISTED).update(
                status=new_status, offer_expires_at=expires
            ):
                _seats_release(event.pk, reg.seats)
                continue
            reg.refresh_from_db()
            _registration_announce(reg, promoted=True)
            promoted.append(reg)
    return promoted


def registration_offer_accept(*, registration: Registration, by=None) -> Registration:
    with transaction.atomic():
        reg = Registration.objects.get(pk=registration.pk)
        if by is not None and reg.user_id != by.pk:
            raise PermissionDenied
        if reg.status != RegistrationStatus.OFFERED:
            raise ValidationError(_("Aucune place ne vous est proposée pour le moment."))
        if reg.offer_expires_at and reg.offer_expires_at < timezone.now():
            raise ValidationError(_("Le délai de confirmation est dépassé."))
        Registration.objects.filter(pk=reg.pk, status=RegistrationStatus.OFFERED).update(
            status=RegistrationStatus.CONFIRMED, offer_expires_at=None
        )
        reg.refresh_from_db()
        _registration_announce(reg)
    return reg


def offers_expire(*, now=None) -> int:
    """Offers past their deadline lapse: the seat passes to the next person. Idempotent."""
    now = now or timezone.now()
    count = 0
    for reg in Registration.objects.filter(status=RegistrationStatus.OFFERED, offer_expires_at__lt=now):
        with transaction.atomic():
            if Registration.objects.filter(pk=reg.pk, status=RegistrationStatus.OFFERED).update(
                status=RegistrationStatus.CANCELLED, cancelled_at=now, offer_expires_at=None
            ):
                _seats_release(reg.event_id, reg.seats)
                waitlist_promote(event=reg.event)
                if reg.user_id:
                    notification_send(
                        recipient=reg.user,
                        kind="events.waitlist",
                        verb=_("Délai dépassé : votre place à « %(title)s » est passée à la personne suivante")
                        % {"title": reg.event.title},
                        url=reg.event.get_absolute_url(),
                    )
                count += 1
    return count


def registration_staff_confirm(*, registration: Registration, by) -> Registration:
    """Staff confirm a waitlisted, offered or pending person, if a seat remains."""
    with transaction.atomic():
        reg = Registration.objects.select_related("event").get(pk=registration.pk)
        if not can_manage(by, reg.event):
            raise PermissionDenied
        if reg.status == RegistrationStatus.CONFIRMED:
            return reg
        if reg.status == RegistrationStatus.OFFERED:
            return registration_offer_accept(registration=reg)
        if reg.status not in (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING):
            raise ValidationError(_("Cette inscription est annulée."))
        if not _seats_take(reg.event_id, reg.seats):
            raise ValidationError(_("Plus aucune place : augmentez la capacité ou annulez une autre inscription."))
        Registration.objects.filter(pk=reg.pk, status=reg.status).update(status=RegistrationStatus.CONFIRMED, offer_expires_at=None)
        reg.refresh_from_db()
        _registration_announce(reg, promoted=True)
    return reg


def registration_move(*, registration: Registration, to_event: Event, by) -> Registration:
    """Move someone to another event (e.g. another date of the series), in one transaction."""
    with transaction.atomic():
        reg = Registration.objects.select_related("event", "user").get(pk=registration.pk)
        if not (can_manage(by, reg.event) and can_manage(by, to_event)):
            raise PermissionDenied
        if reg.status not in ACTIVE:
            raise ValidationError(_("Cette inscription est annulée."))
        registration_cancel(registration=reg)
        return _registration_write(
            event=to_event, user=reg.user, email=reg.email, name=reg.name, answers=reg.answers, guests=reg.guests, pending=False
        )


def registration_check_in(*, registration: Registration, by, present: bool = True) -> Registration:
    if not can_manage(by, registration.event):
        raise PermissionDenied
    if registration.status not in SEAT_HOLDING and present:
        raise ValidationError(_("Seules les personnes confirmées peuvent être pointées."))
    Registration.objects.filter(pk=registration.pk).update(attended_at=timezone.now() if present else None)
    registration.refresh_from_db()
    return registration


def registration_check_in_by_code(*, event: Event, code: str, by) -> Registration:
    reg = Registration.objects.filter(event=event, code=code.strip().upper()).first()
    if reg is None:
        raise ValidationError(_("Aucune inscription avec ce code pour cet événement."))
    return registration_check_in(registration=reg, by=by)


# --- messages ----------------------------------------------------------------------------------
def ics_attachment(event: Event, *, with_link: bool) -> dict:
    content = build_calendar([event], name=event.title, show_link_for={event.pk} if with_link else set(), method="PUBLISH")
    return {"filename": "evenement.ics", "content_b64": base64.b64encode(content).decode(), "mimetype": "text/calendar"}


def _registration_announce(reg: Registration, *, promoted: bool = False) -> None:
    """E-mail (with the .ics when a seat is held) and, for members, an in-app notification."""
    event = reg.event
    status = reg.status
    context = {"registration": reg, "event": event, "promoted": promoted, "event_url": absolute_url(event.get_absolute_url())}
    from django.urls import reverse

    context["cancel_url"] = absolute_url(reverse("events:registration_cancel_token", args=[reg.token]))
    context["confirm_url"] = absolute_url(reverse("events:registration_confirm_token", args=[reg.token]))
    context["when"] = _local(event.start)
    if status == RegistrationStatus.PENDING:
        subject, template = _("Confirmez votre inscription : %(t)s"), "emails/events/confirm_address"
    elif status == RegistrationStatus.CONFIRMED:
        subject, template = (
            (_("Une place s'est libérée : %(t)s") if promoted else _("Inscription confirmée : %(t)s")),
            "emails/events/confirmed",
        )
    elif status == RegistrationStatus.OFFERED:
        subject, template = _("Une place vous attend, à confirmer : %(t)s"), "emails/events/offered"
    elif status == RegistrationStatus.WAITLISTED:
        subject, template = _("Liste d'attente : %(t)s"), "emails/events/waitlisted"
    else:
        return
    attachments = [ics_attachment(event, with_link=status == RegistrationStatus.CONFIRMED)] if status in SEAT_HOLDING else []
    email_enqueue(
        to_email=reg.email,
        recipient=reg.user,
        subject=subject % {"t": event.title},
        template=template,
        context=context,
        kind="events.registration",
        dedupe_key=f"events:reg:{reg.pk}:{status}",
        attachments=attachments,
    )
    if reg.user_id:
        kind = (
            "events.waitlist"
            if promoted or status in (RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED)
            else "events.registration"
        )
        notification_send(recipient=reg.user, kind=kind, verb=subject % {"t": event.title}, url=event.get_absolute_url())


def _participants_notify(event: Event, *, kind: str, verb: str, description: str = "") -> None:
    """Tell every active registrant: members through their preferences, others by e-mail."""
    for reg in (
        Registration.objects.filter(event=event, status__in=ACTIVE).exclude(status=RegistrationStatus.PENDING).select_related("user")
    ):
        if reg.user_id:
            notification_send(recipient=reg.user, kind=kind, verb=verb, description=description, url=event.get_absolute_url())
        else:
            email_enqueue(
                to_email=reg.email,
                subject=verb,
                template="emails/events/change",
                context={"verb": verb, "description": description, "event": event, "event_url": absolute_url(event.get_absolute_url())},
                kind=kind,
                attachments=[ics_attachment(event, with_link=False)],
            )


def reminders_send(*, now=None) -> int:
    """Send due reminders (default 2 days and 2 hours before). Idempotent: each offset once."""
    now = now or timezone.now()
    horizon = now + timedelta(days=8)
    sent = 0
    events = Event.objects.filter(state=EventState.PUBLISHED, start__gt=now, start__lte=horizon)
    for event in events:
        offsets = sorted({int(m) for m in (event.reminder_minutes or [])}, reverse=True)
        due = [m for m in offsets if event.start - timedelta(minutes=m) <= now]
        if not due:
            continue
        offset = min(due)  # the closest one; older ones are no longer useful
        for reg in Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).select_related("user"):
            if offset in (reg.reminders_sent or []):
                continue
            with transaction.atomic():
                marked = sorted({*(reg.reminders_sent or []), *due})
                Registration.objects.filter(pk=reg.pk).update(reminders_sent=marked)
                verb = _("Rappel : « %(title)s » le %(date)s") % {"title": event.title, "date": _local(event.start)}
                if reg.user_id:
                    notification_send(recipient=reg.user, kind="events.reminder", verb=verb, url=event.get_absolute_url())
                else:
                    email_enqueue(
                        to_email=reg.email,
                        subject=verb,
                        template="emails/events/change",
                        context={"verb": verb, "description": "", "event": event, "event_url": absolute_url(event.get_absolute_url())},
                        kind="events.reminder",
                        dedupe_key=f"events:reminder:{reg.pk}:{offset}",
                    )
                sent += 1
    return sent


def calendar_token_rotate(*, user) -> CalendarToken:
    """Create or replace the member's feed secret: old subscription links stop working."""
    from .models import new_token

    token, created = CalendarToken.objects.get_or_create(user=user)
    if not created:
        token.token = new_token()
        token.created_at = timezone.now()
        token.save(update_fields=["token", "created_at"])
    return token


# --- collective-intelligence sessions ---------------------------------------------------------
def proposal_create(*, event: Event, author, title: str, pitch: str, wants: str = "") -> Proposal:
    if not event.accepts_proposals:
        raise ValidationError(_("Cet événement ne reçoit pas de propositions."))
    if not can_register(author, event) or author.is_anonymous:
        raise PermissionDenied
    if not title.strip() or not pitch.strip():
        raise ValidationError(_("Donnez un titre et une présentation."))
    return Proposal.objects.create(event=event, author=author, title=title.strip(), pitch=pitch, wants=wants)


def proposal_decide(*, proposal: Proposal, by, accept: bool, host=None, size_limit: int | None = None) -> Proposal:
    """Accept (the proposal becomes a breakout hosted by its author unless told otherwise) or decline."""
    if not can_manage(by, proposal.event):
        raise PermissionDenied
    with transaction.atomic():
        proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
        proposal.save(update_fields=["status", "updated_at"])
        if accept:
            Breakout.objects.get_or_create(
                proposal=proposal,
                defaults={"event": proposal.event, "title": proposal.title, "host": host or proposal.author, "size_limit": size_limit},
            )
        else:
            Breakout.objects.filter(proposal=proposal, participant_count=0).delete()
        if proposal.author_id:
            verb = (_("Votre proposition « %(t)s » est retenue") if accept else _("Votre proposition « %(t)s » n'est pas retenue")) % {
                "t": proposal.title
            }
            notification_send(recipient=proposal.author, kind="events.registration", verb=verb, url=proposal.event.get_absolute_url())
    return proposal


def breakout_create(*, event: Event, by, title: str, host=None, size_limit: int | None = None) -> Breakout:
    if not can_manage(by, event):
        raise PermissionDenied
    return Breakout.objects.create(event=event, title=title, host=host, size_limit=size_limit)


def breakout_update(*, breakout: Breakout, by, **fields) -> Breakout:
    if not can_manage(by, breakout.event):
        raise PermissionDenied
    for name in ("title", "host", "size_limit"):
        if name in fields:
            setattr(breakout, name, fields[name])
    if breakout.size_limit is not None and breakout.participant_count > breakout.size_limit:
        raise ValidationError(_("Le sous-groupe compte déjà plus de personnes."))
    breakout.save()
    return breakout


def may_join_session(user, event: Event) -> bool:
    return can_manage(user, event) or Registration.objects.filter(event=event, user=user, status__in=SEAT_HOLDING).exists()


def breakout_choose(*, breakout: Breakout, user) -> BreakoutChoice:
    """Join a sub-group (leaving the previous one); the size limit holds under concurrency."""
    event = breakout.event
    if not user.is_authenticated or not may_join_session(user, event):
        raise PermissionDenied
    with transaction.atomic():
        previous = BreakoutChoice.objects.filter(event=event, user=user).first()
        if previous and previous.breakout_id == breakout.pk:
            return previous
        taken = (
            Breakout.objects.filter(pk=breakout.pk)
            .filter(Q(size_limit__isnull=True) | Q(size_limit__gt=F("participant_count")))
            .update(participant_count=F("participant_count") + 1)
        )
        if not taken:
            raise ValidationError(_("Ce sous-groupe est complet."))
        if previous:
            Breakout.objects.filter(pk=previous.breakout_id, participant_count__gt=0).update(participant_count=F("participant_count") - 1)
            previous.breakout = breakout
            previous.save(update_fields=["breakout", "updated_at"])
            choice = previous
        else:
            choice = BreakoutChoice.objects.create(event=event, breakout=breakout, user=user)
        transaction.on_commit(lambda: broadcast_counts(event.pk))
    return choice


def breakout_leave(*, event: Event, user) -> None:
    with transaction.atomic():
        choice = BreakoutChoice.objects.filter(event=event, user=user).first()
        if choice is None:
            return
        Breakout.objects.filter(pk=choice.breakout_id, participant_count__gt=0).update(participant_count=F("participant_count") - 1)
        choice.delete()
        transaction.on_commit(lambda: broadcast_counts(event.pk))


def note_create(*, breakout: Breakout, author, body: str) -> BreakoutNote:
    if not may_join_session(author, breakout.event):
        raise PermissionDenied
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("La note est vide.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("La note est trop longue (5000 caractères au plus).")})
    note = BreakoutNote.objects.create(breakout=breakout, author=author, body=body)
    transaction.on_commit(lambda: broadcast_note(note.pk))
    return note


def restitution_publish(*, breakout: Breakout, by, text: str) -> Breakout:
    """The host (or staff) publishes the sub-group's restitution; participants are notified."""
    event = breakout.event
    if not (by.is_authenticated and (breakout.host_id == by.pk or can_manage(by, event))):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"restitution": _("La restitution est vide.")})
    with transaction.atomic():
        first_time = breakout.restitution_published_at is None
        breakout.restitution = text
        breakout.restitution_published_at = breakout.restitution_published_at or timezone.now()
        breakout.save(update_fields=["restitution", "restitution_published_at", "updated_at"])
        if first_time:
            _participants_notify(
                event,
                kind="events.restitution",
                verb=_("Restitution publiée : « %(t)s » (%(e)s)") % {"t": breakout.title, "e": event.title},
            )
    return breakout


# --- live updates -----------------------------------------------------------------------------
def session_group(event_id: int) -> str:
    return f"event_session_{event_id}"


def breakout_counts(event_id: int) -> dict[str, int]:
    return {str(pk): n for pk, n in Breakout.objects.filter(event_id=event_id).values_list("pk", "participant_count")}


def broadcast_counts(event_id: int) -> None:
    broadcast(session_group(event_id), {"type": "session.counts", "counts": breakout_counts(event_id)})


def broadcast_note(note_id: int) -> None:
    from django.template.loader import render_to_string

    note = BreakoutNote.objects.select_related("author__profile", "breakout").get(pk=note_id)
    html = render_to_string("events/_note.html", {"note": note})
    broadcast(session_group(note.breakout.event_id), {"type": "session.note", "breakout": note.breakout_id, "id": note.pk, "html": html})
