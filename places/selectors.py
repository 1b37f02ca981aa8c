"""Reads for places pages, each a fixed number of queries whatever the number of places."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from common.text import search_filter
from community.models import Commune, Department, User

from . import conf, finder, opening_hours
from .models import Place
from .validators import department_of_insee, department_of_postcode

# Columns of the list and map: enough for a card, nothing heavy (no présentation détaillée).
LIST_FIELDS = [
    "id",
    "nom",
    "adresse",
    "code_postal",
    "commune",
    "latitude",
    "longitude",
    "services",
    "frais_a_charge",
    "publics_specifiquement_adresses",
    "presentation_resume",
    "is_published",
    "is_labelled",
    "horaires",
    "itinerance",
    "langues",
    "accessibilite",
    "date_maj",
    "confirmed_on",
]


def has_value(column: str, value: str) -> Q:
    """Rows whose "|"-separated ``column`` contains exactly ``value`` (not as a substring:
    "Gratuit" must not match "Gratuit sous condition"). Works on SQLite and PostgreSQL."""
    return Q(**{f"{column}__regex": r"(^|\|)" + re.escape(value).replace("\\ ", " ") + r"(\||$)"})


# Finder filters on "|"-separated columns: form key -> column.
VALUE_FILTERS = {
    "services": "services",
    "publics": "publics_specifiquement_adresses",
    "prise_en_charge": "prise_en_charge_specifique",
    "modalite": "modalites_accompagnement",
    "frais": "frais_a_charge",
    "accessibilite": "accessibilite",
    "langue": "langues",
    "itinerance": "itinerance",
}


def place_list_public(*, filters: dict | None = None) -> QuerySet[Place]:
    """Published places matching the SQL part of the finder's filters (keys: ``q``, those of
    ``VALUE_FILTERS``, ``commune``, ``labelled``), ordered by name. ``commune`` is an
    exact match unless a radius (``rayon``) is asked: then ``place_search`` measures distances."""
    filters = filters or {}
    qs = Place.objects.published()
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(search_filter(q))
    for key, column in VALUE_FILTERS.items():
        if value := filters.get(key):
            qs = qs.filter(has_value(column, value))
    if (commune := filters.get("commune")) and not filters.get("rayon"):
        qs = qs.filter(commune=commune)
    if filters.get("labelled"):
        qs = qs.filter(is_labelled=True)
    return qs.order_by("nom", "pk")


def commune_origin(name: str) -> tuple[float, float] | None:
    """Where a commune is: the reference table's position, else the centre of its places (two
    queries at most)."""
    row = (
        Commune.objects.filter(name__iexact=name, latitude__isnull=False, longitude__isnull=False)
        .values_list("latitude", "longitude")
        .first()
    )
    if row:
        return row
    centre = Place.objects.published().filter(commune=name, latitude__isnull=False).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    return (centre["lat"], centre["lon"]) if centre["lat"] is not None else None


# Columns the finder reads per candidate row: enough to filter by time and distance and draw the map.
SEARCH_COLUMNS = ("pk", "nom", "commune", "latitude", "longitude", "is_labelled", "confirmed_on", "date_maj", "horaires", "code_postal")


@dataclass
class PlaceSearch:
    """A finder search: either a queryset (SQL filters only) or the rows kept in Python (``rows``,
    already ordered: by distance when a radius is set, else by name), with their distances."""

    queryset: QuerySet[Place]
    rows: list[tuple] | None = None
    distances: dict[int, float] = field(default_factory=dict)
    origin: tuple[float, float] | None = None
    unknown_commune: bool = False
    when: finder.OpenAt | None = None  # the "open at" condition, if any (its ``day`` names the day asked for)

    def pageable(self):
        return self.queryset.only(*LIST_FIELDS) if self.rows is None else [row[0] for row in self.rows]

    def count(self) -> int:
        return self.queryset.count() if self.rows is None else len(self.rows)


def place_search(*, filters: dict | None = None, now: datetime | None = None) -> PlaceSearch:
    """The finder: SQL filters, then "open at" and "within N km" on the candidate rows (one query
    for them, plus two at most to place the commune). ``now`` is a naive local time (tests)."""
    filters = filters or {}
    when = finder.open_at(shortcut=filters.get("ouvert", ""), weekday=filters.get("jour", ""), at=filters.get("heure"), now=now)
    search = PlaceSearch(place_list_public(filters=filters), when=when)
    radius = float(filters["rayon"]) if filters.get("rayon") and filters.get("commune") else None
    if radius is not None:
        search.origin = commune_origin(filters["commune"])
        if search.origin is None:
            search.unknown_commune = True
            search.queryset = search.queryset.filter(commune=filters["commune"])
            radius = None
    if when is None and radius is None:
        return search
    qs = search.queryset
    if radius is not None:
        lat_min, lat_max, lon_min, lon_max = finder.bounding_box(*search.origin, radius)
        qs = qs.filter(latitude__range=(lat_min, lat_max), longitude__range=(lon_min, lon_max))
    rows, verdicts = [], {}
    for row in qs.values_list(*SEARCH_COLUMNS):
        if radius is not None:
            km = finder.distance_km(*search.origin, row[3], row[4])
            if km > radius:
                continue
            search.distances[row[0]] = km
        if when is not None:
            # Places share a few dozen hour patterns: evaluate each pattern once per search
            # ("now" also depends on the place's time zone, given by its postcode).
            key = (row[8], row[9][:3] if when.now else "")
            if key not in verdicts:
                verdicts[key] = when.matches(row[8], row[9])
            if not verdicts[key]:
                continue
        rows.append(row)
    if radius is not None:
        rows.sort(key=lambda r: (search.distances[r[0]], r[1]))
    search.rows = rows
    return search


def place_cards(*, search: PlaceSearch, page_items) -> list[Place]:
    """The places of one page, in order, each with its open-now ``state`` (local time of the
    place) and its ``distance`` (km) when the search has a radius: one query at most."""
    if search.rows is None:
        places = list(page_items)
    else:
        by_pk = {p.pk: p for p in Place.objects.filter(pk__in=list(page_items)).only(*LIST_FIELDS)}
        places = [by_pk[pk] for pk in page_items if pk in by_pk]
    for place in places:
        place.state = opening_hours.state_at(place.horaires, opening_hours.local_now(place.code_postal))
        place.distance = search.distances.get(place.pk)
    return places


def place_map_features(*, filters: dict | None = None) -> dict:
    """GeoJSON FeatureCollection of the finder's places that have a position (one query, plus
    two at most to place a commune)."""
    search = place_search(filters=filters)
    if search.rows is None:
        rows = search.queryset.filter(latitude__isnull=False, longitude__isnull=False).values_list(*SEARCH_COLUMNS)
    else:
        rows = [row for row in search.rows if row[3] is not None and row[4] is not None]
    stale_before = conf.stale_before()
    template = reverse("places:place_detail", args=[0]).replace("/0/", "/{}/")  # one reverse for all rows
    features = []
    for pk, nom, commune, lat, lon, labelled, confirmed, updated, horaires, postcode in rows:
        state = opening_hours.state_at(horaires, opening_hours.local_now(postcode)).open
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": pk,
                    "nom": nom,
                    "commune": commune,
                    "url": template.format(pk),
                    "labellise": labelled,
                    "a_confirmer": (confirmed or updated) < stale_before,
                    "ouvert": state,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


FRESHNESS_HEADER = ["id", "nom", "commune", "code_postal", "date_maj", "derniere_confirmation", "a_confirmer"]


def place_freshness_rows():
    """The freshness export: each published place, when its record was last confirmed and whether
    it is stale ("oui" after ``PLACES_STALE_MONTHS``). One query; public facts only."""
    stale_before = conf.stale_before()
    rows = (
        Place.objects.published()
        .order_by("schema_id")
        .values_list("schema_id", "nom", "commune", "code_postal", "date_maj", "confirmed_on")
    )
    for schema_id, nom, commune, postcode, updated, confirmed in rows.iterator(chunk_size=2000):
        last = confirmed or updated
        yield [schema_id, nom, commune, postcode, updated.isoformat(), last.isoformat(), "oui" if last < stale_before else "non"]


def place_communes() -> list[str]:
    """Communes that have at least one published place (for the commune filter)."""
    return list(Place.objects.published().order_by("commune").values_list("commune", flat=True).distinct())


def place_list_managed_by(*, user) -> QuerySet[Place]:
    """Places the member manages (drafts included)."""
    if not user.is_authenticated:
        return Place.objects.none()
    return Place.objects.filter(managers=user).only(*LIST_FIELDS).order_by("nom", "pk")


def place_list_for_moderation() -> QuerySet[Place]:
    """Staff: places waiting for publication first, then the others."""
    return Place.objects.only(*LIST_FIELDS, "updated_at").order_by("is_published", "-updated_at", "pk")


def place_hours(*, place: Place) -> dict:
    """The place page's hours: this week's opening spans from today (``week``) and whether it is
    open now (``now``), in the place's local time; empty when it has no readable hours."""
    now = opening_hours.local_now(place.code_postal)
    return {
        "today": now.date(),
        "week": opening_hours.week(place.horaires, now.date()),
        "now": opening_hours.state_at(place.horaires, now),
        "hours_readable": opening_hours.readable(place.horaires) if place.horaires else False,
    }


