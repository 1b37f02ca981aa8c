"""Deadlines: reminders before the deadline of a followed call, and the private calendar link."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.notifications import notification_send

from ..models import CalendarToken, CallInterest, CallState, DeadlineReminder

REMINDER_DAYS = (7, 1)


def reminders_send(*, today=None) -> int:
    """Remind followers 7 days and 1 day before a followed call's deadline (once each)."""
    today = today or timezone.localdate()
    sent = 0
    for days in REMINDER_DAYS:
        interests = (
            CallInterest.objects.filter(call__state=CallState.PUBLISHED, call__deadline=today + timedelta(days=days), user__is_active=True)
            .select_related("call", "user")
            .order_by("call_id", "user_id")
        )
        done = set(
            DeadlineReminder.objects.filter(days_before=days, call__deadline=today + timedelta(days=days)).values_list("call_id", "user_id")
        )
        for interest in interests:
            key = (interest.call_id, interest.user_id)
            if key in done:
                continue
            done.add(key)
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(call=interest.call, user=interest.user, days_before=days)
                    notification_send(
                        recipient=interest.user,
                        kind="funding.deadline",
                        verb=_("Plus que %(n)s jour(s) pour « %(call)s »") % {"n": days, "call": interest.call.title[:150]},
                        url=interest.call.get_absolute_url(),
                        target=interest.call,
                    )
            except IntegrityError:
                continue
            sent += 1
    return sent


def calendar_token_get(*, actor) -> CalendarToken:
    """The member's private calendar token, created on first use."""
    token, _created = CalendarToken.objects.get_or_create(user=actor)
    return token


def calendar_token_reset(*, actor) -> CalendarToken:
    """A new private calendar link; the old one stops working at once."""
    with transaction.atomic():
        CalendarToken.objects.filter(user=actor).delete()
        return CalendarToken.objects.create(user=actor)
