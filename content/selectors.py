"""Reads for the public site and the resource library, filtered by what the viewer may see and
shaped so that each page costs a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from community.models import Department, MemberStatus, Organisation, Profile, is_approved_member

from .models import Audience, Collection, CollectionItem, NewsPage, Resource, ResourceStatus, ResourceVote, Theme


def optional_model(app_label: str, model_name: str):
    """Another app's model, or ``None`` while that app has not defined it yet.

    ``content`` reads from every app (ARCHITECTURE.md) but must keep working when one of them
    has no model or no data: each home-page block and observatory chart is guarded with this.
    """
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


# --- Resource visibility ------------------------------------------------------------------------
def _group_visible_q(viewer, prefix: str = "") -> Q:
    """Resources with no group, or whose group the viewer may know exists (secret groups only
    for their members)."""
    from groups.models import AccessMode, Membership, MembershipStatus

    q = Q(**{f"{prefix}group__isnull": True}) | ~Q(**{f"{prefix}group__access": AccessMode.SECRET})
    if viewer is not None and viewer.is_authenticated and is_approved_member(viewer):
        mine = Membership.objects.filter(
            user=viewer, status__in=[MembershipStatus.ACTIVE, MembershipStatus.INVITED], group=OuterRef(f"{prefix}group")
        )
        q |= Q(Exists(mine))
    return q


def moderated_group_ids(user) -> QuerySet:
    from groups.models import Membership, MembershipStatus, Role

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


def resource_list_published(*, viewer) -> QuerySet[Resource]:
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
        for word in filters.q.split()[:6]:
            qs = qs.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word) | Q(authors__icontains=word)
            )
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
            from groups.access import group_ids_of

            visible = viewer.is_hub_staff or group_ids_of(viewer).filter(group_id=event.audience_group_id).exists()
        if visible:
            links.append({"label": _("Issue de l'événement"), "title": event.title, "url": event.get_absolute_url()})
    call = resource.funding_call
    if call is not None and call.state in ("published", "closed") and is_approved_member(viewer):
        links.append({"label": _("Issue de l'appel à projets"), "title": call.title, "url": call.get_absolute_url()})
    return links


def resource_list_to_moderate(*, user) -> QuerySet[Resource]:
    qs = Resource.objects.filter(status=ResourceStatus.SUBMITTED)
    if not user.is_hub_staff:
        qs = qs.filter(group_id__in=moderated_group_ids(user))
    return _shaped(qs.order_by("created_at", "pk"))


def resource_list_submitted_by(*, user) -> QuerySet[Resource]:
    return Resource.objects.filter(submitted_by=user).select_related("group").order_by("-created_at", "-pk")


def has_voted(*, user, resource: Resource) -> bool:
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
    from .models import NewsIndexPage

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
    """Blocks read from the events and places apps, when they exist: the next public events and
    the places teaser (one query each)."""
    from django.db.models.functions import Substr
    from django.utils import timezone

    blocks: dict = {"next_events": [], "place_count": None, "labelled_count": None, "place_departments": []}
    Event = optional_model("events", "Event")
    if Event is not None:
        events = (
            Event.objects.filter(state="published", audience="public", end__gte=timezone.now())
            .select_related("commune")
            .order_by("start", "pk")[:4]
        )
        blocks["next_events"] = [
            {
                "title": e.title,
                "url": e.get_absolute_url(),
                "start": e.start,
                "where": e.commune.name if e.commune_id else e.get_format_display(),
            }
            for e in events
        ]
    Place = optional_model("places", "Place")
    if Place is not None:
        rows = list(
            Place.objects.filter(is_published=True)
            .annotate(dep=Substr("code_postal", 1, 2))
            .values("dep")
            .annotate(n=Count("pk"), labelled=Count("pk", filter=Q(is_labelled=True)))
            .order_by("-n", "dep")
        )
        blocks["place_count"] = sum(r["n"] for r in rows)
        blocks["labelled_count"] = sum(r["labelled"] for r in rows)
        names = dict(Department.objects.filter(code__in=[r["dep"] for r in rows[:6]]).values_list("code", "name"))
        blocks["place_departments"] = [{"name": names.get(r["dep"], r["dep"]), "n": r["n"]} for r in rows[:6]]
    return blocks
