"""Reads of the funding app, filtered by permission and shaped for a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from common import queries
from common.models import choice_label
from common.queries import CompiledQuery
from community.models import Profile, Skill, is_approved_member
from groups.access import group_ids_of, groups_visible_to
from groups.models import Attachment

from .filters import CallFilters, CallIndex, Territory, normalise, watch_filters
from .models import (
    AlertDelivery,
    ApplicationStatus,
    CalendarToken,
    CallInterest,
    CallKind,
    CallState,
    Consortium,
    ConsortiumMember,
    ConsortiumMemberStatus,
    ConsortiumVisibility,
    FundingCall,
    InterestKind,
    MatchingOptOut,
    PartnerSearch,
    Source,
    SupportRequest,
    SupportStatus,
    Theme,
    Watch,
    theme_labels,
)

VISIBLE_STATES = [CallState.PUBLISHED, CallState.CLOSED, CallState.ARCHIVED]


# A member's territory and organisation type, and the names of the skills they list or are
# interested in: read on every dashboard ("suggested for you"), compiled once.
_PROFILE_FIT = CompiledQuery(
    lambda user_id: Profile.objects.filter(user_id=user_id).values_list(*Territory.PROFILE_COLUMNS, "organisation__type"),
    user_id=queries.INT,
)


def _skill_names(user_id) -> QuerySet:
    listed = Profile.skills.through.objects.filter(profile__user_id=user_id).values("skill_id")
    interested = Profile.interests.through.objects.filter(profile__user_id=user_id).values("skill_id")
    return Skill.objects.filter(Q(pk__in=listed) | Q(pk__in=interested)).values_list("name")


_SKILL_NAMES = CompiledQuery(_skill_names, user_id=queries.INT)


def territory_of(user) -> Territory:
    """Where the member works (empty for visitors): the "my territory" filter uses it."""
    if not user.is_authenticated:
        return Territory()
    rows = _PROFILE_FIT.rows(user_id=user.pk)
    return Territory.of_row(*rows[0][:-1]) if rows else Territory()


# Long text columns that list pages and panels never show (a call's page loads them).
LIST_DEFERRED = ("description", "eligibility", "search_text", "search_vector")


def call_list(*, viewer, filters: CallFilters) -> QuerySet[FundingCall]:
    """Published calls (closed ones on demand) matching the search, with the number of
    structures applying; fixed query count whatever the page size. The number is a subquery, not
    a join: no GROUP BY, and the paginator's count leaves it out."""
    applying = (
        CallInterest.objects.filter(call=OuterRef("pk"), kind=InterestKind.APPLYING)
        .order_by()
        .values("call")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        FundingCall.objects.select_related("region", "department", "commune")
        .defer(*LIST_DEFERRED)
        .annotate(applying_count=Coalesce(Subquery(applying), 0))
    )
    return filters.apply(qs)


@dataclass(frozen=True)
class CallCard:
    """What a search result shows of a call, as plain values: every value its card's markup
    depends on (the day's countdown and the number of structures applying included), so that
    equal cards render once per process and language — ``{% once call=card %}`` in
    ``funding/_call_results.html``. Same names as ``FundingCall`` for what the card reads."""

    slug: str
    title: str
    funders: str
    kind: str
    perimeter_label: str
    state: str
    deadline: date | None
    is_permanent: bool
    days_left: int | None
    themes: str
    applying_count: int

    def get_absolute_url(self) -> str:
        return reverse("funding:call_detail", args=[self.slug])

    def get_kind_display(self) -> str:
        return choice_label(CallKind, self.kind)

    @property
    def theme_list(self) -> list[str]:
        return theme_labels(self.themes)


# The columns a card reads (``CallCard``, ``FundingCall.perimeter_label`` and the territories'
# ``__str__``): a search page loads these only.
CARD_FIELDS = (
    *("title", "slug", "funders", "kind", "scope", "state", "deadline", "is_permanent", "themes"),
    *("region__name", "department__name", "department__code", "commune__name", "commune__postcode"),
)


def call_list_for_cards(*, viewer, filters: CallFilters) -> QuerySet[FundingCall]:
    """``call_list`` with only the columns of its cards (``call_cards``)."""
    return call_list(viewer=viewer, filters=filters).only(*CARD_FIELDS)


