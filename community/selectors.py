"""Reads for community pages, filtered by what the viewer may see and shaped for fixed query counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from notifications.models import Notification

from common.queries import DeferredJoin, DeferredJoinPaginator
from common.text import search_filter

from .faces import CardOrganisation, Face, face_of
from .models import (
    Department,
    Follow,
    MemberStatus,
    Organisation,
    Profile,
    ProfileSkill,
    PushSubscription,
    Skill,
    User,
    Visibility,
    account_active,
    is_approved_member,
    levels_at_least,
)


@dataclass
class DirectoryFilters:
    q: str = ""
    department: str = ""
    metier: str = ""
    organisation_type: str = ""
    skill: str = ""
    organisation: str = ""
    level: str = ""


def _hidden(field: str) -> Q:
    """Profiles that hide ``field`` from members: filtering on it must not reveal them."""
    return Q(**{f"visibility__{field}": Visibility.PRIVATE})


DIRECTORY_JOINS = ("user", "organisation", "department", "commune")  # what a directory entry shows


def profile_list_directory(*, viewer: User, filters: DirectoryFilters) -> QuerySet[Profile]:
    """Approved members listed in the directory, searchable on the fields they show to members."""
    qs = Profile.objects.filter(account_active(), status=MemberStatus.APPROVED, in_directory=True).exclude(display_name="")
    staff = viewer.is_hub_staff
    if filters.q:
        # Accent- and case-free (``search_text``, trigram-indexed on PostgreSQL): "mediatheque"
        # finds "Médiathèque". Small subqueries (matching skills, matching organisations) rather
        # than one join of every profile with every skill: 20,000 members with 3 skills each made
        # that join 60,000 rows to scan with a LIKE on each (400 ms on PostgreSQL; this is a few ms).
        # ``any_of``: on PostgreSQL each subquery runs once and the three arms are index scans. Each
        # arm gives member ids with its hidden-field rule inside: beside the array, in the row
        # filter, the rule made PostgreSQL compare every row found with the array element by
        # element ("CCAS": 3,646 rows × 1,933 skilled members, 50 ms; now 16).
        words = search_filter(filters.q)
        skilled = Profile.objects.filter(
            pk__any_of=ProfileSkill.objects.filter(skill__any_of=Skill.objects.filter(words)).values("profile_id")
        )
        employed = Profile.objects.filter(organisation__any_of=Organisation.objects.filter(words))
        if not staff:
            skilled = skilled.exclude(_hidden("skills"))
            employed = employed.exclude(_hidden("organisation"))
        terms = Q(words) | Q(pk__any_of=skilled.values("pk")) | Q(pk__any_of=employed.values("pk"))
        qs = qs.filter(terms)
    if filters.department:
        qs = qs.filter(department__code=filters.department)
        if not staff:
            qs = qs.exclude(_hidden("territory"))
    if filters.metier:
        qs = qs.filter(metier=filters.metier)
        if not staff:
            qs = qs.exclude(_hidden("metier"))
    if filters.organisation_type:
        qs = qs.filter(organisation__type=filters.organisation_type)
        if not staff:
            qs = qs.exclude(_hidden("organisation"))
    if filters.organisation:
        qs = qs.filter(organisation__slug=filters.organisation)
        if not staff:
            qs = qs.exclude(_hidden("organisation"))
    if filters.skill:
        having = ProfileSkill.objects.filter(skill__slug=filters.skill)
        if filters.level:
            having = having.filter(level__in=levels_at_least(filters.level))
        qs = qs.filter(pk__in=having.values("profile_id"))
        if not staff:
            qs = qs.exclude(_hidden("skills"))
    return (
        qs.select_related(*DIRECTORY_JOINS)
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("name")))
        .order_by("display_name", "pk")
    )


@dataclass(frozen=True, slots=True)
class MemberCard:
    """What a directory result shows of a member to one viewer, as plain values: every value of its
    markup — a field the member hides from this viewer is left blank here, so it is in neither the
    markup nor the key — so that equal cards render once per process and language
    (``{% once card=card %}`` in ``community/_directory_results.html``, like the funding search's
    ``CallCard``). A profile edit, a visibility change, a new skill or photo, or another viewer
    (owner, member, staff) gives another card."""

    pk: int
    user_id: int
    display_name: str
    face: Face
    metier_label: str = ""
    organisation: CardOrganisation | None = None
    commune: str = ""
    department_code: str = ""
    department: str = ""  # "Côte-d'Or (21)", shown when the member gave no commune
    skills: tuple[str, ...] = ()
    can_write: bool = False  # the "Écrire" button: another member's card

    def get_absolute_url(self) -> str:
        return reverse("community:profile_detail", args=[self.pk])


# The columns a card reads (``member_cards``, ``Profile.metier_label``, ``face_of``): the
# directory's page loads these only.
CARD_FIELDS = (
    *("display_name", "photo", "photo_webp", "metier", "metier_other", "visibility"),
    *("user__first_name", "user__last_name", "user__email", "user__erased_at"),
    *("organisation__name", "organisation__logo", "department__name", "department__code", "commune__name"),
)


def profile_list_directory_for_cards(*, viewer: User, filters: DirectoryFilters) -> DeferredJoin:
    """``profile_list_directory`` for ``Paginator``, a page read with only the columns of its cards,
    for its members alone (``DeferredJoin``: a search matching thousands of members joins their
    accounts, organisations and places for the 24 shown, not for all); ``member_cards`` reads
    their skills."""
    return DeferredJoin(
        profile_list_directory(viewer=viewer, filters=filters), rows=Profile.objects.select_related(*DIRECTORY_JOINS).only(*CARD_FIELDS)
    )


def skill_names_of(profile_ids) -> dict[int, list[str]]:
    """Each profile's skills by name, in name order: one query of plain values (a page of cards
    shows names only; a prefetch built a model for each and was a seventh of the directory's CPU)."""
    names = defaultdict(list)
    rows = (
        ProfileSkill.objects.filter(profile_id__in=profile_ids).order_by("skill__name", "skill_id").values_list("profile_id", "skill__name")
    )
    for profile_id, name in rows:
        names[profile_id].append(name)
    return names


