import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from places.access import can_manage_place, place_get_for_viewer
from places.models import Place
from places.services import place_create, place_set_label_state
from tests.places.factories import make_place, place_data

pytestmark = pytest.mark.django_db


def test_member_creates_an_unpublished_place_and_manages_it(member, other_member, staff):
    place = place_create(actor=member, data=place_data(nom="La Fabrique"))
    assert not place.is_published
    assert place.schema_id.startswith("maillage-")
    assert place.telephone == "+33380000000"
    assert place.get_absolute_url() == f"/lieux/{place.pk}/"
    assert can_manage_place(member, place)
    assert can_manage_place(staff, place)
    assert not can_manage_place(other_member, place)
    assert place_get_for_viewer(viewer=member, pk=place.pk) == place
    with pytest.raises(Http404):
        place_get_for_viewer(viewer=other_member, pk=place.pk)


def test_invalid_data_is_refused_and_nothing_is_saved(member):
    with pytest.raises(ValidationError) as exc:
        place_create(actor=member, data=place_data(pivot="12345678901234", horaires="lundi 9h", code_insee="39300"))
    assert {"pivot", "horaires"} <= set(exc.value.message_dict)
    assert not Place.objects.exists()


def test_label_state_is_set_by_service():
    place = make_place()
    place_set_label_state(place=place, labelled=True)
    assert Place.objects.get(pk=place.pk).is_labelled