def call_cards(calls) -> list[CallCard]:
    """The cards of a page of ``call_list`` (its ``applying_count`` annotation included)."""
    return [
        CallCard(
            slug=call.slug,
            title=call.title,
            funders=call.funders,
            kind=call.kind,
            perimeter_label=call.perimeter_label,
            state=call.state,
            deadline=call.deadline,
            is_permanent=call.is_permanent,
            days_left=call.days_left,
            themes=call.themes,
            applying_count=call.applying_count,
        )
        for call in calls
    ]


def call_get_for_viewer(*, viewer, slug: str) -> FundingCall:
    """Members see published and closed calls; drafts exist only for staff (404 otherwise)."""
    qs = FundingCall.objects.select_related("region", "department", "commune", "source", "reported_by__profile", "duplicate_of")
    if not viewer.is_hub_staff:
        if not is_approved_member(viewer):
            raise Http404
        qs = qs.filter(state__in=VISIBLE_STATES)
    call = qs.filter(slug=slug).first()
    if call is None:
        raise Http404
    return call


def call_interests(*, call: FundingCall) -> list[CallInterest]:
    """Who follows or applies to the call, with their organisation (members see each other)."""
    return list(CallInterest.objects.filter(call=call).select_related("user__profile", "organisation").order_by("kind", "created_at"))


def partner_searches(*, call: FundingCall) -> list[PartnerSearch]:
    """Open partner searches of a call, newest first."""
    return list(PartnerSearch.objects.filter(call=call, is_open=True).select_related("author__profile", "organisation"))


def review_queue() -> QuerySet[FundingCall]:
    """Drafts waiting for staff, oldest first (staff only: views check)."""
    return (
        FundingCall.objects.filter(state=CallState.DRAFT)
        .select_related("source", "region", "department", "commune", "reported_by__profile", "duplicate_of")
        .order_by("created_at")
    )


def reports_of(*, user) -> list[FundingCall]:
    """The calls a member reported, newest first, with what became of them."""
    return list(FundingCall.objects.filter(reported_by=user).select_related("duplicate_of").defer(*LIST_DEFERRED).order_by("-created_at"))


def source_list() -> QuerySet[Source]:
    """Sources with their call and draft counts (one query)."""
    return Source.objects.annotate(
        call_count=Count("calls", distinct=True), draft_count=Count("calls", filter=Q(calls__state=CallState.DRAFT), distinct=True)
    )


def watch_list(*, user) -> list[Watch]:
    """The member's own watches."""
    return list(Watch.objects.filter(user=user).order_by("name"))


def watch_get_for_owner(*, user, pk: int) -> Watch:
    """A watch of its owner; someone else's is a 404 like a missing one."""
    watch = Watch.objects.select_related("user").filter(pk=pk, user=user).first()
    if watch is None:
        raise Http404
    return watch


def watch_recent_deliveries(*, watch: Watch, limit: int = 10) -> list[tuple[AlertDelivery, list[FundingCall]]]:
    """The last alerts of a watch with their calls (two queries)."""
    deliveries = list(watch.deliveries.all()[:limit])
    ids = {pk for d in deliveries for pk in d.call_ids}
    calls = FundingCall.objects.in_bulk(ids)
    return [(d, [calls[pk] for pk in d.call_ids if pk in calls]) for d in deliveries]


# Interests (profile skills) → themes, for "suggested for you".
INTEREST_THEMES = {
    "acces aux droits": Theme.RIGHTS,
    "aidants connect": Theme.RIGHTS,
    "franceconnect": Theme.RIGHTS,
    "reconditionnement": Theme.EQUIPMENT,
    "formation": Theme.TRAINING,
    "pix": Theme.TRAINING,
    "fablab": Theme.THIRD_PLACES,
    "tiers lieu": Theme.THIRD_PLACES,
    "education aux medias": Theme.EDUCATION,
    "parentalite numerique": Theme.EDUCATION,
    "accessibilite": Theme.ACCESSIBILITY,
    "insertion": Theme.EMPLOYMENT,
    "inclusion numerique": Theme.INCLUSION,
    "usage du smartphone": Theme.INCLUSION,
    "accompagnement aux demarches": Theme.RIGHTS,
}


