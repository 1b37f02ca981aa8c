"""Registrations: sign-up, confirmation by e-mail, cancellation, waiting list, check-in.

The seat rule lives in two tiny functions, ``_seats_take`` and ``_seats_release``: a
conditional ``UPDATE`` on ``Event.seats_taken`` that only succeeds while seats remain. Both
databases serialise concurrent updates of one row (PostgreSQL re-checks the ``WHERE`` after
the row lock; SQLite runs one ``BEGIN IMMEDIATE`` writer at a time), and a check constraint
refuses any state with more seats taken than the capacity. A registration and its seat are
written in the same transaction, so a failure half-way leaves neither.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.notifications import notification_send

from ..models import ACTIVE, SEAT_HOLDING, Audience, Event, EventState, Intention, Registration, RegistrationStatus
from ..selectors import can_manage, can_register
from .announce import registration_announce
from .questions import answers_clean


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


# --- sign-up ----------------------------------------------------------------------------------
def registration_create(
    *,
    actor,
    event: Event,
    email: str = "",
    name: str = "",
    answers: dict | None = None,
    guests: list[str] | None = None,
    series: bool = False,
    shown: bool = False,
) -> Registration:
    """Sign the actor up (``actor=None``: a visitor, public events only): confirmed while seats remain, waitlisted after.

    A member signs up with their account; a visitor gives an e-mail and is confirmed once they
    follow the link we send (``PENDING`` until then, no seat held). ``series=True`` signs up for
    every upcoming date of the event's series as well.
    """
    if not event.signup_is_open():
        raise ValidationError(_("Les inscriptions à cet événement ne sont pas ouvertes."))
    if actor is not None and not can_register(actor, event):
        raise PermissionDenied
    if actor is None and event.audience != Audience.PUBLIC:
        raise PermissionDenied
    with transaction.atomic():
        reg = _registration_create(
            event=event, user=actor, email=email, name=name, answers=answers, guests=guests, series=series, pending=actor is None
        )
        if shown and actor is not None:  # a member's choice to appear in "Qui vient" (visitors never do)
            Registration.objects.filter(pk=reg.pk).update(shown_to_members=True)
            reg.shown_to_members = True
    return reg


def registration_set_shown(*, actor, event: Event, shown: bool) -> bool:
    """Show or hide the actor in the event's "Qui vient"; False when they have no active registration."""
    with transaction.atomic():
        updated = Registration.objects.filter(event=event, user=actor, status__in=ACTIVE).update(shown_to_members=shown)
    return bool(updated)


def registration_add(*, actor, event: Event, member=None, email: str = "", name: str = "", answers: dict | None = None) -> Registration:
    """The organiser adds someone (a member account or a name and e-mail), even when sign-up is closed."""
    if not can_manage(actor, event):
        raise PermissionDenied
    return _registration_create(event=event, user=member, email=email, name=name, answers=answers, guests=None, series=False, pending=False)


def _registration_create(*, event, user, email, name, answers, guests, series, pending) -> Registration:
    guests = [g.strip() for g in (guests or []) if g and g.strip()]
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
        reg = _registration_write(event=event, user=user, email=email, name=name, answers=cleaned, guests=guests, pending=pending)
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
        return _registration_save(
            event=event, user=user, email=email, name=name, answers=answers, guests=guests, status=RegistrationStatus.PENDING
        )
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
    registration_announce(reg)
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
        registration_announce(reg)
    return reg


def registration_cancel(*, registration: Registration, actor=None) -> Registration:
    """Cancel a registration; a freed seat goes at once to the next person on the waiting list."""
    with transaction.atomic():
        reg = Registration.objects.select_related("event").get(pk=registration.pk)
        if actor is not None and reg.user_id != actor.pk and not can_manage(actor, reg.event):
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
            registration_announce(reg, promoted=True)
            promoted.append(reg)
    return promoted


def registration_offer_accept(*, registration: Registration, actor=None) -> Registration:
    """The person offered a freed seat takes it, before the offer's deadline."""
    with transaction.atomic():
        reg = Registration.objects.get(pk=registration.pk)
        if actor is not None and reg.user_id != actor.pk:
            raise PermissionDenied
        if reg.status != RegistrationStatus.OFFERED:
            raise ValidationError(_("Aucune place ne vous est proposée pour le moment."))
        if reg.offer_expires_at and reg.offer_expires_at < timezone.now():
            raise ValidationError(_("Le délai de confirmation est dépassé."))
        Registration.objects.filter(pk=reg.pk, status=RegistrationStatus.OFFERED).update(
            status=RegistrationStatus.CONFIRMED, offer_expires_at=None
        )
        reg.refresh_from_db()
        registration_announce(reg)
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


