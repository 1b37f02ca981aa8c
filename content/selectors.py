"""Reads for the public site and the resource library, filtered by what the viewer may see and
shaped so that each page costs a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import search_filter
from community.models import Department, MemberStatus, Organisation, Profile, is_approved_member
from events.models import Event
from groups.access import group_ids_of
from groups.models import AccessMode, Membership, MembershipStatus, Role
from places.models import Place

from .models import (
    Audience,
    Collection,
    CollectionItem,
    NewsIndexPage,
    NewsPage,
    ObservatorySettings,
    Resource,
    ResourceReport,
    ResourceStatus,
    ResourceVote,
    Theme,
)


# --- Resource visibility ------------------------------------------------------------------------
def _group_visible_q(viewer, prefix: str = "") -> Q:
    """Resources with no group, or whose group the viewer may know exists (secret groups only
    for their members)."""
    q = Q(**{f"{prefix}group__isnull": True}) | ~Q(**{f"{prefix}group__access": AccessMode.SECRET})
    if viewer is not None and viewer.is_authenticated and is_approved_member(viewer):
        mine = Membership.objects.filter(
            user=viewer, status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED], group=OuterRef(f"{prefix}group")
        )
        q |= Q(Exists(mine))
    return q


def moderated_group_ids(user) -> QuerySet:
    """Ids of the groups the member owns, administers or moderates (they publish its resources)."""
    return Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE, role__in=[Role.OWNER, Role.ADMIN, Role.MODERATOR]).values(
        "group_id"
    )


def can_moderate(*, user, resource: Resource) -> bool:
    """Hub staff publish any resource; a group's owners, admins and moderators those of their group."""
    if not user.is_authenticated:
        return False
    if user.is_hub_staff:
        return True
    return resource.group_id is not None and moderated_group_ids(user).filter(group_id=resource.group_id).exists()


def resource_audience(resource: Resource) -> str:
    """Who may see a published resource, as an activity-stream audience: everyone, unless it comes
    from a secret group (then that group's members)."""
    if resource.group_id and resource.group.access == AccessMode.SECRET:
        return f"group:{resource.group_id}"
    return "public"


def resource_list_published(*, viewer) -> QuerySet[Resource]:
    """Published resources the viewer may see (those of a secret group only for its members)."""
    return Resource.objects.filter(status=ResourceStatus.PUBLISHED).filter(_group_visible_q(viewer))


def _shaped(qs: QuerySet[Resource]) -> QuerySet[Resource]:
    return qs.select_related("department", "organisation", "submitted_by__profile", "group", "event", "funding_call").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name")), Prefetch("audiences", queryset=Audience.objects.order_by("name"))
    )


@dataclass
class ResourceFilters:
    q: str = ""
    theme: str = ""
    audience: str = ""
    type: str = ""
    licence: str = ""
    department: str = ""
    sort: str = ""


def resource_list_search(*, viewer, filters: ResourceFilters) -> QuerySet[Resource]:
    """Published resources the viewer may see, filtered; each annotated with its "useful" count."""
    qs = resource_list_published(viewer=viewer)
    if filters.q:
        qs = qs.filter(search_filter(filters.q))
    if filters.theme:
        qs = qs.filter(pk__in=Resource.themes.through.objects.filter(theme__slug=filters.theme).values("resource_id"))
    if filters.audience:
        qs = qs.filter(pk__in=Resource.audiences.through.objects.filter(audience__slug=filters.audience).values("resource_id"))
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.licence:
        qs = qs.filter(licence=filters.licence)
    if filters.department:
        qs = qs.filter(department__code=filters.department)
    qs = qs.annotate(useful_count=Count("votes", distinct=True))
    order = ["-useful_count", "-published_at", "-pk"] if filters.sort == "useful" else ["-published_at", "-pk"]
    return _shaped(qs.order_by(*order))


def resource_get_for_viewer(*, viewer, slug: str) -> Resource:
    """The resource, or 404: published ones the viewer may see; drafts and refused ones only for
    their author and the people who may moderate them."""
    resource = _shaped(Resource.objects.filter(slug=slug).annotate(useful_count=Count("votes", distinct=True))).first()
    if resource is None:
        raise Http404
    if resource.is_published and resource_list_published(viewer=viewer).filter(pk=resource.pk).exists():
        return resource
    if viewer.is_authenticated and (resource.submitted_by_id == viewer.pk or can_moderate(user=viewer, resource=resource)):
        return resource
    raise Http404


def origin_links(*, viewer, resource: Resource) -> list[dict]:
    """Links to the event and the funding call the resource comes from, when the viewer may see
    them (funding calls are for members)."""
    links = []
    event = resource.event
    if event is not None and event.state == "published":
        visible = event.audience == "public" or (event.audience == "members" and is_approved_member(viewer))
        if not visible and event.audience == "group" and event.audience_group_id and viewer.is_authenticated:
            visible = viewer.is_hub_staff or group_ids_of(viewer).filter(group_id=event.audience_group_id).exists()
        if visible:
            links.append({"label": _("Issue de l'événement"), "title": event.title, "url": event.get_absolute_url()})
    call = resource.funding_call
    if call is not None and call.state in ("published", "closed") and is_approved_member(viewer):
        links.append({"label": _("Issue de l'appel à projets"), "title": call.title, "url": call.get_absolute_url()})
    return links


def resource_list_to_moderate(*, user) -> QuerySet[Resource]:
    """Resources waiting for review that the member may publish (all for staff), oldest first."""
    qs = Resource.objects.filter(status=ResourceStatus.SUBMITTED)
    if not user.is_hub_staff:
        qs = qs.filter(group_id__in=moderated_group_ids(user))
    return _shaped(qs.order_by("created_at", "pk"))