def suggested_for(*, user, limit: int = 5) -> list[FundingCall]:
    """Open calls covering the member's territory, ranked by fit with their organisation type
    and interests (skills they listed as interests or skills)."""
    rows = _PROFILE_FIT.rows(user_id=user.pk)
    if not rows:
        return []
    *territory_ids, org_type = rows[0]
    territory = Territory.of_row(*territory_ids)
    themes = set()
    for (name,) in _SKILL_NAMES.rows(user_id=user.pk):
        norm = normalise(name)
        themes |= {theme for key, theme in INTEREST_THEMES.items() if key in norm}
    org_type = org_type or ""
    filters = CallFilters(my_territory=True, open_now=True, territory=territory)
    # This runs on every dashboard view: the ranking reads plain values of up to 200 open calls,
    # and only the calls shown become instances, with the columns the panel reads.
    candidates = filters.apply(FundingCall.objects.all()).values_list("pk", "beneficiaries", "themes", "scope", "deadline")[:200]
    org_code = f",{org_type},"
    theme_codes = [f",{t}," for t in themes]
    last_day = timezone.localdate().replace(year=9999)

    def score(call):
        pk, beneficiaries, call_themes, scope, deadline = call
        s = 0
        if org_type and org_code in beneficiaries:
            s += 3
        s += sum(2 for code in theme_codes if code in call_themes)
        if scope != "national":
            s += 1
        return (-s, deadline or last_day, -pk)

    relevant = [c for c in candidates if (not org_type or not c[1] or org_code in c[1])]
    chosen = [c[0] for c in sorted(relevant, key=score)[:limit]]
    shown = ("title", "slug", "funders", "deadline", "themes", "beneficiaries", "scope", "is_permanent", "state", "opens_on")
    calls = FundingCall.objects.only(*shown).in_bulk(chosen)
    return [calls[pk] for pk in chosen]


def calendar_calls(*, user) -> list[FundingCall]:
    """Calls with a deadline that the member follows or that match one of their watches."""
    base = FundingCall.objects.filter(state__in=VISIBLE_STATES, deadline__isnull=False, is_permanent=False).select_related(
        "region", "department", "commune"
    )
    # followed, or answered in a consortium the member is active in
    in_consortium = Q(consortia__members__user=user, consortia__members__status=ConsortiumMemberStatus.ACTIVE)
    followed = {c.pk: c for c in base.filter(Q(interests__user=user) | in_consortium).distinct()}
    watches = list(Watch.objects.filter(user=user).select_related("user__profile__commune__department", "user__profile__department"))
    if watches:
        since = timezone.localdate() - timedelta(days=90)
        index = CallIndex(list(base.filter(state=CallState.PUBLISHED, deadline__gte=since)))
        for watch in watches:
            for pk in index.match(watch_filters(watch)):
                followed.setdefault(pk, index.calls[pk])
    return sorted(followed.values(), key=lambda c: (c.deadline, c.pk))


def share_groups(*, viewer) -> QuerySet:
    """Groups where the viewer may open a topic (visible to them and actively a member)."""
    return groups_visible_to(viewer).filter(pk__in=group_ids_of(viewer)).order_by("name")


def calendar_token_owner(*, token: str):
    """The active member a calendar token belongs to, or ``None`` (the feed is then a 404)."""
    row = CalendarToken.objects.select_related("user").filter(token=token).first()
    if row is None or not row.user.is_active or row.user.erased_at:
        return None
    return row.user


def upcoming_deadlines(*, user) -> list[FundingCall]:
    """The member's calendar calls whose deadline is today or later (the "Mes échéances" page)."""
    today = timezone.localdate()
    return [c for c in calendar_calls(user=user) if c.deadline >= today]


# --- Consortia --------------------------------------------------------------------------------
SEES_PRIVATE = (ConsortiumMemberStatus.ACTIVE, ConsortiumMemberStatus.INVITED)


def consortia_visible_to(viewer) -> QuerySet[Consortium]:
    """Consortia visible to all members, and private ones the viewer belongs to or is invited to.
    Private consortia do not exist for anyone else (staff included, like secret groups)."""
    if not is_approved_member(viewer):
        return Consortium.objects.none()
    mine = ConsortiumMember.objects.filter(consortium=OuterRef("pk"), user=viewer, status__in=SEES_PRIVATE)
    return Consortium.objects.filter(Q(visibility=ConsortiumVisibility.MEMBERS) | Q(Exists(mine)))


