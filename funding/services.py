"""Every write of the funding app: calls, sources and polling, imports, watches and alerts,
interest and partner search, deadline reminders.

Functions are keyword-only and named ``<thing>_<action>``. Side effects (e-mails, notifications)
are written in the caller's transaction (outbox) and leave after commit.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.urls import absolute_url
from community.models import is_approved_member
from community.notifications import notification_send
from community.outbox import email_enqueue

from . import importers
from .filters import CallFilters, CallIndex, Territory, normalise
from .models import (
    EMAIL_FREQUENCIES,
    AlertDelivery,
    CalendarToken,
    CallInterest,
    CallState,
    DeadlineReminder,
    FundingCall,
    InterestKind,
    PartnerSearch,
    Source,
    SourceKind,
    Watch,
    WatchFrequency,
)

logger = logging.getLogger(__name__)
TITLE_SIMILARITY = 0.9
CONFIRM_SALT = "funding.watch.confirm"
UNSUBSCRIBE_SALT = "funding.watch.unsubscribe"
CONFIRM_MAX_AGE = 14 * 24 * 3600
REMINDER_DAYS = (7, 1)
FETCH_TIMEOUT = 20
MAX_PAGES = 20


def alert_settle() -> timedelta:
    """How long after "now" a window stays open, so a publication still committing is not skipped."""
    return timedelta(seconds=getattr(settings, "FUNDING_ALERT_SETTLE_SECONDS", 60))


# --- Calls ------------------------------------------------------------------------------------
CALL_FIELDS = {
    "title",
    "funders",
    "description",
    "eligibility",
    "kind",
    "themes",
    "beneficiaries",
    "scope",
    "region",
    "department",
    "commune",
    "amount_min",
    "amount_max",
    "rate",
    "opens_on",
    "predeposit_on",
    "deadline",
    "is_permanent",
    "official_url",
    "application_url",
}


def _apply(call: FundingCall, data: dict) -> None:
    for key, value in data.items():
        if key in CALL_FIELDS:
            setattr(call, key, value)
    for key in ("region", "department", "commune"):
        if call.scope != key:
            setattr(call, key, None)
    if call.is_permanent:
        call.deadline = None
    call.funder_key = importers.funder_key(call.funders)
    call.title_key = normalise(call.title)[:300]
    call.search_text = f" {normalise(' '.join((call.title, call.funders, call.description, call.eligibility)))} "


def _validate(call: FundingCall) -> None:
    call.full_clean(exclude=["slug", "funder_key", "title_key", "search_text", "source", "created_by"])
    if call.scope != "national" and not getattr(call, f"{call.scope}_id"):
        raise ValidationError({call.scope: _("Choisissez le territoire du périmètre.")})


def call_create(*, data: dict, author=None, source: Source | None = None, publish: bool = False, external_id: str = "") -> FundingCall:
    call = FundingCall(source=source, created_by=author, external_id=external_id)
    _apply(call, data)
    if publish:
        call.state, call.published_at = CallState.PUBLISHED, timezone.now()
    _validate(call)
    call.save()
    return call


def call_update(*, call: FundingCall, data: dict, editor) -> FundingCall:
    if not editor.is_hub_staff:
        raise PermissionDenied
    _apply(call, data)
    _validate(call)
    call.save()
    return call


def call_publish(*, call: FundingCall, by) -> FundingCall:
    """Publish a draft (or reopen). ``published_at`` is set once: alerts use it as their clock."""
    if not by.is_hub_staff:
        raise PermissionDenied
    updated = FundingCall.objects.filter(pk=call.pk, state__in=[CallState.DRAFT, CallState.REJECTED]).update(
        state=CallState.PUBLISHED, published_at=timezone.now()
    )
    if not updated and call.state in (CallState.CLOSED, CallState.ARCHIVED):
        FundingCall.objects.filter(pk=call.pk).update(state=CallState.PUBLISHED)
    call.refresh_from_db()
    return call


def call_reject(*, call: FundingCall, by) -> FundingCall:
    if not by.is_hub_staff:
        raise PermissionDenied
    FundingCall.objects.filter(pk=call.pk, state=CallState.DRAFT).update(state=CallState.REJECTED)
    call.refresh_from_db()
    return call


def call_close(*, call: FundingCall, by) -> FundingCall:
    if not by.is_hub_staff:
        raise PermissionDenied
    FundingCall.objects.filter(pk=call.pk, state=CallState.PUBLISHED).update(state=CallState.CLOSED)
    call.refresh_from_db()
    return call


def calls_close_expired(*, today=None) -> int:
    """Published calls whose deadline has passed become "closed" (still searchable)."""
    today = today or timezone.localdate()
    return FundingCall.objects.filter(state=CallState.PUBLISHED, is_permanent=False, deadline__lt=today).update(state=CallState.CLOSED)


def call_find_duplicate(*, data: dict, source: Source | None = None, external_id: str = "") -> FundingCall | None:
    """Same source record, same URL, or same funders with a near-identical title."""
    if source is not None and external_id:
        found = FundingCall.objects.filter(source=source, external_id=external_id).first()
        if found:
            return found
    keys = {importers.url_key(data.get(k, "")) for k in ("official_url", "application_url")} - {""}
    if keys:
        hosts = {k.split("/")[0] for k in keys}
        q = Q()
        for host in hosts:
            q |= Q(official_url__icontains=host) | Q(application_url__icontains=host)
        for other in FundingCall.objects.filter(q).only("pk", "official_url", "application_url"):
            if keys & {importers.url_key(other.official_url), importers.url_key(other.application_url)}:
                return FundingCall.objects.get(pk=other.pk)
    fkey, tkey = importers.funder_key(data.get("funders", "")), normalise(data.get("title", ""))
    if fkey:
        for pk, title_key in FundingCall.objects.filter(funder_key=fkey).values_list("pk", "title_key"):
            matcher = difflib.SequenceMatcher(None, tkey, title_key)
            if matcher.quick_ratio() >= TITLE_SIMILARITY and matcher.ratio() >= TITLE_SIMILARITY:
                return FundingCall.objects.get(pk=pk)
    return None


def call_ingest(*, data: dict, source: Source | None, author=None, publish: bool = False) -> tuple[FundingCall, bool]:
    """Save an outside record unless it is a duplicate; returns (call, created)."""
    external_id = data.pop("external_id", "") or ""
    existing = call_find_duplicate(data=data, source=source, external_id=external_id)
    if existing is not None:
        return existing, False
    return call_create(data=data, author=author, source=source, publish=publish, external_id=external_id), True


# --- Sources ----------------------------------------------------------------------------------
@dataclass
class PollResult:
    created: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def _fetch(url: str) -> requests.Response:
    response = requests.get(url, timeout=FETCH_TIMEOUT, headers={"User-Agent": "Maillage funding watch (+https://maillage.localhost)"})
    response.raise_for_status()
    return response


def source_poll(*, source: Source) -> PollResult:
    """Fetch a source, ingest its new items (each in its own transaction) and record the outcome.

    Raises nothing: a failure is written on the source (``last_error``) and returned.
    """
    result = PollResult()
    now = timezone.now()
    try:
        if source.kind == SourceKind.FEED:
            items = [(e, importers.call_data_from_entry) for e in importers.records_from_feed(_fetch(source.url).content)]
        elif source.kind == SourceKind.JSON:
            items, url, pages = [], source.url, 0
            while url and pages < MAX_PAGES:
                records, url = importers.records_from_json(_fetch(url).json())
                items += [(r, importers.call_data_from_aid) for r in records]
                pages += 1
        else:
            items = []
        for record, parse in items:
            try:
                data = parse(record, default_funder=source.default_funder)
                with transaction.atomic():
                    _call, created = call_ingest(data=data, source=source, publish=source.auto_publish)
            except (ValueError, ValidationError) as exc:
                message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                title = (record.get("name") or record.get("title") or "?") if hasattr(record, "get") else "?"
                result.errors.append(f"« {str(title)[:80]} » : {message}")
                continue
            if created:
                result.created += 1
            else:
                result.duplicates += 1
    except Exception as exc:  # noqa: BLE001 - any failure of one source is recorded, never raised
        logger.warning("funding source %s failed: %s", source.pk, exc)
        Source.objects.filter(pk=source.pk).update(last_polled_at=now, last_error_at=now, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        result.errors.insert(0, str(exc))
        source.refresh_from_db()
        return result
    update = {"last_polled_at": now, "last_success_at": now, "last_created": result.created}
    if result.errors:
        update.update(
            last_error_at=now, last_error=_("%(n)s élément(s) ignoré(s) : ") % {"n": len(result.errors)} + " | ".join(result.errors)[:1900]
        )
    Source.objects.filter(pk=source.pk).update(**update)
    source.refresh_from_db()
    return result


def sources_poll_all() -> dict[int, PollResult]:
    """Poll every active source; one broken source never stops the others."""
    results = {}
    for source in Source.objects.filter(is_active=True).exclude(kind=SourceKind.MANUAL):
        results[source.pk] = source_poll(source=source)
    return results


# --- CSV import -------------------------------------------------------------------------------
@dataclass
class ImportReport:
    created: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False


def calls_import_csv(*, content: bytes, author, publish: bool = False, valid_rows_only: bool = False) -> ImportReport:
    """Import calls from a CSV. By default all or nothing: one bad row and nothing is saved;
    with ``valid_rows_only`` the valid rows are saved and the bad ones reported."""
    if not author.is_hub_staff:
        raise PermissionDenied
    rows, errors = importers.rows_from_csv(content)
    report = ImportReport(errors=list(errors))
    if errors and not valid_rows_only:
        return report
    with transaction.atomic():
        for line, data in rows:
            try:
                with transaction.atomic():
                    _call, created = call_ingest(data=data, source=None, author=author, publish=publish)
            except ValidationError as exc:
                report.errors.append((line, "; ".join(exc.messages)))
                continue
            report.created += created
            report.duplicates += not created
        report.errors.sort()
        if report.errors and not valid_rows_only:
            transaction.set_rollback(True)
            report.created = report.duplicates = 0
            return report
    report.applied = True
    return report


# --- Watches ----------------------------------------------------------------------------------
def watch_token(watch: Watch, salt: str) -> str:
    return signing.dumps({"w": watch.pk}, salt=salt, compress=True)


def watch_confirm_url(watch: Watch) -> str:
    return absolute_url(reverse("funding:watch_confirm", args=[watch_token(watch, CONFIRM_SALT)]))


def watch_unsubscribe_url(watch: Watch) -> str:
    return absolute_url(reverse("funding:watch_unsubscribe", args=[watch_token(watch, UNSUBSCRIBE_SALT)]))


def _send_confirmation(watch: Watch) -> None:
    email_enqueue(
        to_email=watch.user.email,
        recipient=watch.user,
        subject=_("Confirmez votre alerte « %(name)s »") % {"name": watch.name},
        template="emails/funding/watch_confirm",
        context={"watch": watch, "confirm_url": watch_confirm_url(watch), "user": watch.user},
        kind="funding.confirm",
        dedupe_key=f"funding:confirm:{watch.pk}:{timezone.now().date().isoformat()}:{watch.frequency}",
    )


def watch_create(*, user, name: str, filters: CallFilters, frequency: str) -> Watch:
    """Save a search. E-mail frequencies wait for a click on the confirmation link (double opt-in)."""
    if not is_approved_member(user):
        raise PermissionDenied
    if frequency not in WatchFrequency.values:
        raise ValidationError({"frequency": _("Fréquence inconnue.")})
    name = (name or "").strip()[:120]
    if not name:
        raise ValidationError({"name": _("Donnez un nom à cette alerte.")})
    with transaction.atomic():
        watch = Watch.objects.create(user=user, name=name, criteria=filters.to_criteria(), frequency=frequency, cursor=timezone.now())
        if frequency in EMAIL_FREQUENCIES:
            _send_confirmation(watch)
    return watch


def watch_update(*, watch: Watch, user, name: str, frequency: str) -> Watch:
    if watch.user_id != user.pk:
        raise PermissionDenied
    if frequency not in WatchFrequency.values:
        raise ValidationError({"frequency": _("Fréquence inconnue.")})
    with transaction.atomic():
        watch.name = (name or watch.name).strip()[:120]
        was_email = watch.email_active
        watch.frequency = frequency
        if frequency in EMAIL_FREQUENCIES:
            watch.unsubscribed_at = None
            if watch.email_confirmed_at is None:
                _send_confirmation(watch)
            elif not was_email:
                watch.cursor = timezone.now()
        watch.save()
    return watch


def watch_delete(*, watch: Watch, user) -> None:
    if watch.user_id != user.pk:
        raise PermissionDenied
    watch.delete()


def _watch_from_token(token: str, salt: str, max_age=None) -> Watch:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:
        raise ValidationError(_("Ce lien n'est pas valide ou a expiré.")) from exc
    watch = Watch.objects.select_related("user").filter(pk=data.get("w")).first()
    if watch is None:
        raise ValidationError(_("Cette alerte n'existe plus."))
    return watch


def watch_confirm_email(*, token: str) -> Watch:
    """Double opt-in: the click on the e-mailed link starts e-mail alerts, from now on."""
    watch = _watch_from_token(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    now = timezone.now()
    if Watch.objects.filter(pk=watch.pk, email_confirmed_at__isnull=True).update(email_confirmed_at=now, unsubscribed_at=None, cursor=now):
        watch.refresh_from_db()
    return watch


def watch_unsubscribe(*, token: str) -> Watch:
    """One-click removal of e-mail alerts (no login): the search stays saved, without e-mails."""
    watch = _watch_from_token(token, UNSUBSCRIBE_SALT)
    Watch.objects.filter(pk=watch.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now(), frequency=WatchFrequency.NONE)
    watch.refresh_from_db()
    return watch


def watch_filters(watch: Watch) -> CallFilters:
    """The watch's search as its owner would run it now (their territory today)."""
    profile = getattr(watch.user, "profile", None)
    return CallFilters.from_criteria(watch.criteria, territory=Territory.of_profile(profile))


