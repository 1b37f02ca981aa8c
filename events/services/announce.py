"""What the agenda tells people: registration e-mails (with the .ics), change notices, reminders.

Every message goes through the community outbox (``email_enqueue``) or the notification service
(``notification_send``), in the caller's transaction: a crash neither loses nor duplicates one.
"""

from __future__ import annotations

import base64
from datetime import timedelta

from django.db import transaction
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.urls import absolute_url
from community.notifications import notification_send
from community.outbox import email_enqueue

from ..ics import build_calendar
from ..models import ACTIVE, SEAT_HOLDING, CalendarToken, Event, EventState, Registration, RegistrationStatus, new_token


def when_text(moment) -> str:
    """A moment as French readers expect it (« 3 décembre 2026 à 14:00 »), through Django's formats."""
    local = timezone.localtime(moment)
    return _("%(day)s à %(time)s") % {"day": date_format(local, "j F Y"), "time": date_format(local, "H:i")}


def ics_attachment(event: Event, *, with_link: bool) -> dict:
    """The event's .ics as an outbox attachment; the online link only for confirmed people."""
    content = build_calendar([event], name=event.title, show_link_for={event.pk} if with_link else set(), method="PUBLISH")
    return {"filename": "evenement.ics", "content_b64": base64.b64encode(content).decode(), "mimetype": "text/calendar"}


def registration_announce(reg: Registration, *, promoted: bool = False) -> None:
    """E-mail (with the .ics when a seat is held) and, for members, an in-app notification."""
    event = reg.event
    status = reg.status
    context = {
        "registration": reg,
        "event": event,
        "promoted": promoted,
        "event_url": absolute_url(event.get_absolute_url()),
        "cancel_url": absolute_url(reverse("events:registration_cancel_token", args=[reg.token])),
        "confirm_url": absolute_url(reverse("events:registration_confirm_token", args=[reg.token])),
        "when": when_text(event.start),
    }
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


def participants_notify(event: Event, *, kind: str, verb: str, description: str = "") -> None:
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
                verb = _("Rappel : « %(title)s » le %(date)s") % {"title": event.title, "date": when_text(event.start)}
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


def calendar_token_rotate(*, actor) -> CalendarToken:
    """Create or replace the member's feed secret: old subscription links stop working."""
    token, created = CalendarToken.objects.get_or_create(user=actor)
    if not created:
        token.token = new_token()
        token.created_at = timezone.now()
        token.save(update_fields=["token", "created_at"])
    return token
