"""Reads for places pages, each a fixed number of queries whatever the number of places."""

import re

from django.db.models import Q, QuerySet

from .models import Place

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
        qs = qs.filter(Q(nom__icontains=q) | Q(commune__icontains=q) | Q(code_postal__startswith=q) | Q(presentation_resume__icontains=q))
    for key, column in (("services", "services"), ("publics", "publics_specifiquement_adresses"), ("frais", "frais_a_charge")):
        if value := filters.get(key):
            qs = qs.filter(has_value(column, value))
    if commune := filters.get("commune"):
        qs = qs.filter(commune=commune)
    if filters.get("labelled"):
        qs = qs.filter(is_labelled=True)
    return qs.order_by("nom", "pk")


def place_list_for_list(*, filters: dict | None = None) -> QuerySet[Place]:
    return place_list_public(filters=filters).only(*LIST_FIELDS)


def place_map_features(*, filters: dict | None = None) -> dict:
    """GeoJSON FeatureCollection of the published places that have a position (one query)."""
    rows = (
        place_list_public(filters=filters)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values_list("pk", "nom", "commune", "latitude", "longitude", "is_labelled")
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"id": pk, "nom": nom, "commune": commune, "url": f"/lieux/{pk}/", "labellise": labelled},
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
