"""Calls and their review: staff create, edit, publish, decline and close calls; outside records
(feeds, CSV) are ingested unless they duplicate a known call.

A call entering the "published" state is announced once in the activity stream (audience
``"members"``: calls are for members); ``published_at`` is set once and is the alerts' clock.
"""

from __future__ import annotations

import difflib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.activity import activity_record
from community.models import ActivityKind
from community.notifications import notification_send

from .. import importers
from ..filters import normalise
from ..models import CALL_FIELDS, CallState, FundingCall, Source

TITLE_SIMILARITY = 0.9


def call_ref(call: FundingCall) -> str:
    """The ``object_ref`` of a call's items in the activity stream."""
    return f"funding.call:{call.pk}"


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


def _require_staff(actor) -> None:
    if actor is None or not actor.is_hub_staff:
        raise PermissionDenied


def notify_reporter(call: FundingCall, *, actor, verb: str, url: str = "", description: str = "") -> None:
    """Tell the member who reported ``call`` what staff decided (in the caller's transaction)."""
    if call.reported_by_id is None:
        return
    notification_send(
        recipient=call.reported_by,
        kind="funding.report",
        actor=actor,
        verb=verb,
        url=url or call.get_absolute_url(),
        description=description,
    )


def _announce_published(call: FundingCall, actor=None) -> None:
    """One stream item per publication (in the caller's transaction); a call reported by a
    member is credited to them."""
    activity_record(
        verb=_("Nouvel appel à financement"),
        title=call.title,
        url=call.get_absolute_url(),
        audience="members",
        kind=ActivityKind.FUNDING,
        actor=call.reported_by if call.reported_by_id else actor,
        summary=call.funders,
        object_ref=call_ref(call),
        department=call.department,
    )


def call_create(*, data: dict, actor=None, source: Source | None = None, publish: bool = False, external_id: str = "") -> FundingCall:
    """Save a call typed by staff (``actor``) or read by an importer (no actor); published at
    once only when asked, and then announced in the stream."""
    if actor is not None:
        _require_staff(actor)
    call = FundingCall(source=source, created_by=actor, external_id=external_id)
    _apply(call, data)
    if publish:
        call.state, call.published_at = CallState.PUBLISHED, timezone.now()
    _validate(call)
    with transaction.atomic():
        call.save()
        if publish:
            _announce_published(call, actor)
    return call


def call_update(*, call: FundingCall, data: dict, actor) -> FundingCall:
    """Staff edit a call's fields (same validation as creation)."""
    _require_staff(actor)
    _apply(call, data)
    _validate(call)
    call.save()
    return call


def call_publish(*, call: FundingCall, actor) -> FundingCall:
    """Publish a draft (or reopen a closed call). ``published_at`` is set once: alerts use it as
    their clock, and only the first publication is announced."""
    _require_staff(actor)
    with transaction.atomic():
        updated = FundingCall.objects.filter(pk=call.pk, state__in=[CallState.DRAFT, CallState.REJECTED]).update(
            state=CallState.PUBLISHED, published_at=timezone.now()
        )
        if not updated and call.state in (CallState.CLOSED, CallState.ARCHIVED):
            FundingCall.objects.filter(pk=call.pk).update(state=CallState.PUBLISHED)
        call.refresh_from_db()
        if updated:
            _announce_published(call, actor)
            notify_reporter(
                call, actor=actor, verb=_("L'appel que vous avez signalé est publié : merci ! « %(t)s »") % {"t": call.title[:120]}
            )
    return call


def call_reject(*, call: FundingCall, actor, reason: str = "") -> FundingCall:
    """Staff set a draft aside (it stays out of search and alerts). A call reported by a member
    needs a reason: it is sent to them."""
    _require_staff(actor)
    reason = (reason or "").strip()[:2000]
    if call.reported_by_id and call.state == CallState.DRAFT and not reason:
        raise ValidationError({"reason": _("Indiquez le motif du refus : il est envoyé à la personne qui a signalé l'appel.")})
    with transaction.atomic():
        updated = FundingCall.objects.filter(pk=call.pk, state=CallState.DRAFT).update(state=CallState.REJECTED, decline_reason=reason)
        call.refresh_from_db()
        if updated:
            notify_reporter(
                call,
                actor=actor,
                verb=_("L'appel que vous avez signalé n'est pas retenu : « %(t)s »") % {"t": call.title[:120]},
                url=reverse("funding:my_reports"),
                description=reason,
            )
    return call


def call_close(*, call: FundingCall, actor) -> FundingCall:
    """Staff close a published call before its deadline (still searchable in the archives)."""
    _require_staff(actor)
    FundingCall.objects.filter(pk=call.pk, state=CallState.PUBLISHED).update(state=CallState.CLOSED)
    call.refresh_from_db()
    return call


def calls_close_expired(*, today=None) -> int:
    """Published calls whose deadline has passed become "closed" (still searchable)."""
    today = today or timezone.localdate()
    return FundingCall.objects.filter(state=CallState.PUBLISHED, is_permanent=False, deadline__lt=today).update(state=CallState.CLOSED)


def call_find_duplicate(*, data: dict, source: Source | None = None, external_id: str = "", exclude_pk=None) -> FundingCall | None:
    """Same source record, same URL, or same funders with a near-identical title."""
    calls = FundingCall.objects.exclude(pk=exclude_pk) if exclude_pk else FundingCall.objects.all()
    if source is not None and external_id:
        found = calls.filter(source=source, external_id=external_id).first()
        if found:
            return found
    keys = {importers.url_key(data.get(k, "")) for k in ("official_url", "application_url")} - {""}
    if keys:
        hosts = {k.split("/")[0] for k in keys}
        q = Q()
        for host in hosts:
            q |= Q(official_url__icontains=host) | Q(application_url__icontains=host)
        for other in calls.filter(q).only("pk", "official_url", "application_url"):
            if keys & {importers.url_key(other.official_url), importers.url_key(other.application_url)}:
                return FundingCall.objects.get(pk=other.pk)
    fkey, tkey = importers.funder_key(data.get("funders", "")), normalise(data.get("title", ""))
    if fkey:
        for pk, title_key in calls.filter(funder_key=fkey).values_list("pk", "title_key"):
            matcher = difflib.SequenceMatcher(None, tkey, title_key)
            if matcher.quick_ratio() >= TITLE_SIMILARITY and matcher.ratio() >= TITLE_SIMILARITY:
                return FundingCall.objects.get(pk=pk)
    return None


def call_ingest(*, data: dict, source: Source | None, actor=None, publish: bool = False) -> tuple[FundingCall, bool]:
    """Save an outside record unless it is a duplicate; returns (call, created)."""
    external_id = data.pop("external_id", "") or ""
    existing = call_find_duplicate(data=data, source=source, external_id=external_id)
    if existing is not None:
        return existing, False
    return call_create(data=data, actor=actor, source=source, publish=publish, external_id=external_id), True
