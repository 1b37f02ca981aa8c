import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from common.registry import registry
from places.models import Place
from places.services import (
    place_create,
    place_manager_add,
    place_manager_remove,
    place_set_label_state,
    place_set_published,
    place_update,
)
from tests.places.factories import make_place, place_data

pytestmark = pytest.mark.django_db


def test_staff_place_is_published_member_place_waits(member, staff):
    assert place_create(actor=staff, data=place_data()).is_published
    assert not place_create(actor=member, data=place_data()).is_published
    with pytest.raises(PermissionDenied):
        place_create(actor=member, data=place_data(), publish=True)


def test_resume_is_limited_to_280_characters(member):
    with pytest.raises(ValidationError) as exc:
        place_create(actor=member, data=place_data(presentation_resume="x" * 281))
    assert "presentation_resume" in exc.value.message_dict


def test_enumerated_values_must_be_the_schemas(member):
    with pytest.raises(ValidationError) as exc:
        place_create(actor=member, data=place_data(services=["Réparer des vélos"]))
    assert "services" in exc.value.message_dict


def test_postcode_insee_mismatch_is_refused(member):
    with pytest.raises(ValidationError) as exc:
        place_create(actor=member, data=place_data(code_postal="21000", code_insee="39300"))
    assert "code_insee" in exc.value.message_dict


def test_only_managers_and_staff_update(member, other_member, staff):
    place = make_place(member)
    place_update(actor=member, place=place, data={"nom": "Nouveau nom"})
    assert Place.objects.get(pk=place.pk).nom == "Nouveau nom"
    place_update(actor=staff, place=place, data={"nom": "Par l'équipe"})
    with pytest.raises(PermissionDenied):
        place_update(actor=other_member, place=place, data={"nom": "Piraté"})
    assert Place.objects.get(pk=place.pk).nom == "Par l'équipe"


def test_failed_update_leaves_the_row_unchanged(member):
    place = make_place(member)
    with pytest.raises(ValidationError):
        place_update(actor=member, place=place, data={"nom": "Autre", "telephone": "12"})
    assert Place.objects.get(pk=place.pk).nom != "Autre"


def test_only_staff_moderate(member, staff):
    place = place_create(actor=member, data=place_data())
    with pytest.raises(PermissionDenied):
        place_set_published(actor=member, place=place, published=True)
    place_set_published(actor=staff, place=place, published=True)
    assert Place.objects.get(pk=place.pk).is_published


def test_managers_add_and_remove(member, other_member, staff):
    place = make_place(member)
    with pytest.raises(PermissionDenied):
        place_manager_add(actor=other_member, place=place, member=other_member)
    place_manager_add(actor=member, place=place, member=other_member)
    place_manager_remove(actor=other_member, place=place, member=member)
    assert list(place.managers.all()) == [other_member]
    with pytest.raises(ValidationError):
        place_manager_remove(actor=other_member, place=place, member=other_member)
    place_manager_remove(actor=staff, place=place, member=other_member)
    assert not place.managers.exists()


def test_label_state(member):
    from datetime import date

    place = make_place(member)
    place_set_label_state(place=place, labelled=True, valid_until=date(2029, 1, 1))
    place.refresh_from_db()
    assert place.is_labelled and place.labelled_until == date(2029, 1, 1)
    place_set_label_state(place=place, labelled=False)
    place.refresh_from_db()
    assert not place.is_labelled and place.labelled_until is None


def test_rgpd_export_and_erase(member):
    place = place_create(actor=member, data=place_data(nom="Mon lieu"))
    exported = registry.data_exporters["places"](member)
    assert exported["lieux_geres"][0]["nom"] == "Mon lieu"
    registry.account_erasers["places"](member)
    place.refresh_from_db()
    assert not place.managers.exists() and place.created_by is None


def test_demo_loader_is_idempotent():
    from places.demo import load_places_demo

    load_places_demo()
    count = Place.objects.count()
    assert count == 60
    load_places_demo()
    assert Place.objects.count() == count
    for place in Place.objects.all()[:60]:
        place.full_clean()
