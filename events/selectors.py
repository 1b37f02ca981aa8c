"""Reads for pages, feeds and websockets: querysets already filtered by who is looking.

One rule decides who sees an event (``events_visible_to``); views, feeds, exports and the
websocket consumer all go through it, so "hidden" is a 404 everywhere.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.access import MembersOnly
from common.calendar import month_grid, month_grid_span, week_start
from community.models import is_approved_member
from groups.access import active_group_ids, group_ids_of
from groups.models import AccessMode, Group, Membership, MembershipStatus, Role

from .models import (
    ACTIVE,
    SEAT_HOLDING,
    AgendaSettings,
    Audience,
    Breakout,
    BreakoutNote,
    Event,
    EventLabels,
    EventState,
    GroupAgendaPolicy,
    Proposal,
    ProposalStatus,
    Registration,
    RegistrationStatus,
    SessionTimer,
    organiser_label_of,
    series_rhythm,
)


def events_visible_to(viewer) -> QuerySet[Event]:
    """Published events the viewer may see; staff see every event, drafts included — except the
    events of a secret group they are not in (a secret group exists only for its members, hub
    staff included, as in the groups app)."""
    qs = Event.objects.all()
    if viewer is not None and viewer.is_authenticated and viewer.is_hub_staff:
        return qs.exclude(
            Q(audience=Audience.GROUP, audience_group__access=AccessMode.SECRET) & ~Q(audience_group_id__in=group_ids_of(viewer))
        )
    if viewer is None or not is_approved_member(viewer):
        return qs.filter(state__in=[EventState.PUBLISHED, EventState.CANCELLED], audience=Audience.PUBLIC)
    admin_of = Membership.objects.filter(user=viewer, status=MembershipStatus.ACTIVE, role__in=[Role.OWNER, Role.ADMIN]).values("group_id")
    audience = Q(audience__in=[Audience.PUBLIC, Audience.MEMBERS]) | Q(audience=Audience.GROUP, audience_group_id__in=group_ids_of(viewer))
    shown = Q(state__in=[EventState.PUBLISHED, EventState.CANCELLED]) & audience
    return qs.filter(shown | Q(organiser_group_id__in=admin_of) | Q(created_by=viewer))


def can_manage(user, event: Event) -> bool:
    """Hub staff, the member who created the event (its organiser), or an admin of the organising group."""
    if not user.is_authenticated:
        return False
    if user.is_hub_staff or (event.created_by_id is not None and event.created_by_id == user.pk):
        return True
    if not event.organiser_group_id:
        return False
    return Membership.objects.filter(
        group_id=event.organiser_group_id, user=user, status=MembershipStatus.ACTIVE, role__in=[Role.OWNER, Role.ADMIN]
    ).exists()


def can_create_event(user, *, organiser_group=None) -> bool:
    """Staff create any event; any approved member proposes one to the hub agenda; for a group, its
    admins — and its members when the group allows it (``GroupAgendaPolicy``)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_hub_staff:
        return True
    if not is_approved_member(user):
        return False
    if organiser_group is None:
        return True
    membership = Membership.objects.filter(group=organiser_group, user=user, status=MembershipStatus.ACTIVE).first()
    if membership is None:
        return False
    if membership.role in (Role.OWNER, Role.ADMIN):
        return True
    return GroupAgendaPolicy.objects.filter(group=organiser_group, members_create_events=True).exists()


def can_admin_group_agenda(user, group) -> bool:
    """Who sets a group's agenda rule: its owners and admins, and hub staff."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_hub_staff:
        return True
    return Membership.objects.filter(group=group, user=user, status=MembershipStatus.ACTIVE, role__in=[Role.OWNER, Role.ADMIN]).exists()


def groups_where_can_create(user) -> QuerySet:
    """The groups a member may organise events for (admin of, or member where the group allows it)."""
    if user.is_hub_staff:
        return Group.objects.all()
    allowed = Q(role__in=[Role.OWNER, Role.ADMIN]) | Q(group__agenda_policy__members_create_events=True)
    ids = Membership.objects.filter(allowed, user=user, status=MembershipStatus.ACTIVE).values("group_id")
    return Group.objects.filter(pk__in=ids)


def event_needs_approval(actor, *, organiser_group=None) -> bool:
    """Staff publish at once; members' events wait for staff when the hub setting says so
    (default: group events published at once, hub-wide ones approved)."""
    if actor.is_hub_staff:
        return False
    settings_ = AgendaSettings.current()
    return settings_.group_events_need_approval if organiser_group is not None else settings_.hub_events_need_approval


def event_list_for_review() -> QuerySet[Event]:
    """Events waiting for the staff's decision, oldest request first, with their proposer."""
    return _shaped(Event.objects.filter(state=EventState.PENDING)).select_related("created_by__profile").order_by("updated_at", "pk")