def place_manager_list(*, place: Place) -> QuerySet[User]:
    """The managers of a place, with their profiles, by name."""
    return place.managers.select_related("profile").order_by("last_name", "first_name", "pk")


def place_manager_get(*, place: Place, pk) -> User:
    """One manager of the place, or 404 (a member who does not manage it is not found here)."""
    member = place.managers.filter(pk=pk).first() if str(pk).isdigit() else None
    if member is None:
        raise Http404
    return member


def department_of_place(place: Place) -> Department | None:
    """The place's department (from its INSEE code, else its postcode), if the hub knows it."""
    if place.code_insee:
        code = department_of_insee(place.code_insee)
    else:
        codes = department_of_postcode(place.code_postal or "")
        code = next(iter(codes)) if len(codes) == 1 else ""
    return Department.objects.filter(code=code).first() if code else None


OFFER_SUMMARY_COLUMNS = ("services", "publics_specifiquement_adresses", "modalites_accompagnement", "modalites_acces")


def place_list_for_organisation(*, viewer, organisation) -> list[Place]:
    """The places of an organisation the viewer may see: those whose pivot is one of the
    organisation's establishments (same SIREN, the first nine digits of its SIRET). One query;
    none when the organisation has no SIRET."""
    siren = (organisation.siret or "")[:9]
    if len(siren) != 9:
        return []
    return list(Place.objects.visible_to(viewer).filter(pivot__startswith=siren).order_by("nom"))


def place_offer_summary(places) -> list[tuple[str, list[tuple[str, int]]]]:
    """The offer of several places put together: for services, publics and modalities, each
    value with the number of places that offer it (no query)."""
    summary = []
    for column in OFFER_SUMMARY_COLUMNS:
        counts: dict[str, int] = {}
        for place in places:
            for value in place.values(column):
                counts[value] = counts.get(value, 0) + 1
        summary.append((column, sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
    return summary
