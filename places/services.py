"""Writes on places. Every function is keyword-only, validates, and saves in one transaction.

Stable API for other apps: ``place_set_label_state(place=, labelled=, valid_until=None)`` (the
labels app calls it when a label is granted, expires or is withdrawn).
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .access import can_manage_place
from .models import Place
from .validators import normalise_phone

# Fields a place manager edits (the schema's fields, except the identifier and the update date).
EDITABLE_FIELDS = [
    "pivot",
    "nom",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]


def _apply(place: Place, data: dict) -> None:
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"Champ inconnu ou non modifiable : {name}")
        if name == "telephone":
            value = normalise_phone(value)
        if isinstance(value, list | tuple):
            value = "|".join(value)
        setattr(place, name, value)


def place_create(*, creator, data: dict, publish: bool | None = None) -> Place:
    """Create a place; the creator becomes its manager.

    A member's place waits for staff moderation (unpublished); staff may publish at once
    (``publish`` defaults to ``creator.is_hub_staff``).
    """
    if publish is None:
        publish = bool(creator and creator.is_hub_staff)
    if publish and not (creator and creator.is_hub_staff):
        raise PermissionDenied
    place = Place(created_by=creator, is_published=publish, date_maj=timezone.localdate())
    _apply(place, data)
    place.full_clean()
    with transaction.atomic():
        place.save()
        if creator is not None:
            place.managers.add(creator)
    return place


def place_update(*, place: Place, user, data: dict) -> Place:
    """Edit a place (its managers and staff); the update date becomes today."""
    if not can_manage_place(user, place):
        raise PermissionDenied
    _apply(place, data)
    place.date_maj = timezone.localdate()
    place.full_clean()
    with transaction.atomic():
        place.save()
    return place


def place_set_published(*, place: Place, user, published: bool) -> Place:
    """Staff moderation: publish or unpublish a place."""
    if not (user and user.is_hub_staff):
        raise PermissionDenied
    Place.objects.filter(pk=place.pk).update(is_published=published, updated_at=timezone.now())
    place.is_published = published
    return place


def place_manager_add(*, place: Place, user, manager) -> None:
    """A manager (or staff) adds another member as manager of the place."""
    if not can_manage_place(user, place):
        raise PermissionDenied
    if not manager.is_active:
        raise ValidationError("Ce compte n'est pas actif.")
    place.managers.add(manager)


def place_manager_remove(*, place: Place, user, manager) -> None:
    """Remove a manager; a place keeps at least one manager unless staff remove them."""
    if not can_manage_place(user, place):
        raise PermissionDenied
    with transaction.atomic():
        if not user.is_hub_staff and place.managers.exclude(pk=manager.pk).count() == 0:
            raise ValidationError("Un lieu garde au moins un·e gestionnaire.")
        place.managers.remove(manager)


def place_set_label_state(*, place: Place, labelled: bool, valid_until: date | None = None) -> None:
    """Called by the labels app: the place carries (or no longer carries) the regional label.

    Drives the "labelled only" filter of the list and map. ``valid_until`` is shown on the page.
    """
    Place.objects.filter(pk=place.pk).update(is_labelled=labelled, labelled_until=valid_until if labelled else None)
    place.is_labelled = labelled
    place.labelled_until = valid_until if labelled else None