def directory_page(*, viewer: User, filters: DirectoryFilters, number, per_page: int) -> Page:
    """Page ``number`` of the directory's cards (``profile_list_directory_for_cards``). A search's
    match is the costly part: its page and its count are read in one pass over it
    (``DeferredJoinPaginator``). Without a search, the count reads the directory's index alone and
    the page stops after ``per_page`` rows."""
    profiles = profile_list_directory_for_cards(viewer=viewer, filters=filters)
    return (DeferredJoinPaginator if filters.q else Paginator)(profiles, per_page).get_page(number)


def member_cards(profiles, *, viewer: User, skills: int | None = None) -> list[MemberCard]:
    """The cards of a page of ``profile_list_directory`` for ``viewer``, with what each member shows
    them (``Profile.shown_fields``: the owner and staff see every field) and the first ``skills``
    skills (all with ``None``)."""
    profiles = list(profiles)
    skill_names = skill_names_of([p.pk for p in profiles])
    cards = []
    for profile in profiles:
        shown = profile.shown_fields(viewer)
        organisation = profile.organisation if shown["organisation"] else None
        commune = profile.commune if shown["territory"] else None
        department = profile.department if shown["territory"] else None
        cards.append(
            MemberCard(
                pk=profile.pk,
                user_id=profile.user_id,
                display_name=profile.display_name,
                face=face_of(profile, viewer),
                metier_label=profile.metier_label if shown["metier"] else "",
                organisation=CardOrganisation.of(organisation) if organisation is not None else None,
                commune=commune.name if commune is not None else "",
                department_code=department.code if department is not None and commune is not None else "",
                department=str(department) if department is not None and commune is None else "",
                skills=tuple(skill_names[profile.pk][:skills]) if shown["skills"] else (),
                can_write=viewer.is_authenticated and viewer.pk != profile.user_id,
            )
        )
    return cards


def profile_get_for_viewer(*, viewer: User, pk: int) -> Profile:
    """A profile page: members see approved members; visitors see profiles with public fields.

    Hidden, pending and erased profiles are a 404 for everyone but their owner and staff.
    """
    profile = (
        Profile.objects.select_related("user", "organisation", "department", "commune__department")
        .prefetch_related("interests", Prefetch("skill_levels", queryset=ProfileSkill.objects.select_related("skill")))
        .filter(pk=pk)
        .first()
    )
    if profile is None:
        raise Http404
    if viewer.is_authenticated and (viewer.pk == profile.user_id or viewer.is_hub_staff):
        return profile
    if profile.status != MemberStatus.APPROVED or not profile.user.is_active or profile.user.erased_at:
        raise Http404
    if not is_approved_member(viewer) and not profile.in_directory:
        raise Http404
    return profile


def organisation_list(*, q: str = "", type: str = "", department: str = "") -> QuerySet[Organisation]:
    """Organisations of the network (every member may list them), searched accent- and case-free
    on their name, with the number of members who show them in the directory."""
    qs = Organisation.objects.filter(search_filter(q))
    if type:
        qs = qs.filter(type=type)
    if department:
        qs = qs.filter(commune__department__code=department)
    return (
        qs.select_related("commune__department")
        .annotate(member_count=Count("members", filter=Q(members__status=MemberStatus.APPROVED, members__in_directory=True)))
        .order_by("name")
    )


def organisation_managers(*, organisation: Organisation, viewer) -> list[User]:
    """Who manages the organisation's page: all of them for staff and its managers (who add and
    remove them), the approved ones listed in the directory for other members."""
    managers = list(
        organisation.managers.filter(is_active=True, erased_at__isnull=True)
        .select_related("profile")
        .order_by("profile__display_name", "pk")
    )
    if viewer.is_hub_staff or any(m.pk == viewer.pk for m in managers):
        return managers
    listed = []
    for manager in managers:
        profile = getattr(manager, "profile", None)
        if profile is not None and profile.status == MemberStatus.APPROVED and profile.in_directory:
            listed.append(manager)
    return listed