def consortium_get_for_viewer(*, viewer, pk: int) -> Consortium:
    """The consortium, or 404 when missing or private to others."""
    consortium = (
        consortia_visible_to(viewer)
        .select_related("call", "lead_organisation__commune__department", "group", "files_topic")
        .filter(pk=pk)
        .first()
    )
    if consortium is None:
        raise Http404
    return consortium


def member_territory(member: ConsortiumMember):
    """Where a partner works: their structure's department, else their own."""
    org = member.organisation
    if org is not None and org.commune_id:
        return org.commune.department
    return member.user.profile.department if hasattr(member.user, "profile") else None


@dataclass
class ConsortiumPage:
    members: list
    mine: ConsortiumMember | None
    files: list
    history: list
    support_requests: list
    territories: list

    @property
    def active(self) -> list:
        return [m for m in self.members if m.status == ConsortiumMemberStatus.ACTIVE]

    @property
    def requested(self) -> list:
        return [m for m in self.members if m.status == ConsortiumMemberStatus.REQUESTED]

    @property
    def invited(self) -> list:
        return [m for m in self.members if m.status == ConsortiumMemberStatus.INVITED]

    @property
    def former(self) -> list:
        return [m for m in self.members if m.status == ConsortiumMemberStatus.LEFT]

    @property
    def is_member(self) -> bool:
        return self.mine is not None and self.mine.status == ConsortiumMemberStatus.ACTIVE

    @property
    def is_lead(self) -> bool:
        return self.is_member and self.mine.is_lead


def consortium_page(*, consortium: Consortium, viewer) -> ConsortiumPage:
    """What the consortium page shows, in a fixed number of queries whatever the member count.
    Files, history and requests to the hub are for its active members only."""
    members = list(
        consortium.members.exclude(status=ConsortiumMemberStatus.DECLINED).select_related(
            "user__profile__department", "organisation__commune__department"
        )
    )
    mine = next((m for m in members if m.user_id == viewer.pk), None)
    is_member = mine is not None and mine.status == ConsortiumMemberStatus.ACTIVE
    files, support = [], []
    if is_member and consortium.files_topic_id:
        files = list(
            Attachment.objects.filter(post__topic_id=consortium.files_topic_id, post__is_deleted=False, post__is_hidden=False)
            .select_related("post__author__profile", "post__topic__group")
            .order_by("-created_at")
        )
    if is_member:
        support = list(consortium.support_requests.select_related("requester__profile").order_by("-created_at"))
    history = list(consortium.history.select_related("actor__profile")) if is_member else []
    territories = sorted(
        {t for m in members if m.status == ConsortiumMemberStatus.ACTIVE and (t := member_territory(m)) is not None}, key=lambda d: d.code
    )
    return ConsortiumPage(members=members, mine=mine, files=files, history=history, support_requests=support, territories=territories)


def consortium_list_for_viewer(*, viewer) -> QuerySet[Consortium]:
    """Consortia the viewer can see, open applications first, with their member counts."""
    return (
        consortia_visible_to(viewer)
        .select_related("call", "lead_organisation")
        .annotate(member_count=Count("members", filter=Q(members__status=ConsortiumMemberStatus.ACTIVE)))
        .order_by("status", "-created_at")
    )


def consortia_of_call(*, call: FundingCall, viewer) -> list[Consortium]:
    """The consortia on a call that the viewer may see (the call's page)."""
    return list(consortium_list_for_viewer(viewer=viewer).filter(call=call))


def consortia_with_deadline(*, user) -> list[Consortium]:
    """The member's active consortia still preparing an answer to a call with a deadline."""
    return list(
        Consortium.objects.filter(
            members__user=user,
            members__status=ConsortiumMemberStatus.ACTIVE,
            status=ApplicationStatus.PREPARING,
            call__deadline__isnull=False,
            call__is_permanent=False,
        )
        .select_related("call")
        .distinct()
        .order_by("call__deadline", "pk")
    )


def matching_opted_out(*, user) -> bool:
    """Whether the member asked not to be suggested as a partner."""
    return MatchingOptOut.objects.filter(user=user).exists()


def consortium_hub_list() -> QuerySet[Consortium]:
    """Every consortium with its call, lead structure and territory, for the hub's staff
    (names and outcomes only: the private spaces themselves stay private)."""
    return (
        Consortium.objects.select_related("call", "lead_organisation__commune__department")
        .annotate(member_count=Count("members", filter=Q(members__status=ConsortiumMemberStatus.ACTIVE)))
        .order_by("-created_at", "-pk")
    )