def registration_staff_confirm(*, registration: Registration, actor) -> Registration:
    """Staff confirm a waitlisted, offered or pending person, if a seat remains."""
    with transaction.atomic():
        reg = Registration.objects.select_related("event").get(pk=registration.pk)
        if not can_manage(actor, reg.event):
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
        registration_announce(reg, promoted=True)
    return reg


def registration_move(*, registration: Registration, to_event: Event, actor) -> Registration:
    """Move someone to another event (e.g. another date of the series), in one transaction."""
    with transaction.atomic():
        reg = Registration.objects.select_related("event", "user").get(pk=registration.pk)
        if not (can_manage(actor, reg.event) and can_manage(actor, to_event)):
            raise PermissionDenied
        if reg.status not in ACTIVE:
            raise ValidationError(_("Cette inscription est annulée."))
        registration_cancel(registration=reg)
        return _registration_write(
            event=to_event, user=reg.user, email=reg.email, name=reg.name, answers=reg.answers, guests=reg.guests, pending=False
        )


def registration_check_in(*, registration: Registration, actor, present: bool = True) -> Registration:
    """The organiser marks a confirmed person present (or clears the mark)."""
    if not can_manage(actor, registration.event):
        raise PermissionDenied
    if registration.status not in SEAT_HOLDING and present:
        raise ValidationError(_("Seules les personnes confirmées peuvent être pointées."))
    Registration.objects.filter(pk=registration.pk).update(attended_at=timezone.now() if present else None)
    registration.refresh_from_db()
    return registration


def registration_check_in_by_code(*, event: Event, code: str, actor) -> Registration:
    """Check in by the code read aloud or scanned at the door; unknown codes are a French error."""
    reg = Registration.objects.filter(event=event, code=code.strip().upper()).first()
    if reg is None:
        raise ValidationError(_("Aucune inscription avec ce code pour cet événement."))
    return registration_check_in(registration=reg, actor=actor)


def registration_intention_set(*, actor, registration: Registration, intention: str, message: str = "") -> Registration:
    """A participant says in advance whether they come (present, excused with an optional message,
    absent) until the event ends; the organiser hears about excuses and absences."""
    reg = Registration.objects.select_related("event__created_by").get(pk=registration.pk)
    event = reg.event
    if actor is None or not actor.is_authenticated or reg.user_id != actor.pk:
        raise PermissionDenied
    if intention not in Intention.values:
        raise ValidationError({"intention": _("Choisissez : présent·e, excusé·e ou absent·e.")})
    if reg.status not in ACTIVE:
        raise ValidationError(_("Votre inscription est annulée : inscrivez-vous de nouveau pour annoncer votre présence."))
    if event.state == EventState.CANCELLED:
        raise ValidationError(_("Cet événement est annulé."))
    if event.end < timezone.now():
        raise ValidationError(_("Cet événement est terminé : la présence a été relevée sur place."))
    message = message.strip()
    if message and intention != Intention.EXCUSED:
        raise ValidationError({"message": _("Un message accompagne seulement une excuse.")})
    if len(message) > 500:
        raise ValidationError({"message": _("Le message est trop long (500 caractères au plus).")})
    with transaction.atomic():
        changed = (
            Registration.objects.filter(pk=reg.pk)
            .exclude(intention=intention, intention_message=message)
            .update(intention=intention, intention_message=message)
        )
        reg.refresh_from_db()
        organiser = event.created_by
        if changed and intention != Intention.PRESENT and organiser is not None and organiser.pk != actor.pk:
            verb = (
                _("%(name)s s'excuse pour « %(title)s »") if intention == Intention.EXCUSED else _("%(name)s sera absent·e à « %(title)s »")
            ) % {"name": reg.name, "title": event.title}
            notification_send(
                recipient=organiser,
                kind="events.attendance",
                verb=verb,
                description=message,
                url=reverse("events:registrations", args=[event.slug]),
            )
    return reg