def resource_list_submitted_by(*, user) -> QuerySet[Resource]:
    """What the member proposed, whatever its state, newest first."""
    return Resource.objects.filter(submitted_by=user).select_related("group").order_by("-created_at", "-pk")


def has_voted(*, user, resource: Resource) -> bool:
    """Whether the member marked the resource useful."""
    return user.is_authenticated and ResourceVote.objects.filter(user=user, resource=resource).exists()


def library_facets() -> dict:
    """Filter choices with the number of published resources (two queries)."""
    published = Q(resources__status=ResourceStatus.PUBLISHED)
    return {
        "themes": list(Theme.objects.annotate(n=Count("resources", filter=published)).order_by("name")),
        "audiences": list(Audience.objects.annotate(n=Count("resources", filter=published)).order_by("name")),
    }


# --- Collections --------------------------------------------------------------------------------
def collection_list_of(*, user) -> QuerySet[Collection]:
    """The member's collections with their number of resources, last changed first."""
    return Collection.objects.filter(owner=user).annotate(n=Count("items")).order_by("-updated_at", "-pk")


def collection_get_for_viewer(*, viewer, slug: str) -> Collection:
    """A public collection for everyone, a private one for its owner only (404 otherwise)."""
    collection = Collection.objects.filter(slug=slug).select_related("owner__profile").first()
    if collection is None:
        raise Http404
    if collection.is_public or (viewer.is_authenticated and collection.owner_id == viewer.pk):
        return collection
    raise Http404


def collection_resources(*, viewer, collection: Collection) -> QuerySet[Resource]:
    """The collection's resources the viewer may see (a resource unpublished later drops out)."""
    ids = CollectionItem.objects.filter(collection=collection).values("resource_id")
    qs = resource_list_published(viewer=viewer).filter(pk__in=ids).annotate(useful_count=Count("votes", distinct=True))
    return _shaped(qs.order_by("title", "pk"))


# --- Home page ----------------------------------------------------------------------------------
def home_blocks(*, home) -> dict:
    """News, next public events, places teaser and key figures: each block guarded so the page
    works whichever apps have data (a fixed number of queries)."""
    figures = Profile.objects.aggregate(
        members=Count("pk", filter=Q(status=MemberStatus.APPROVED, user__is_active=True)),
    )
    index = NewsIndexPage.objects.live().child_of(home).first()
    context = {
        "news_index_url": index.url if index else "",
        "news": list(NewsPage.objects.live().descendant_of(home).select_related("image").order_by("-date", "-pk")[:3]),
        "member_count": figures["members"],
        "organisation_count": Organisation.objects.count(),
        "resource_count": Resource.objects.filter(status=ResourceStatus.PUBLISHED, group__isnull=True).count(),
        "latest_resources": list(
            Resource.objects.filter(status=ResourceStatus.PUBLISHED, group__isnull=True).order_by("-published_at", "-pk")[:4]
        ),
    }
    context.update(external_home_blocks())
    return context


def external_home_blocks() -> dict:
    """Blocks read from the events and places apps: the next public events and the places teaser
    (one query each)."""
    events = Event.objects.filter(state="published", audience="public", end__gte=timezone.now()).select_related("commune")
    next_events = [
        {
            "title": e.title,
            "url": e.get_absolute_url(),
            "start": e.start,
            "where": e.commune.name if e.commune_id else e.get_format_display(),
        }
        for e in events.order_by("start", "pk")[:4]
    ]
    rows = list(
        Place.objects.filter(is_published=True)
        .annotate(dep=Substr("code_postal", 1, 2))
        .values("dep")
        .annotate(n=Count("pk"), labelled=Count("pk", filter=Q(is_labelled=True)))
        .order_by("-n", "dep")
    )
    names = dict(Department.objects.filter(code__in=[r["dep"] for r in rows[:6]]).values_list("code", "name"))
    return {
        "next_events": next_events,
        "place_count": sum(r["n"] for r in rows),
        "labelled_count": sum(r["labelled"] for r in rows),
        "place_departments": [{"name": names.get(r["dep"], r["dep"]), "n": r["n"]} for r in rows[:6]],
    }


def report_list_to_moderate(*, user) -> list[ResourceReport]:
    """Open reports on resources the member may moderate (all for staff), newest first, 100 at most."""
    reports = ResourceReport.objects.filter(resolved_at__isnull=True).select_related("resource", "reporter__profile")
    if not user.is_hub_staff:
        reports = reports.filter(resource__group_id__in=moderated_group_ids(user))
    return list(reports[:100])


def report_get_for_moderator(*, user, pk) -> ResourceReport:
    """A report the member may resolve; 404 for any other (as for a missing one)."""
    report = ResourceReport.objects.select_related("resource").filter(pk=pk).first()
    if report is None or not can_moderate(user=user, resource=report.resource):
        raise Http404
    return report


def collection_get_owned(*, user, slug: str) -> Collection:
    """One of the member's own collections, or 404."""
    collection = Collection.objects.filter(slug=slug, owner=user).first() if user.is_authenticated else None
    if collection is None:
        raise Http404
    return collection


def resource_filter_departments() -> list[Department]:
    """Departments that have resources (the library's territory filter)."""
    return list(Department.objects.filter(resources__isnull=False).distinct().order_by("code"))


def observatory_intro() -> str:
    """The text the hub shows above its public observatory."""
    return ObservatorySettings.load().public_intro