def success_rate(*, won: int, lost: int) -> int | None:
    """The network's success rate, in %: applications won out of those the funder answered (won
    or lost; still waiting or abandoned ones do not count). None before any answer."""
    decided = won + lost
    return round(100 * won / decided) if decided else None


@dataclass
class TerritoryOutcomes:
    """What the consortia led from one department answered and won (the lead structure's commune;
    ``code`` is empty when it has none)."""

    code: str
    name: str
    calls_answered: int
    consortia: int
    submitted: int
    won: int
    lost: int
    granted: int

    @property
    def success_rate(self) -> int | None:
        return success_rate(won=self.won, lost=self.lost)


@dataclass
class HubOutcomes:
    calls_answered: int
    consortia: int
    submitted: int
    won: int
    lost: int
    granted_total: int
    by_territory: list[TerritoryOutcomes]

    @property
    def success_rate(self) -> int | None:
        return success_rate(won=self.won, lost=self.lost)


def _outcome_aggregates() -> dict:
    """The counts behind every outcome figure: calls answered (calls with a consortium), consortia,
    applications submitted (déposé, retenu or non retenu), won, lost, and the amount granted."""
    s = ApplicationStatus
    return {
        "calls": Count("call", distinct=True),
        "consortia": Count("pk"),
        "submitted": Count("pk", filter=Q(status__in=[s.SUBMITTED, s.WON, s.LOST])),
        "won": Count("pk", filter=Q(status=s.WON)),
        "lost": Count("pk", filter=Q(status=s.LOST)),
        "granted": Sum("amount_granted", filter=Q(status=s.WON)),
    }


def consortium_outcomes(*, include_private: bool = True) -> HubOutcomes:
    """What the network answered and won, in total and per department (two queries). The hub's
    view and the observatory both read it; the observatory's public version leaves private
    consortia out (``include_private=False``)."""
    consortia = Consortium.objects.all()
    if not include_private:
        consortia = consortia.exclude(visibility=ConsortiumVisibility.PRIVATE)
    totals = consortia.aggregate(**_outcome_aggregates())
    department = "lead_organisation__commune__department__"
    rows = consortia.values(f"{department}code", f"{department}name").annotate(**_outcome_aggregates()).order_by(f"{department}code")
    by_territory = [
        TerritoryOutcomes(
            code=row[f"{department}code"] or "",
            name=row[f"{department}name"] or "",
            calls_answered=row["calls"],
            consortia=row["consortia"],
            submitted=row["submitted"],
            won=row["won"],
            lost=row["lost"],
            granted=row["granted"] or 0,
        )
        for row in rows
    ]
    by_territory.sort(key=lambda t: (-t.granted, -t.won, t.code == "", t.code))
    return HubOutcomes(
        calls_answered=totals["calls"],
        consortia=totals["consortia"],
        submitted=totals["submitted"],
        won=totals["won"],
        lost=totals["lost"],
        granted_total=totals["granted"] or 0,
        by_territory=by_territory,
    )


# --- Support requests -------------------------------------------------------------------------
def support_queue(*, status: str = "") -> QuerySet[SupportRequest]:
    """Requests to the hub, open ones first (staff only: views check)."""
    qs = SupportRequest.objects.select_related("call", "consortium", "requester__profile", "assignee__profile")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(Case(When(status__in=[SupportStatus.NEW, SupportStatus.IN_PROGRESS], then=0), default=1), "-created_at", "-pk")


def support_open_counts() -> dict[str, int]:
    """How many requests are new and in progress (one query), for the staff dashboard and queue."""
    return SupportRequest.objects.aggregate(
        new=Count("pk", filter=Q(status=SupportStatus.NEW)), in_progress=Count("pk", filter=Q(status=SupportStatus.IN_PROGRESS))
    )


def support_requests_of(*, user, call: FundingCall | None = None) -> list[SupportRequest]:
    """The member's own requests for the hub's help, newest first (only those on ``call`` if given)."""
    qs = SupportRequest.objects.filter(requester=user)
    if call is not None:
        qs = qs.filter(call=call)
    return list(qs.select_related("call", "consortium").order_by("-created_at"))
