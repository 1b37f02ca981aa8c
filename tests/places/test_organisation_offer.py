"""Issue 14 item 1: an organisation's page shows the offer of its places put together (same
SIREN as its SIRET), editable by their managers through the place offer form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OrganisationFactory, member_with

from .factories import make_place

pytestmark = pytest.mark.django_db

SIRET = "21210231500018"


@pytest.fixture
def organisation():
    return OrganisationFactory(siret=SIRET, name="Ville de Dijon")


def _page(client, organisation):
    return client.get(organisation.get_absolute_url()).content.decode()


def test_the_offer_of_its_places_is_put_together(member_client, organisation):
    make_place(pivot=SIRET, nom="Médiathèque Nord", services=["Aide aux démarches administratives"])
    make_place(pivot="21210231500026", nom="Médiathèque Sud", publics_specifiquement_adresses=["Seniors"])
    make_place(pivot="73282932000074", nom="Ailleurs")  # another SIREN
    make_place(pivot=SIRET, nom="Pas encore publié", publish=False)
    html = _page(member_client, organisation)
    assert "offre de ses lieux" in html
    assert "Médiathèque Nord" in html and "Médiathèque Sud" in html
    assert "Ailleurs" not in html and "Pas encore publié" not in html
    assert "Aide aux démarches administratives <small>(2 lieux)</small>" in html and "Seniors" in html
    assert "Modifier l'offre" not in html  # not a manager


def test_managers_get_the_offer_form_of_their_own_places(organisation):
    from django.test import Client

    manager = member_with()
    mine = make_place(manager, pivot=SIRET, nom="Mon lieu")
    other = make_place(pivot=SIRET, nom="Lieu voisin")
    client = Client()
    client.force_login(manager)
    html = _page(client, organisation)
    assert reverse("places:place_offer", args=[mine.pk]) in html
    assert reverse("places:place_offer", args=[other.pk]) not in html
    # the form itself stays the place's: a manager of one place cannot edit the other
    assert client.get(reverse("places:place_offer", args=[other.pk])).status_code == 403


def test_staff_see_unpublished_places_and_every_form(staff_client, organisation):
    hidden = make_place(pivot=SIRET, nom="Pas encore publié", publish=False)
    html = _page(staff_client, organisation)
    assert "Pas encore publié" in html and reverse("places:place_offer", args=[hidden.pk]) in html


def test_no_siret_no_panel_and_outsiders_are_redirected(client, member_client):
    bare = OrganisationFactory(siret="")
    make_place(pivot=SIRET)
    assert "offre de ses lieux" not in _page(member_client, bare)
    assert client.get(bare.get_absolute_url()).status_code == 302  # the page is for members


def test_the_panel_costs_a_fixed_number_of_queries(member_client, organisation):
    counts = []
    for n in (2, 10):
        while organisation_places_count() < n:
            make_place(pivot=SIRET)
        _page(member_client, organisation)
        with CaptureQueriesContext(connection) as ctx:
            _page(member_client, organisation)
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def organisation_places_count():
    from places.models import Place

    return Place.objects.filter(pivot=SIRET).count()
