"""Reads for places pages, each a fixed number of queries whatever the number of places."""

import re

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from common.text import search_filter
from community.models import Department, User

from . import opening_hours
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
]


def has_value(column: str, value: str) -> Q:
    """Rows whose "|"-separated ``column`` contains exactly ``value`` (not as a substring:
    "Gratuit" must not match "Gratuit sous condition"). Works on SQLite and PostgreSQL."""
    return Q(**{f"{column}__regex": r"(^|\|)" + re.escape(value).replace("\\ ", " ") + r"(\||$)"})


def place_list_public(*, filters: dict | None = None) -> QuerySet[Place]:
    """Published places matching the list filters (keys: ``q``, ``services``, ``publics``, ``frais``,
    ``commune``, ``labelled``), ordered by name."""
    filters = filters or {}
    qs = Place.objects.published()
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(search_filter(q))
    for key, column in (("services", "services"), ("publics", "publics_specifiquement_adresses"), ("frais", "frais_a_charge")):
        if value := filters.get(key):
            qs = qs.filter(has_value(column, value))
    if commune := filters.get("commune"):
        qs = qs.filter(commune=commune)
    if filters.get("labelled"):
        qs = qs.filter(is_labelled=True)
    return qs.order_by("nom", "pk")


def place_list_for_list(*, filters: dict | None = None) -> QuerySet[Place]:
    """The public list: published places matching the filters, only the columns a card shows."""
    return place_list_public(filters=filters).only(*LIST_FIELDS)


def place_map_features(*, filters: dict | None = None) -> dict:
    """GeoJSON FeatureCollection of the published places that have a position (one query)."""
    rows = (
        place_list_public(filters=filters)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values_list("pk", "nom", "commune", "latitude", "longitude", "is_labelled")
    )
    template = reverse("places:place_detail", args=[0]).replace("/0/", "/{}/")  # one reverse for all rows
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": pk, "nom": nom, "commune": commune, "url": template.format(pk), "labellise": labelled},
        }
        for pk, nom, commune, lat, lon, labelled in rows
    ]
    return {"type": "FeatureCollection", "features": features}


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