def organisation_manager_candidates(*, organisation: Organisation) -> QuerySet[User]:
    """The organisation's approved members who do not manage it yet (the add form's choices)."""
    return (
        User.objects.filter(
            profile__organisation=organisation, profile__status=MemberStatus.APPROVED, is_active=True, erased_at__isnull=True
        )
        .exclude(managed_organisations=organisation)
        .select_related("profile")
        .order_by("profile__display_name", "pk")
    )


def organisation_members(*, organisation: Organisation) -> QuerySet[Profile]:
    """Approved members listed in the directory who do not hide their organisation."""
    return (
        Profile.objects.filter(organisation=organisation, status=MemberStatus.APPROVED, in_directory=True, user__is_active=True)
        .exclude(_hidden("organisation"))
        .select_related("user", "commune", "department", "organisation")
        .order_by("display_name")
    )


DIRECTORY_FACETS_KEY = "community:directory-facets"
DIRECTORY_FACETS_SECONDS = 120


@dataclass(frozen=True, slots=True)
class FacetSkill:
    slug: str
    name: str
    n: int = 0  # members who list it (the most listed skills)
    in_referential: bool = False
    category: str | None = None  # the référentiel's category name


def directory_facets() -> dict:
    """Départements that have members, the référentiel (for the skill filter) and the 40 most listed
    skills, as plain values.

    Every directory request shows them. The départements are read each time (one index entry tested
    each; a member's first one is offered at once). The référentiel and the skill counts are kept
    two minutes in the shared cache (a query, a count over every profile's skills and some 100
    model instances a page otherwise) and dropped at once when a skill or a category is saved or
    deleted (``community.signals``): the "most listed skills" may lag two minutes."""

    def skills() -> dict:
        referential = Skill.objects.filter(in_referential=True).select_related("category").order_by("category__position", "name")
        top = Skill.objects.annotate(n=Count("skilled_profiles")).filter(n__gt=0).order_by("-n", "name")[:40]
        return {
            "referential": tuple(FacetSkill(s.slug, s.name, 0, True, s.category.name if s.category else None) for s in referential),
            "skills": tuple(FacetSkill(s.slug, s.name, s.n, s.in_referential) for s in top),
        }

    departments = Department.objects.filter(Exists(Profile.objects.filter(department=OuterRef("pk")))).order_by("code")
    return {
        "departments": Department.choices_of(departments),
        **cache.get_or_set(DIRECTORY_FACETS_KEY, skills, DIRECTORY_FACETS_SECONDS),
    }


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The member's own notifications, newest first (never another member's)."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(unread=True)
    return qs.order_by("-timestamp")


@dataclass
class NotificationRow:
    """One line of the notification list: the newest notification of a thread and how many it stands for."""

    latest: Notification
    count: int
    unread: bool


def notification_thread_key(notification: Notification) -> tuple:
    """Notifications of one kind about one object (five replies in one topic) form one thread."""
    if notification.target_content_type_id and notification.target_object_id:
        return ((notification.data or {}).get("kind"), notification.target_content_type_id, notification.target_object_id)
    return ("single", notification.pk)


def notification_rows(notifications) -> list[NotificationRow]:
    """Group a page of notifications (newest first) by thread, keeping the newest one's place."""
    rows: dict[tuple, NotificationRow] = {}
    for notification in notifications:
        key = notification_thread_key(notification)
        row = rows.get(key)
        if row is None:
            rows[key] = NotificationRow(latest=notification, count=1, unread=notification.unread)
        else:
            row.count += 1
            row.unread = row.unread or notification.unread
    return list(rows.values())


def user_get_by_email(email: str) -> User | None:
    """The account that owns this e-mail address (case-insensitive), or ``None``: deactivated and
    erased accounts are never found, so nobody invites, registers or rewards them by address."""
    email = (email or "").strip()
    if not email:
        return None
    return User.objects.filter(email__iexact=email, is_active=True, erased_at__isnull=True).first()


def pending_profiles() -> QuerySet[Profile]:
    """Sign-ups waiting for a staff decision, oldest first (staff-only pages call it)."""
    return Profile.objects.filter(status=MemberStatus.PENDING).select_related("user", "organisation", "commune").order_by("created_at")


def followed_ids(*, viewer: User) -> tuple[list[int], list[int]]:
    """(member ids, organisation ids) the viewer follows, for the "suivis" filter (one query)."""
    if not viewer.is_authenticated:
        return [], []
    rows = list(Follow.objects.filter(follower=viewer).values_list("member_id", "organisation_id"))
    return [m for m, _o in rows if m], [o for _m, o in rows if o]


def follow_state(*, viewer: User, member: User | None = None, organisation: Organisation | None = None) -> bool:
    """Whether the viewer follows this member or organisation."""
    if not viewer.is_authenticated:
        return False
    target = {"member": member} if member is not None else {"organisation": organisation}
    return Follow.objects.filter(follower=viewer, **target).exists()


def push_devices(*, viewer: User) -> QuerySet:
    """The viewer's own push subscriptions, newest first (one query)."""
    return PushSubscription.objects.filter(user=viewer).only("pk", "user_agent", "created_at", "last_success_at", "endpoint")
