"""The activity stream: the one service every app calls when something moves in the network,
and the one selector that reads it for a viewer.

An app records an item from its own service, in the caller's transaction, with the audience it
computes by its own rules (``"group:<id>"`` for a secret group's topic, ``"members"`` for an open
one, ``"public"`` for a public event…); ``activity_list_for_viewer`` keeps only the audiences
``registry.audiences_for(viewer)`` gives, so nothing reaches a viewer who may not see the object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from common.live import broadcast
from common.markdown import plain_excerpt
from common.registry import registry

from .faces import CardOrganisation, Face, face_of
from .models import (
    Activity,
    ActivityComment,
    ActivityKind,
    ActivityLike,
    Department,
    MemberStatus,
    Organisation,
    User,
    is_approved_member,
)
from .notifications import notification_send

STREAM_PAGE_SIZE = 20
COMMENTS_SHOWN = 3


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


def stream_group(audience: str) -> str:
    """The channel-layer group of the open streams of one audience (``"group:7"`` → ``"stream.group-7"``)."""
    return "stream." + re.sub(r"[^A-Za-z0-9_.-]", "-", audience)[:90]


def _announce(activity_id: int) -> None:
    """After commit: tell the open streams of the item's audience; each socket checks the viewer
    may see it before the page fetches the card (see ``consumers.StreamConsumer``)."""
    audience = Activity.objects.filter(pk=activity_id).values_list("audience", flat=True).first()
    if audience:
        broadcast(stream_group(audience), {"type": "stream.item", "id": activity_id})


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


def activity_list_for_viewer(
    *, viewer, kind: str = "", group_ids=None, actor_ids=None, organisation_ids=None, audiences: set[str] | None = None
) -> QuerySet[Activity]:
    """Items the viewer may see, newest first, with actors and their profiles loaded.

    ``kind`` filters a family; ``group_ids`` keeps items of those groups, ``actor_ids`` items by
    those members, ``organisation_ids`` items about those organisations (several together:
    either). Forged ids only narrow what is already visible. ``audiences`` (from
    ``registry.audiences_for``) saves computing them twice."""
    if audiences is None:
        audiences = registry.audiences_for(viewer)
    qs = Activity.objects.filter(audience__any_of=frozenset(audiences))
    if kind:
        qs = qs.filter(kind=kind)
    scope = Q()
    if group_ids is not None:
        scope |= Q(group_id__in=group_ids)
    if actor_ids is not None:
        scope |= Q(actor_id__in=actor_ids)
    if organisation_ids is not None:
        scope |= Q(organisation_id__in=organisation_ids)
    if group_ids is not None or actor_ids is not None or organisation_ids is not None:
        qs = qs.filter(scope)
    return qs.select_related("actor__profile", "organisation").order_by("-created_at", "-pk")


# --- The stream as pages show it -------------------------------------------------------------
class StreamFilter:
    """The stream's filters, as the dashboard's links name them."""

    ALL = "tout"
    GROUPS = "groupes"
    EVENTS = "agenda"
    FUNDING = "financements"
    FOLLOWING = "suivis"
    CHOICES = (ALL, GROUPS, EVENTS, FUNDING, FOLLOWING)


@dataclass(frozen=True, slots=True)
class StreamCardHead:
    """What a stream card shows above its reactions and comments, as plain values for one viewer:
    the actor's face, name and link, the verb, the relative moment (its ``<time>`` markup, so
    "il y a 5 min" and "il y a 6 min" are two heads), the family, the title and its link, the
    organisation and the summary. Equal heads render once per process and language
    (``{% once head=… %}`` in ``community/_stream_item.html``): a page of 20 cards that the
    network's members share is written once, not for each of them. Nothing of the viewer but the
    face (their right to see the photo) is in it; likes and comments render afresh."""

    has_actor: bool
    face: Face | None
    actor_url: str
    actor_name: str
    verb: str
    when: str
    kind_label: str
    kind_icon: str
    link: str
    title: str
    summary: str
    organisation: CardOrganisation | None = None
    organisation_url: str = ""

    @classmethod
    def of(cls, item: Activity, *, viewer, when: str, link: str) -> StreamCardHead:
        """``when`` and ``link`` as the card's filters write them (``when``, ``safe_url``)."""
        actor, organisation = item.actor, item.organisation
        return cls(
            has_actor=actor is not None,
            face=face_of(actor, viewer) if actor is not None else None,
            actor_url=reverse("community:profile_detail", args=[actor.profile.pk]) if actor is not None else "",
            actor_name=actor.public_name if actor is not None else "",
            verb=item.verb,
            when=when,
            kind_label=item.kind_label,
            kind_icon=item.kind_icon,
            link=link,
            title=item.title,
            summary=item.summary,
            organisation=CardOrganisation.of(organisation) if organisation is not None else None,
            organisation_url=organisation.get_absolute_url() if organisation is not None else "",
        )


