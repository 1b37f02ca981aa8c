import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from places.models import Place
from places.services import place_create, place_set_label_state
from tests.places.factories import make_place, place_data

pytestmark = pytest.mark.django_db


def test_list_shows_published_places_to_anonymous(client, member):
    make_place(nom="Médiathèque publique")
    place_create(actor=member, data=place_data(nom="Lieu en attente"))
    response = client.get("/lieux/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Médiathèque publique" in content and "Lieu en attente" not in content
    assert 'data-geojson-url="/lieux/carte.geojson"' in content


def test_filters_match_exact_values(client):
    make_place(nom="Gratuit A", frais_a_charge=["Gratuit"], commune="Dijon")
    make_place(nom="Sous condition B", frais_a_charge=["Gratuit sous condition"], commune="Dijon")
    labelled = make_place(nom="Labellisé C", frais_a_charge=["Payant"], services=["Loisirs et créations numériques"], code_postal="21000")
    place_set_label_state(place=labelled, labelled=True)
    content = client.get("/lieux/", {"frais": "Gratuit"}).content.decode()
    assert "Gratuit A" in content and "Sous condition B" not in content
    content = client.get("/lieux/", {"labelled": "on"}).content.decode()
    assert "Labellisé C" in content and "Gratuit A" not in content
    content = client.get("/lieux/", {"services": "Loisirs et créations numériques"}).content.decode()
    assert "Labellisé C" in content and "Gratuit A" not in content
    content = client.get("/lieux/", {"q": "sous cond"}).content.decode()
    assert "Sous condition B" in content and "Gratuit A" not in content
    geo = client.get("/lieux/carte.geojson", {"frais": "Payant"}).json()
    assert [f["properties"]["nom"] for f in geo["features"]] == ["Labellisé C"]


def test_commune_filter(client):
    make_place(nom="À Dijon")
    make_place(nom="À Besançon", commune="Besançon", code_postal="25000", code_insee="25056")
    content = client.get("/lieux/", {"commune": "Besançon"}).content.decode()
    assert "À Besançon" in content and "À Dijon" not in content


def test_unpublished_place_page_is_404_except_for_managers_and_staff(client, client_for, member, other_member, staff):
    place = place_create(actor=member, data=place_data(nom="Brouillon"))
    url = place.get_absolute_url()
    assert client.get(url).status_code == 404
    assert client_for(other_member).get(url).status_code == 404
    assert client_for(member).get(url).status_code == 200
    assert client_for(staff).get(url).status_code == 200
    assert client.get("/lieux/999999/").status_code == 404


def test_place_page_shows_the_weeks_hours_in_french_and_the_phone_nationally(client):
    place = make_place(
        horaires="Mo-Sa 09:00-12:00,14:00-17:30; Su off", telephone="+33380128973", presentation_detail="<script>alert(1)</script>**gras**"
    )
    content = client.get(place.get_absolute_url()).content.decode()
    assert content.count("9 h – 12 h, 14 h – 17 h 30") == 6  # every day of the coming week but Sunday
    assert "Dimanche" in content and "fermé" in content
    assert "Ouvert maintenant" in content or "Fermé maintenant" in content
    assert ">03 80 12 89 73</a>" in content and 'href="tel:+33380128973"' in content
    assert "<strong>gras</strong>" in content and "<script>alert(1)" not in content


def test_search_ignores_accents_and_case(client):
    make_place(nom="Médiathèque Œuvre de Dijon", commune="Dijon")
    make_place(nom="Espace jeunes", commune="Besançon", code_postal="25000", code_insee="25056")
    for q in ("mediatheque", "MÉDIATHÈQUE", "oeuvre dijon"):
        content = client.get("/lieux/", {"q": q}).content.decode()
        assert "Médiathèque Œuvre de Dijon" in content and "Espace jeunes" not in content, q
    assert "Espace jeunes" in client.get("/lieux/", {"q": "besancon"}).content.decode()


def test_member_creates_a_place_through_the_form(client_for, member):
    data = {
        **place_data(nom="Créé par formulaire", services=[]),
        "services": ["Aide aux démarches administratives"],
        "frais_a_charge": ["Gratuit"],
    }
    data = {k: v for k, v in data.items() if v is not None}
    response = client_for(member).post("/lieux/nouveau/", data)
    place = Place.objects.get(nom="Créé par formulaire")
    assert response.status_code == 302 and response.url == place.get_absolute_url()
    assert place.services == "Aide aux démarches administratives" and not place.is_published
    assert list(place.managers.all()) == [member]


def test_form_errors_are_shown_in_french(client_for, member):
    response = client_for(member).post(
        "/lieux/nouveau/", {**place_data(horaires="lundi 9h", telephone="12"), "services": [], "frais_a_charge": []}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Horaires au format OpenStreetMap invalides : erreur à la position 1" in content
    assert "Numéro de téléphone non reconnu" in content
    assert not Place.objects.exists()


def test_create_requires_an_approved_member(client, pending_client):
    assert client.get("/lieux/nouveau/").status_code == 302
    assert pending_client.get("/lieux/nouveau/").status_code in (302, 403)


def test_edit_permissions(client, client_for, member, other_member, staff):
    place = make_place(member)
    url = f"/lieux/{place.pk}/modifier/"
    assert client.get(url).status_code == 302
    assert client_for(other_member).get(url).status_code == 403
    assert client_for(member).get(url).status_code == 200
    assert client_for(staff).get(url).status_code == 200
    hidden = place_create(actor=member, data=place_data())
    assert client_for(other_member).get(f"/lieux/{hidden.pk}/modifier/").status_code == 404
    data = {**place_data(nom="Renommé"), "services": ["Aide aux démarches administratives"], "frais_a_charge": ["Gratuit"]}
    data = {k: v for k, v in data.items() if v is not None}
    assert client_for(member).post(url, data).status_code == 302
    assert Place.objects.get(pk=place.pk).nom == "Renommé"


def test_moderation_is_staff_only(client_for, member, staff):
    place = place_create(actor=member, data=place_data())
    url = f"/lieux/{place.pk}/moderation/"
    assert client_for(member).post(url, {"action": "publish"}).status_code == 403
    assert client_for(staff).get("/lieux/moderation/").status_code == 200
    assert client_for(member).get("/lieux/moderation/").status_code == 403
    client_for(staff).post(url, {"action": "publish"})
    assert Place.objects.get(pk=place.pk).is_published


def test_managers_page(client_for, member, other_member):
    place = make_place(member)
    url = f"/lieux/{place.pk}/gestionnaires/"
    assert client_for(other_member).get(url).status_code == 403
    client_for(member).post(url, {"action": "add", "email": other_member.email})
    assert set(place.managers.all()) == {member, other_member}
    response = client_for(member).post(url, {"action": "add", "email": "inconnu@exemple.fr"})
    assert "Aucun membre actif" in response.content.decode()
    remove = f"/lieux/{place.pk}/gestionnaires/{other_member.pk}/retirer/"
    assert client_for(member).get(remove).status_code == 405
    client_for(member).post(remove)
    assert list(place.managers.all()) == [member]
    assert client_for(member).post(remove).status_code == 404  # no longer a manager: not found here
    response = client_for(member).post(f"/lieux/{place.pk}/gestionnaires/{member.pk}/retirer/", follow=True)
    assert "au moins un·e gestionnaire" in response.content.decode() and list(place.managers.all()) == [member]


def test_downloads(client):
    make_place(nom="Export")
    response = client.get("/lieux/donnees/lieux.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8" and "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8").startswith("id,pivot,nom,")
    assert json.loads(client.get("/lieux/donnees/lieux.json").content)[0]["nom"] == "Export"
    assert json.loads(client.get("/lieux/donnees/lieux.geojson").content)["features"][0]["properties"]["nom"] == "Export"
    assert client.get("/lieux/donnees/").status_code == 200


def test_import_view_is_staff_only_and_reports(client_for, member, staff):
    upload = SimpleUploadedFile(
        "lieux.csv", b"id,pivot,nom,commune,code_postal,adresse,date_maj\nx,123,A,B,2100,C,2025-01-01\n", "text/csv"
    )
    assert client_for(member).post("/lieux/donnees/import/", {"file": upload, "mode": "all"}).status_code == 403
    upload.seek(0)
    response = client_for(staff).post("/lieux/donnees/import/", {"file": upload, "mode": "all"})
    content = response.content.decode()
    assert "Rien n&#x27;a été importé" in content or "Rien n'a été importé" in content
    assert "pivot" in content and "code_postal" in content
    binary = SimpleUploadedFile("x.csv", b"\x89PNG\x00\x00", "text/csv")
    response = client_for(staff).post("/lieux/donnees/import/", {"file": binary, "mode": "all"})
    assert "pas un fichier CSV" in response.content.decode()


def test_dashboard_panel_lists_my_places(client_for, member):
    place_create(actor=member, data=place_data(nom="Mon tiers-lieu"))
    assert "Mon tiers-lieu" in client_for(member).get("/tableau-de-bord/").content.decode()


def _count(client, url, n):
    existing = Place.objects.count()
    for _ in range(n - existing):
        make_place()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/lieux/",
        "/lieux/?frais=Gratuit&labelled=on",
        "/lieux/carte.geojson",
        "/lieux/donnees/lieux.csv",
        "/lieux/donnees/lieux.json",
        "/lieux/donnees/lieux.geojson",
    ],
)
def test_query_count_does_not_grow(client, url):
    assert _count(client, url, 10) == _count(client, url, 100)


def test_staff_pages_query_count_does_not_grow(client_for, staff, member):
    c = client_for(staff)
    for _ in range(10):
        place_create(actor=member, data=place_data())
    with CaptureQueriesContext(connection) as small:
        c.get("/lieux/moderation/")
    for _ in range(90):
        place_create(actor=member, data=place_data())
    with CaptureQueriesContext(connection) as big:
        c.get("/lieux/moderation/")
    assert len(small) == len(big)
    mc = client_for(member)
    with CaptureQueriesContext(connection) as mine:
        assert mc.get("/lieux/mes-lieux/").status_code == 200
    assert len(mine) < 15
