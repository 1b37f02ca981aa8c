"""Alerts: each due watch is told about the calls published since its previous alert — by e-mail
(outbox) or in the app — and its owner's activity stream shows each matching call, once.

Matching costs a fixed number of queries whatever the number of watches (``watches_match``);
delivery is one transaction per watch with news, guarded by a conditional cursor update, so a
crash or a concurrent run never sends a window twice nor skips one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.urls import absolute_url
from community.activity import activity_record
from community.models import Activity, ActivityKind
from community.notifications import notification_send
from community.outbox import email_enqueue

from ..filters import CallFilters, CallIndex, Territory
from ..models import EMAIL_FREQUENCIES, AlertDelivery, CallState, FundingCall, Watch, WatchFrequency
from .calls import call_ref
from .watches import watch_unsubscribe_url

# At most this many calls of one alert go to the member's stream (the alert itself lists all).
STREAM_CALLS_PER_ALERT = 10


def alert_settle() -> timedelta:
    """How long after "now" a window stays open, so a publication still committing is not skipped."""
    return timedelta(seconds=getattr(settings, "FUNDING_ALERT_SETTLE_SECONDS", 60))


@dataclass(frozen=True)
class WatchRow:
    """What matching needs of a watch: read as plain values (no model instances), so that
    10,000 watches load in one light query."""

    pk: int
    user_id: int
    cursor: object
    frequency: str
    criteria: dict
    territory: Territory

    @property
    def filters(self) -> CallFilters:
        return CallFilters.from_criteria(self.criteria, territory=self.territory)


def watches_due(*, frequencies, upper) -> list[WatchRow]:
    """Watches of active members with these frequencies whose window ends before ``upper``;
    e-mail watches only once confirmed and not unsubscribed."""
    qs = Watch.objects.filter(frequency__in=frequencies, cursor__lt=upper, user__is_active=True, user__erased_at__isnull=True)
    if set(frequencies) & set(EMAIL_FREQUENCIES):
        qs = qs.filter(Q(frequency=WatchFrequency.INSTANT) | Q(email_confirmed_at__isnull=False, unsubscribed_at__isnull=True))
    rows = qs.order_by("pk").values_list(
        "pk",
        "user_id",
        "cursor",
        "frequency",
        "criteria",
        "user__profile__commune_id",
        "user__profile__commune__department_id",
        "user__profile__commune__department__region_id",
        "user__profile__department_id",
        "user__profile__department__region_id",
    )
    territories: dict = {}
    result = []
    for pk, user_id, cursor, frequency, criteria, commune, c_dept, c_region, dept, d_region in rows:
        key = (c_region, c_dept, commune) if commune else (d_region, dept, None)
        territory = territories.get(key)
        if territory is None:
            territory = territories[key] = Territory(*key)
        result.append(WatchRow(pk, user_id, cursor, frequency, criteria or {}, territory))
    return result


MATCH_FIELDS = (
    "pk",
    "title",
    "themes",
    "beneficiaries",
    "kind",
    "scope",
    "region_id",
    "department_id",
    "commune_id",
    "search_text",
    "funders",
    "description",
    "eligibility",
    "opens_on",
    "deadline",
    "is_permanent",
    "state",
    "amount_min",
    "amount_max",
    "published_at",
)


def watches_match(*, watches: list[WatchRow], upper) -> list[tuple[WatchRow, frozenset]]:
    """Which calls published in each watch's window (cursor, upper] match it (ids).

    One query whatever the number of watches (the calls of the widest window), then in-memory
    matching; watches with the same criteria, territory and cursor share one answer.
    """
    if not watches:
        return []
    lower = min(w.cursor for w in watches)
    calls = list(
        FundingCall.objects.filter(state__in=[CallState.PUBLISHED, CallState.CLOSED], published_at__gt=lower, published_at__lte=upper)
        .only(*MATCH_FIELDS)
        .order_by("published_at", "pk")
    )
    index = CallIndex(calls)
    windows: dict = {}
    answers: dict = {}
    result = []
    for watch in watches:
        key = (repr(sorted(watch.criteria.items())), watch.territory, watch.cursor)
        ids = answers.get(key)
        if ids is None:
            window = windows.get(watch.cursor)
            if window is None:
                window = windows[watch.cursor] = frozenset(c.pk for c in calls if c.published_at > watch.cursor)
            ids = index.match(watch.filters)
            if len(window) < len(index.all):
                ids = ids & window
            answers[key] = ids
        result.append((watch, ids))
    return result


@dataclass
class AlertRun:
    watches: int = 0
    alerts: int = 0
    emails: int = 0


def alerts_run(*, frequencies, now=None) -> AlertRun:
    """Alert each due watch of the calls published since its previous alert.

    For each watch with news, one transaction moves its cursor (conditionally: a concurrent
    run loses), records the delivery, writes the e-mail to the outbox or the in-app
    notification, and puts the calls in the owner's activity stream (each call once per member,
    whichever of their watches found it). A crash before commit leaves the cursor where it was:
    the next run sends the same window again; after commit the window is never sent again.
    """
    now = now or timezone.now()
    upper = now - alert_settle()
    rows = watches_due(frequencies=frequencies, upper=upper)
    run = AlertRun(watches=len(rows))
    quiet: dict = {}
    matched = []
    for row, ids in watches_match(watches=rows, upper=upper):
        if ids:
            matched.append((row, ids))
        else:
            quiet.setdefault(row.cursor, []).append(row.pk)
    watches = Watch.objects.select_related("user").in_bulk([row.pk for row, _ids in matched])
    calls_by_id = FundingCall.objects.select_related("department").in_bulk({pk for _row, ids in matched for pk in ids})
    streamed: set[tuple[int, int]] = set()
    for row, ids in matched:
        watch = watches.get(row.pk)
        if watch is None or watch.cursor != row.cursor:
            continue
        calls = sorted((calls_by_id[pk] for pk in ids if pk in calls_by_id), key=_deadline_order)
        with transaction.atomic():
            if not Watch.objects.filter(pk=watch.pk, cursor=watch.cursor).update(cursor=upper, last_alert_at=now):
                continue
            delivery = AlertDelivery.objects.create(
                watch=watch, window_start=watch.cursor, window_end=upper, call_ids=[c.pk for c in calls], channel=watch.frequency
            )
            if watch.frequency in EMAIL_FREQUENCIES:
                delivery.email = _alert_email(watch, calls, delivery)
                delivery.save(update_fields=["email"])
                run.emails += 1
            else:
                notification_send(
                    recipient=watch.user,
                    kind="funding.alert",
                    verb=_("%(n)s nouvel(s) appel(s) pour votre alerte « %(name)s »") % {"n": len(calls), "name": watch.name},
                    url=reverse("funding:watch_detail", args=[watch.pk]),
                    description=", ".join(c.title for c in calls[:5])[:500],
                )
            _stream_matches(watch, calls[:STREAM_CALLS_PER_ALERT], streamed)
        run.alerts += 1
    for cursor, ids in quiet.items():
        Watch.objects.filter(pk__in=ids, cursor=cursor).update(cursor=upper)
    return run


def _stream_matches(watch: Watch, calls: list[FundingCall], streamed: set[tuple[int, int]]) -> None:
    """Put each call in the owner's stream (audience ``user:<id>``) unless it is already there."""
    audience = f"user:{watch.user_id}"
    refs = {call_ref(c): c for c in calls if (watch.user_id, c.pk) not in streamed}
    if not refs:
        return
    already = set(Activity.objects.filter(audience=audience, object_ref__in=list(refs)).values_list("object_ref", flat=True))
    for ref, call in refs.items():
        streamed.add((watch.user_id, call.pk))
        if ref in already:
            continue
        activity_record(
            verb=_("Appel correspondant à votre alerte"),
            title=call.title,
            url=call.get_absolute_url(),
            audience=audience,
            kind=ActivityKind.FUNDING,
            summary=_("Alerte « %(name)s » — %(funders)s") % {"name": watch.name, "funders": call.funders},
            object_ref=ref,
            department=call.department,
        )


def _deadline_order(call: FundingCall):
    return (call.deadline is None, call.deadline or timezone.localdate(), call.pk)


def _alert_email(watch: Watch, calls: list[FundingCall], delivery: AlertDelivery):
    unsubscribe = watch_unsubscribe_url(watch)
    entries = [{"call": c, "url": absolute_url(c.get_absolute_url())} for c in calls]
    return email_enqueue(
        to_email=watch.user.email,
        recipient=watch.user,
        subject=_("%(n)s nouvel(s) appel(s) à financement — %(name)s") % {"n": len(calls), "name": watch.name},
        template="emails/funding/digest",
        context={
            "watch": watch,
            "entries": entries,
            "unsubscribe_url": unsubscribe,
            "watches_url": absolute_url(reverse("funding:watch_list")),
            "user": watch.user,
        },
        kind="funding.alert",
        dedupe_key=f"funding:watch:{watch.pk}:{delivery.window_start.isoformat()}",
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