@dataclass
class StreamPage:
    items: list[Activity]
    next_cursor: str = ""
    filter: str = StreamFilter.ALL
    audiences: set[str] = field(default_factory=set)


_CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,20})$")


def stream_cursor(item: Activity) -> str:
    """Where the next page starts: after this item (its date in microseconds, then its id)."""
    return f"{int(item.created_at.timestamp() * 1_000_000)}.{item.pk}"


def stream_cursor_parse(cursor: str) -> tuple[datetime, int]:
    """The (date, id) of a cursor; a malformed one is a ``ValidationError`` in French."""
    match = _CURSOR.match(cursor or "")
    if not match:
        raise ValidationError(_("Position dans le fil invalide."), code="bad_cursor")
    try:
        moment = datetime.fromtimestamp(int(match[1]) / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValidationError(_("Position dans le fil invalide."), code="bad_cursor") from exc
    return moment, int(match[2])


def viewer_group_ids(audiences: set[str]) -> list[int]:
    """The groups whose own audience the viewer has (``"group:<id>"``, given by the groups app to
    their members): "my groups" without community knowing what a group is."""
    return sorted(int(a.split(":", 1)[1]) for a in audiences if a.startswith("group:") and a.split(":", 1)[1].isdigit())


def stream_page(
    *,
    viewer,
    filter: str = StreamFilter.ALL,
    cursor: str = "",
    group_id: int | None = None,
    actor_id: int | None = None,
    organisation_id: int | None = None,
    only_id: int | None = None,
    followed: tuple[list[int], list[int]] | None = None,
    size: int = STREAM_PAGE_SIZE,
) -> StreamPage:
    """One page of the stream for ``viewer``: visible items only, newest first, after ``cursor``.

    A fixed number of queries whatever the kinds: the audiences (one or so per provider), the
    items with their actors, profiles and the viewer's own like, and, when some take comments,
    their last comments.
    ``followed`` is (member ids, organisation ids) for the "suivis" filter."""
    if filter not in StreamFilter.CHOICES:
        raise ValidationError(_("Filtre inconnu."), code="bad_filter")
    audiences = registry.audiences_for(viewer)
    scope: dict = {}
    if filter == StreamFilter.GROUPS:
        scope["group_ids"] = viewer_group_ids(audiences)
    elif filter == StreamFilter.FOLLOWING:
        members, organisations = followed or ([], [])
        scope["actor_ids"], scope["organisation_ids"] = members, organisations
    kind = {StreamFilter.EVENTS: ActivityKind.EVENTS, StreamFilter.FUNDING: ActivityKind.FUNDING}.get(filter, "")
    qs = activity_list_for_viewer(viewer=viewer, kind=kind, audiences=audiences, **scope)
    if group_id is not None:
        qs = qs.filter(group_id=group_id)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if organisation_id is not None:
        qs = qs.filter(Q(organisation_id=organisation_id) | Q(actor__profile__organisation_id=organisation_id))
    if only_id is not None:
        qs = qs.filter(pk=only_id)
    if cursor:
        moment, pk = stream_cursor_parse(cursor)
        qs = qs.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk))
    if getattr(viewer, "is_authenticated", False):
        qs = qs.annotate(liked=Exists(ActivityLike.objects.filter(activity=OuterRef("pk"), user=viewer)))
    items = list(qs[: size + 1])
    next_cursor = stream_cursor(items[size - 1]) if len(items) > size else ""
    items = items[:size]
    _recent_comments_attach(items)
    return StreamPage(items=items, next_cursor=next_cursor, filter=filter, audiences=audiences)