def event_audience(event: Event) -> str:
    """Who may see the event, as an activity-stream audience (the same rule as ``events_visible_to``)."""
    if event.audience == Audience.PUBLIC:
        return "public"
    if event.audience == Audience.GROUP and event.audience_group_id:
        return f"group-members:{event.audience_group_id}"
    return "members"


def group_member_audiences(viewer) -> set[str]:
    """The ``group-members:<id>`` stream audiences of a viewer: the groups whose members-only events
    they see (active membership — narrower than the groups app's ``group:<id>``, which an open
    group gives to every member of the network)."""
    if viewer is None or not is_approved_member(viewer):
        return set()
    return {f"group-members:{gid}" for gid in active_group_ids(viewer)}


def can_join_session(user, event: Event) -> bool:
    """The organiser and people holding a seat take part in a session's sub-groups."""
    if user is None or not user.is_authenticated:
        return False
    return can_manage(user, event) or Registration.objects.filter(event=event, user=user, status__in=SEAT_HOLDING).exists()


def can_register(user, event: Event) -> bool:
    """Public events accept anyone (by e-mail); members and group events need the account."""
    if event.audience == Audience.PUBLIC:
        return True
    if user is None or not is_approved_member(user):
        return False
    if event.audience == Audience.GROUP:
        return (
            user.is_hub_staff
            or Membership.objects.filter(group_id=event.audience_group_id, user=user, status=MembershipStatus.ACTIVE).exists()
        )
    return True