# --- Alerts -----------------------------------------------------------------------------------
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


@dataclass
class AlertRun:
    watches: int = 0
    alerts: int = 0
    emails: int = 0


def alerts_run(*, frequencies, now=None) -> AlertRun:
    """Alert each due watch of the calls published since its previous alert.

    For each watch with news, one transaction moves its cursor (conditionally: a concurrent
    run loses), records the delivery and writes the e-mail to the outbox or the in-app
    notification. A crash before commit leaves the cursor where it was: the next run sends the
    same window again; after commit the window is never sent again.
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
    calls_by_id = FundingCall.objects.in_bulk({pk for _row, ids in matched for pk in ids})
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
        run.alerts += 1
    for cursor, ids in quiet.items():
        Watch.objects.filter(pk__in=ids, cursor=cursor).update(cursor=upper)
    return run


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
        context={"watch": watch, "entries": entries, "unsubscribe_url": unsubscribe, "user": watch.user},
        kind="funding.alert",
        dedupe_key=f"funding:watch:{watch.pk}:{delivery.window_start.isoformat()}",
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


# --- Working together ------------------------------------------------------------------------
def interest_toggle(*, call: FundingCall, user, kind: str) -> bool:
    """Mark or unmark "ça m'intéresse" / "nous candidatons"; returns True when now marked."""
    if not is_approved_member(user):
        raise PermissionDenied
    if kind not in InterestKind.values:
        raise ValidationError(_("Choix inconnu."))
    with transaction.atomic():
        deleted, _detail = CallInterest.objects.filter(call=call, user=user, kind=kind).delete()
        if deleted:
            return False
        CallInterest.objects.create(call=call, user=user, kind=kind, organisation=getattr(user.profile, "organisation", None))
    return True


def partner_search_create(*, call: FundingCall, author, message: str) -> PartnerSearch:
    """Post a "cherche partenaires" and tell the members following the call."""
    if not is_approved_member(author):
        raise PermissionDenied
    message = (message or "").strip()
    if len(message) < 10:
        raise ValidationError({"message": _("Décrivez en quelques mots le partenaire recherché (10 caractères au moins).")})
    with transaction.atomic():
        search = PartnerSearch.objects.create(
            call=call, author=author, organisation=getattr(author.profile, "organisation", None), message=message[:5000]
        )
        followers = CallInterest.objects.filter(call=call).exclude(user=author).select_related("user").order_by("user_id").distinct()
        seen = set()
        for interest in followers:
            if interest.user_id in seen:
                continue
            seen.add(interest.user_id)
            notification_send(
                recipient=interest.user,
                kind="funding.partner",
                actor=author,
                verb=_("%(name)s cherche des partenaires pour « %(call)s »") % {"name": author.public_name, "call": call.title[:120]},
                url=call.get_absolute_url() + "#partenaires",
                description=message[:300],
            )
    return search


def partner_search_close(*, search: PartnerSearch, user) -> None:
    if search.author_id != user.pk and not user.is_hub_staff:
        raise PermissionDenied
    PartnerSearch.objects.filter(pk=search.pk).update(is_open=False)


def call_share_to_group(*, call: FundingCall, group, author, message: str = ""):
    """Open a forum topic in a group the author may post in, linking the call."""
    from groups.access import group_ids_of, groups_visible_to

    try:
        from groups.services import topic_create
    except ImportError as exc:  # the groups forum is not there yet
        raise ValidationError(_("Le partage dans les groupes n'est pas encore disponible.")) from exc
    if not groups_visible_to(author).filter(pk=group.pk, pk__in=group_ids_of(author)).exists():
        raise PermissionDenied
    body = (message.strip() + "\n\n" if message.strip() else "") + f"[{call.title}]({absolute_url(call.get_absolute_url())})"
    if call.deadline:
        body += "\n\n" + _("Date limite : %(date)s") % {"date": call.deadline.strftime("%d/%m/%Y")}
    title = (_("Appel à financement : ") + call.title)[:200]
    return topic_create(group=group, author=author, title=title, body=body)


# --- Deadlines --------------------------------------------------------------------------------
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


def calendar_token_get(*, user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


def calendar_token_reset(*, user) -> CalendarToken:
    with transaction.atomic():
        CalendarToken.objects.filter(user=user).delete()
        return CalendarToken.objects.create(user=user)
