"""The activity stream: the one service every app calls when something moves in the network,
and the one selector that reads it for a viewer.

An app records an item from its own service, in the caller's transaction, with the audience it
computes by its own rules (``"group:<id>"`` for a secret group's topic, ``"members"`` for an open
one, ``"public"`` for a public event…); ``activity_list_for_viewer`` keeps only the audiences
``registry.audiences_for(viewer)`` gives, so nothing reaches a viewer who may not see the object.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet

from common.markdown import plain_excerpt
from common.registry import registry

from .models import Activity, ActivityKind, Department, MemberStatus, Organisation, User

STREAM_PAGE_SIZE = 20


def member_audiences(viewer) -> set[str]:
    """Audiences community knows: every approved member, themselves, and hub staff."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    profile = getattr(viewer, "profile", None)
    audiences = {f"user:{viewer.pk}"}
    if profile is not None and profile.status == MemberStatus.APPROVED and viewer.is_active:
        audiences.add("members")
    if viewer.is_hub_staff:
        audiences.update({"members", "staff"})
    return audiences


def activity_record(
    *,
    verb: str,
    title: str,
    url: str,
    audience: str,
    kind: str = ActivityKind.OTHER,
    actor: User | None = None,
    summary: str = "",
    object_ref: str = "",
    group_id: int | None = None,
    organisation: Organisation | None = None,
    department: Department | None = None,
) -> Activity:
    """Record one stream item (in the caller's transaction). ``summary`` may be Markdown: it is
    stored as a plain excerpt. ``audience`` is who may see it (see ``Activity``)."""
    if kind not in ActivityKind.values:
        raise ValueError(f"unknown activity kind {kind!r}")
    if not audience:
        raise ValueError("an activity needs an audience")
    item = Activity.objects.create(
        verb=verb[:60],
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        title=title[:255],
        summary=plain_excerpt(summary, 280) if summary else "",
        url=url[:500],
        audience=audience[:60],
        object_ref=object_ref[:80],
        group_id=group_id,
        organisation=organisation,
        department=department,
    )
    transaction.on_commit(lambda: _announce(item.pk))
    return item


def _announce(activity_id: int) -> None:
    """After commit: hook for live insertion (the stream's websocket); nothing to do yet."""


def activity_withdraw(*, object_ref: str) -> int:
    """Remove the items about an object (deleted, hidden, unpublished); returns how many."""
    deleted, _details = Activity.objects.filter(object_ref=object_ref).delete()
    return deleted


def activity_set_audience(*, audience: str, object_ref: str = "", group_id: int | None = None) -> int:
    """Re-scope the items of an object or of a whole group (e.g. a group turned secret)."""
    if not object_ref and group_id is None:
        raise ValueError("say which items: object_ref or group_id")
    qs = Activity.objects.all()
    if object_ref:
        qs = qs.filter(object_ref=object_ref)
    if group_id is not None:
        qs = qs.filter(group_id=group_id)
    return qs.update(audience=audience[:60])


def activity_list_for_viewer(*, viewer, kind: str = "", group_ids=None, actor_ids=None) -> QuerySet[Activity]:
    """Items the viewer may see, newest first, with actors and their profiles loaded.

    ``kind`` filters a family; ``group_ids`` keeps items of those groups; ``actor_ids`` items by
    those members (both together: either). Forged ids only narrow what is already visible."""
    qs = Activity.objects.filter(audience__in=sorted(registry.audiences_for(viewer)))
    if kind:
        qs = qs.filter(kind=kind)
    scope = Q()
    if group_ids is not None:
        scope |= Q(group_id__in=group_ids)
    if actor_ids is not None:
        scope |= Q(actor_id__in=actor_ids)
    if group_ids is not None or actor_ids is not None:
        qs = qs.filter(scope)
    return qs.select_related("actor__profile").order_by("-created_at", "-pk")