def _shaped(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("organiser_group", "commune", "audience_group")


def event_get_for_viewer(*, viewer, slug: str) -> Event:
    """The event, or 404; a visitor asking for a members-only event is sent to log in (MembersOnly)."""
    event = _shaped(events_visible_to(viewer)).filter(slug=slug).first()
    if event is None:
        if not getattr(viewer, "is_authenticated", False) and _open_to_members(slug):
            raise MembersOnly
        raise Http404
    return event


def _open_to_members(slug: str) -> bool:
    """A published event any member, or any member of a group that is not secret, may see."""
    audience = Q(audience=Audience.MEMBERS) | (Q(audience=Audience.GROUP) & ~Q(audience_group__access=AccessMode.SECRET))
    return Event.objects.filter(audience, slug=slug, state__in=[EventState.PUBLISHED, EventState.CANCELLED]).exists()


def event_get_managed(*, viewer, slug: str) -> Event:
    """404 if hidden, 403 (PermissionDenied) if visible but not manageable."""
    event = event_get_for_viewer(viewer=viewer, slug=slug)
    if not can_manage(viewer, event):
        raise PermissionDenied
    return event


def event_list_filtered(
    *, viewer, filters: dict | None = None, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[Event]:
    """The agenda: visible events in a window, filtered by type, format, territory, group, tag."""
    filters = filters or {}
    qs = _shaped(events_visible_to(viewer)).exclude(state=EventState.DRAFT)
    if start is not None:
        qs = qs.filter(end__gte=start)
    if end is not None:
        qs = qs.filter(start__lt=end)
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("format"):
        qs = qs.filter(format=filters["format"])
    if filters.get("department"):
        qs = qs.filter(commune__department__code=filters["department"])
    if filters.get("group"):
        qs = qs.filter(Q(organiser_group__slug=filters["group"]) | Q(audience_group__slug=filters["group"]))
    if filters.get("tag"):
        qs = qs.filter(tags__icontains=filters["tag"])
    if filters.get("q"):
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(summary__icontains=filters["q"]))
    return qs.order_by("start", "pk")


def agenda_list_grouped(*, viewer, filters: dict | None = None, start: datetime) -> QuerySet[Event]:
    """The agenda list with each series once: its next date matching the filters stands for it
    (the columns of its cards only, ``CARD_FIELDS``)."""
    qs = event_list_filtered(viewer=viewer, filters=filters, start=start)
    first_of_series = qs.filter(series=OuterRef("series")).order_by("start", "pk").values("pk")[:1]
    return _for_cards(qs.filter(Q(series__isnull=True) | Q(pk=Subquery(first_of_series))))


def agenda_series_dates(*, viewer, filters: dict | None = None, start: datetime, events: list[Event]) -> None:
    """Attach ``series_upcoming`` (every later date matching the filters) to the series events of
    one agenda page: one query for the whole page."""
    series_ids = {e.series_id for e in events if e.series_id}
    by_series: dict[int, list[Event]] = {}
    if series_ids:
        rows = (
            event_list_filtered(viewer=viewer, filters=filters, start=start)
            .filter(series_id__in=series_ids)
            .select_related(None)
            .only("pk", "slug", "title", "start", "end", "state", "series_id")
        )
        for row in rows:
            by_series.setdefault(row.series_id, []).append(row)
    for event in events:
        event.series_upcoming = [e for e in by_series.get(event.series_id, []) if e.pk != event.pk] if event.series_id else []


# The columns an event card reads (``event_card``): the agenda's list and week and the past
# events load these only — no description, review note, sign-up settings, audience group.
CARD_FIELDS = (
    *("title", "slug", "summary", "type", "format", "start", "end", "state", "capacity", "seats_taken", "image"),
    *("commune__name", "organiser_group__name", "series__interval_weeks"),
)


def _for_cards(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related(None).select_related("commune", "organiser_group", "series").only(*CARD_FIELDS)


@dataclass(frozen=True)
class CardCommune:
    name: str


@dataclass(frozen=True)
class CardImage:
    url: str


@dataclass(frozen=True)
class CardSeries:
    interval_weeks: int

    @property
    def rhythm(self) -> str:
        return series_rhythm(self.interval_weeks)


@dataclass(frozen=True)
class CardDate:
    """Another date of a series, as an agenda card lists it."""

    slug: str
    start: datetime
    is_cancelled: bool

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", args=[self.slug])


@dataclass(frozen=True)
class EventCard(EventLabels):
    """What an agenda card (``events/_event_card.html``) shows of an event, as plain values: every
    value its markup depends on, so that equal cards render once per process and language —
    ``{% once event=card %}`` in the agenda's list and week and in the past events. Same names as
    ``Event`` for what the card reads, so the template renders either. ``zone`` is the active time
    zone, in which the card prints its dates: two zones' equal instants compare equal, their
    markup does not. The card holds nothing of the viewer; which events and which dates of a
    series a viewer sees is decided before (the selectors), and those dates are in the card."""

    zone: str
    slug: str
    title: str
    summary: str
    type: str
    format: str
    start: datetime
    end: datetime
    state: str
    is_cancelled: bool
    capacity: int | None
    seats_left: int | None
    is_full: bool
    commune: CardCommune | None
    organiser_group_name: str | None
    image: CardImage | None
    series: CardSeries | None
    series_upcoming: tuple[CardDate, ...]

    @property
    def organiser_label(self) -> str:
        return organiser_label_of(self.organiser_group_name)


def event_card(event: Event, *, zone: str | None = None) -> EventCard:
    """The card of an event (of ``CARD_FIELDS`` at least); its series part from
    ``series_upcoming`` when the event carries it (``agenda_series_dates``), none otherwise."""
    upcoming = getattr(event, "series_upcoming", None) or ()
    return EventCard(
        zone=zone or timezone.get_current_timezone_name(),
        slug=event.slug,
        title=event.title,
        summary=event.summary,
        type=event.type,
        format=event.format,
        start=event.start,
        end=event.end,
        state=event.state,
        is_cancelled=event.is_cancelled,
        capacity=event.capacity,
        seats_left=event.seats_left,
        is_full=event.is_full,
        commune=CardCommune(event.commune.name) if event.commune_id else None,
        organiser_group_name=event.organiser_group.name if event.organiser_group_id else None,
        image=CardImage(event.image.url) if event.image else None,
        series=CardSeries(event.series.interval_weeks) if upcoming else None,
        series_upcoming=tuple(CardDate(slug=e.slug, start=e.start, is_cancelled=e.is_cancelled) for e in upcoming),
    )


def event_cards(events) -> list[EventCard]:
    """The cards of a list of events (``event_card``), in the active time zone."""
    zone = timezone.get_current_timezone_name()
    return [event_card(event, zone=zone) for event in events]


def event_list_upcoming(*, viewer, group=None, limit: int = 5) -> list[Event]:
    """The next visible published events (of one group when given), soonest first."""
    qs = _shaped(events_visible_to(viewer)).filter(state=EventState.PUBLISHED, end__gte=timezone.now())
    if group is not None:
        qs = qs.filter(Q(organiser_group=group) | Q(audience_group=group))
    return list(qs.order_by("start", "pk")[:limit])


def event_list_past_with_restitution(*, viewer, limit: int = 20) -> QuerySet[Event]:
    """Past visible events, newest first, flagged when a sub-group published its restitution (the
    columns of their cards only, ``CARD_FIELDS``)."""
    published = Breakout.objects.filter(event=OuterRef("pk"), restitution_published_at__isnull=False)
    return (
        _for_cards(events_visible_to(viewer))
        .filter(end__lt=timezone.now())
        .exclude(state=EventState.DRAFT)
        .annotate(has_restitution=Exists(published))
        .order_by("-start")[:limit]
    )


def registration_of(*, user, event: Event) -> Registration | None:
    """The member's active registration for the event, if any."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user, status__in=ACTIVE).first()


def registration_list_for_event(*, event: Event, q: str = "", include_cancelled: bool = False) -> QuerySet[Registration]:
    """The organiser's list of registrations, searchable by name, e-mail or code."""
    qs = Registration.objects.filter(event=event).select_related("user__profile")
    if not include_cancelled:
        qs = qs.exclude(status=RegistrationStatus.CANCELLED)
    if q:
        q = q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(code__iexact=q.upper()))
    return qs.order_by("status", "waitlisted_at", "created_at", "pk")


def attendees_shown(*, viewer, event: Event, limit: int = 24) -> tuple[list[Registration], int]:
    """ "Qui vient": confirmed members who chose to be shown, for approved members only; the first
    ``limit`` with their profiles (for avatars) and the total, in two queries."""
    if not is_approved_member(viewer):
        return [], 0
    qs = Registration.objects.filter(
        event=event,
        status=RegistrationStatus.CONFIRMED,
        shown_to_members=True,
        user__isnull=False,
        user__is_active=True,
        user__erased_at__isnull=True,
    )
    rows = list(qs.select_related("user__profile").order_by("created_at", "pk")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total


def registration_list_mine(*, user, upcoming_only: bool = True) -> QuerySet[Registration]:
    """The member's own active registrations, soonest event first."""
    qs = Registration.objects.filter(user=user, status__in=ACTIVE).select_related("event__commune", "event__organiser_group")
    if upcoming_only:
        qs = qs.filter(event__end__gte=timezone.now())
    return qs.order_by("event__start", "pk")


def event_counts(event: Event) -> dict[str, int]:
    """Registrations per status, for the organiser's summary."""
    rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def proposal_list_for_event(*, viewer, event: Event) -> QuerySet[Proposal]:
    """Staff see every proposal; others see accepted ones and their own."""
    qs = Proposal.objects.filter(event=event).select_related("author__profile")
    if can_manage(viewer, event):
        return qs
    if not viewer.is_authenticated:
        return qs.filter(status=ProposalStatus.ACCEPTED)
    return qs.filter(Q(status=ProposalStatus.ACCEPTED) | Q(author=viewer))


def breakout_list_for_event(*, event: Event) -> QuerySet[Breakout]:
    """Sub-groups of a session with their host and notes, in a fixed number of queries."""
    return (
        Breakout.objects.filter(event=event)
        .select_related("host__profile", "proposal")
        .prefetch_related(Prefetch("notes", queryset=BreakoutNote.objects.select_related("author__profile").order_by("pk")))
    )


def session_group(event_id: int) -> str:
    """The channel-layer group of a session's live page."""
    return f"event_session_{event_id}"


def session_timer_current(event_id: int) -> SessionTimer | None:
    """The session's running countdown (its end and label), or None when there is none or it elapsed."""
    return SessionTimer.objects.filter(event_id=event_id, ends_at__gt=timezone.now()).only("ends_at", "label").first()


def session_timer_json(timer: SessionTimer | None) -> dict | None:
    """The countdown as the live page's websocket sends it (end in ISO 8601, label), or None.
    The one serialisation, for the edges that speak JSON (broadcast and reconnect); pages use the row."""
    return {"ends_at": timer.ends_at.isoformat(), "label": timer.label} if timer is not None else None


def breakout_counts(event_id: int) -> dict[str, int]:
    """Head count per sub-group of a session, keyed by the breakout id as text (for JSON)."""
    return {str(pk): n for pk, n in Breakout.objects.filter(event_id=event_id).values_list("pk", "participant_count")}


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def agenda_month(*, viewer, filters: dict, year: int, month: int) -> dict:
    """The month grid (weeks from Monday, days outside the month flagged) with each day's events.

    One query for the whole grid; an event spanning several days shows on each. Raises
    ``ValueError`` for an impossible month."""
    grid_start, grid_end = month_grid_span(year, month)
    events = list(event_list_filtered(viewer=viewer, filters=filters, start=_aware(grid_start), end=_aware(grid_end)))
    spans = [(e, timezone.localtime(e.start).date(), timezone.localtime(e.end).date()) for e in events]
    return {**month_grid(year=year, month=month, spans=spans, key="events"), "events": events}


def agenda_week(*, viewer, filters: dict, anchor: date) -> dict:
    """The week (Monday to Sunday) around ``anchor``, each day with the cards (``event_card``) of
    the events starting on it."""
    start = week_start(anchor)
    qs = event_list_filtered(viewer=viewer, filters=filters, start=_aware(start), end=_aware(start + timedelta(days=7)))
    events = list(_for_cards(qs))
    cards = event_cards(events)
    days = [
        {
            "date": start + timedelta(days=i),
            "cards": [
                card for e, card in zip(events, cards, strict=True) if timezone.localtime(e.start).date() == start + timedelta(days=i)
            ],
        }
        for i in range(7)
    ]
    return {
        "days": days,
        "week_start": start,
        "prev": (start - timedelta(days=7)).isoformat(),
        "next": (start + timedelta(days=7)).isoformat(),
        "events": events,
    }


def export_rows(*, event: Event) -> tuple[list[str], list[list]]:
    """Header and rows of the registrations export (cancelled included), answers in question order."""
    questions = list(event.questions.all())
    header = [
        _("Nom"),
        _("E-mail"),
        _("Statut"),
        _("Places"),
        _("Accompagnant·es"),
        _("Code"),
        _("Inscrit·e le"),
        _("Présent·e"),
        _("Présence annoncée"),
        _("Message d'excuse"),
    ] + [q.label for q in questions]
    rows = []
    for reg in registration_list_for_event(event=event, include_cancelled=True):
        rows.append(
            [
                reg.name,
                reg.email,
                reg.get_status_display(),
                reg.seats,
                ", ".join(reg.guests),
                reg.code,
                date_format(timezone.localtime(reg.created_at), "d/m/Y H:i"),
                date_format(timezone.localtime(reg.attended_at), "d/m/Y H:i") if reg.attended_at else "",
                reg.get_intention_display() if reg.intention else "",
                reg.intention_message,
            ]
            + [answer_text(reg.answers.get(str(q.pk))) for q in questions]
        )
    return header, rows


def answer_text(value) -> str:
    """One answer of the sign-up form as text (yes/no in French, choices joined)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def registration_list_with_answers(*, event: Event, q: str = "", include_cancelled: bool = False) -> tuple[list, list[Registration]]:
    """The organiser's list: questions, and registrations each carrying ``answer_list`` in question order."""
    questions = list(event.questions.all())
    regs = list(registration_list_for_event(event=event, q=q, include_cancelled=include_cancelled))
    for reg in regs:
        reg.answer_list = [answer_text(reg.answers.get(str(qu.pk))) for qu in questions]
    return questions, regs


def attendance_summary(*, event: Event, registrations) -> dict[str, int]:
    """Present (checked in), excused, absent (said so, or not checked in once the event is over)
    and not yet known, over the registrations already loaded for the organiser's list."""
    counts = {"present": 0, "excused": 0, "absent": 0, "unknown": 0}
    over = event.is_past
    for reg in registrations:
        if reg.status not in SEAT_HOLDING:
            continue
        state = reg.attendance or ("absent" if over else "unknown")
        counts[state] += 1
    return counts