def _recent_comments_attach(items: list[Activity]) -> None:
    """``item.recent_comments``: the last ``COMMENTS_SHOWN`` comments, oldest first, of the items
    that have some (one query, none when no item has: forum items are discussed in their topic,
    and most items are never commented; ``comment_count`` moves with each comment, in its
    transaction), an empty list on the others."""
    commented = []
    for item in items:
        if item.allows_comments and item.comment_count:
            commented.append(item)
        else:
            item.recent_comments = []
    if commented:
        recent = ActivityComment.objects.select_related("author__profile").order_by("-created_at", "-pk")[:COMMENTS_SHOWN]
        prefetch_related_objects(commented, Prefetch("comments", queryset=recent, to_attr="recent_comments"))
        for item in commented:
            item.recent_comments.reverse()


def activity_get_for_viewer(*, viewer, pk: int) -> Activity:
    """One item with all its comments, for its own page: a 404 when missing or not visible."""
    item = (
        activity_list_for_viewer(viewer=viewer)
        .filter(pk=pk)
        .prefetch_related(Prefetch("comments", queryset=ActivityComment.objects.select_related("author__profile")))
        .first()
    )
    if item is None:
        raise Http404
    item.liked = getattr(viewer, "is_authenticated", False) and ActivityLike.objects.filter(activity=item, user=viewer).exists()
    return item


def activity_visible(*, viewer, pk: int) -> bool:
    """Whether ``viewer`` may see item ``pk`` now (the live stream asks before each item)."""
    return activity_list_for_viewer(viewer=viewer).filter(pk=pk).exists()


def _interactive_item(*, actor: User, pk: int) -> Activity:
    """The item ``actor`` wants to like or comment: visible to them (else 404) and they are a
    member in good standing (else 403)."""
    if not is_approved_member(actor):
        raise PermissionDenied
    item = activity_list_for_viewer(viewer=actor).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def activity_like_toggle(*, actor: User, pk: int) -> tuple[Activity, bool]:
    """Like the item, or take the like back; returns the item (fresh count) and whether it is liked."""
    item = _interactive_item(actor=actor, pk=pk)
    with transaction.atomic():
        removed, _details = ActivityLike.objects.filter(activity=item, user=actor).delete()
        if removed:
            Activity.objects.filter(pk=item.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
            liked = False
        else:
            try:
                with transaction.atomic():
                    ActivityLike.objects.create(activity=item, user=actor)
            except IntegrityError:  # a double click raced us: it is liked either way
                liked = True
            else:
                Activity.objects.filter(pk=item.pk).update(like_count=F("like_count") + 1)
                liked = True
    item.refresh_from_db(fields=["like_count"])
    item.liked = liked
    return item, liked


def activity_comment_create(*, actor: User, pk: int, body: str) -> ActivityComment:
    """Comment a visible item that takes comments; its author is told (their preference applies)."""
    item = _interactive_item(actor=actor, pk=pk)
    if not item.allows_comments:
        raise ValidationError(_("Cette activité se commente dans son fil de discussion."), code="no_comments")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Écrivez un commentaire.")})
    if len(body) > 2000:
        raise ValidationError({"body": _("2 000 caractères au plus.")})
    with transaction.atomic():
        comment = ActivityComment.objects.create(activity=item, author=actor, body=body)
        Activity.objects.filter(pk=item.pk).update(comment_count=F("comment_count") + 1)
        if item.actor_id and item.actor_id != actor.pk:
            notification_send(
                recipient=item.actor,
                kind="community.stream",
                verb=_("%(name)s a commenté « %(title)s »") % {"name": actor.public_name, "title": item.title[:80]},
                actor=actor,
                url=item.get_absolute_url(),
                description=body,
            )
    return comment


def activity_comment_delete(*, actor: User, comment: ActivityComment) -> None:
    """Delete a comment: its author or hub staff only."""
    if comment.author_id != actor.pk and not actor.is_hub_staff:
        raise PermissionDenied
    with transaction.atomic():
        comment.delete()
        Activity.objects.filter(pk=comment.activity_id, comment_count__gt=0).update(comment_count=F("comment_count") - 1)
