import csv
import io
import json
from pathlib import Path

import pytest
from frictionless import Resource, Schema

from places import opendata
from places.models import Place
from places.services import place_create, place_import
from tests.places.factories import make_place, place_data

pytestmark = pytest.mark.django_db

STANDARD = Path(__file__).resolve().parents[3] / "shared" / "standards" / "lieux-mediation-numerique"
if not STANDARD.exists():  # checkouts other than /work/main
    STANDARD = Path("/work/shared/standards/lieux-mediation-numerique")
SCHEMA = Schema.from_descriptor(json.loads((STANDARD / "schema.json").read_text()))
EXAMPLE = (STANDARD / "exemple-valide.csv").read_bytes()


def _errors(resource: Resource) -> list:
    return resource.validate().flatten(["rowNumber", "fieldName", "type", "note"])


def _full_place(**overrides):
    return make_place(
        **place_data(
            complement_adresse="Bâtiment B, 2e étage",
            typologie=["BIB", "MUNI"],
            courriels="a@exemple.fr|b@exemple.fr",
            site_web="https://exemple.fr/",
            horaires="Mo-Fr 09:00-12:00; PH off",
            presentation_detail='Un **grand** lieu, avec des guillemets " et des virgules, et des\nretours à la ligne.',
            source="Hub",
            itinerance=["Itinérant", "Fixe"],
            structure_parente="Ville de Dijon",
            publics_specifiquement_adresses=["Jeunes", "Familles et/ou enfants"],
            prise_en_charge_specifique=["Langues étrangères (anglais)"],
            frais_a_charge=["Gratuit sous condition", "Payant"],
            dispositif_programmes_nationaux=["Point d'accès numérique CAF"],
            formations_labels=["Formé à « Mon Espace Santé »"],
            autres_formations_labels="Label local",
            modalites_acces=["Se présenter", "Ce lieu n'accueille pas de public"],
            modalites_accompagnement=["À distance"],
            fiche_acces_libre="https://acceslibre.beta.gouv.fr/app/x/",
            prise_rdv="https://rdv.exemple.fr/",
            **overrides,
        )
    )


def test_csv_export_validates_against_the_national_schema():
    _full_place()
    make_place(latitude=None, longitude=None, code_insee="")
    content = opendata.export_csv()
    assert content.splitlines()[0].split(",") == list(SCHEMA.field_names)
    assert "Gratuit sous condition|Payant" in content
    assert _errors(Resource(data=content.encode("utf-8"), format="csv", schema=SCHEMA)) == []


def test_json_and_geojson_exports_validate():
    _full_place()
    make_place(latitude=None, longitude=None)
    records = json.loads(opendata.export_json())
    assert len(records) == 2
    assert _errors(Resource(data=records, schema=SCHEMA)) == []
    geo = json.loads(opendata.export_geojson())
    assert geo["type"] == "FeatureCollection"
    with_position = [f for f in geo["features"] if f["geometry"]]
    assert len(with_position) == 1 and with_position[0]["geometry"]["type"] == "Point"
    lon, lat = with_position[0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and 40 < lat < 52
    assert _errors(Resource(data=[f["properties"] for f in geo["features"]], schema=SCHEMA)) == []


def test_exports_contain_published_places_only(member):
    place_create(actor=member, data=place_data(nom="Brouillon caché"))
    make_place(nom="Publié")
    for content in (opendata.export_csv(), opendata.export_json(), opendata.export_geojson()):
        assert "Publié" in content and "Brouillon caché" not in content


def test_the_national_example_imports_without_error(staff):
    report = place_import(actor=staff, content=EXAMPLE, mode="all")
    assert report.errors == [] and report.created == 1 and report.applied
    place = Place.objects.get(schema_id="structure-1")
    assert place.values("modalites_accompagnement") == [
        "Dans un atelier collectif",
        "À distance",
        "En autonomie",
        "Accompagnement individuel",
    ]
    assert place.is_published


def test_export_imports_back_unchanged(staff):
    _full_place()
    make_place(latitude=None, longitude=None, code_insee="")
    place_import(actor=staff, content=EXAMPLE, mode="all")
    exported = opendata.export_csv()
    again = place_import(actor=staff, content=exported.encode("utf-8"), mode="all")
    assert (again.errors, again.created, again.updated, again.unchanged) == ([], 0, 0, 3)
    # Into an empty database: every row comes back identical.
    Place.objects.all().delete()
    report = place_import(actor=staff, content=exported.encode("utf-8"), mode="all")
    assert report.created == 3
    assert opendata.export_csv() == exported


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(SCHEMA.field_names))
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _row(**overrides):
    row = {
        "id": "lieu-1",
        "pivot": "43493312300029",
        "nom": "Lieu importé",
        "commune": "Dijon",
        "code_postal": "21000",
        "code_insee": "21231",
        "adresse": "1 rue du Test",
        "date_maj": "2025-05-01",
        "services": "Aide aux démarches administratives",
    }
    row.update(overrides)
    return row


def test_all_or_nothing_writes_nothing_on_error(staff):
    content = _csv([_row(), _row(id="lieu-2", telephone="03 80", horaires="lundi", services="Vélo")])
    report = place_import(actor=staff, content=content, mode="all")
    assert not report.applied and not Place.objects.exists()
    fields = {(e.row, e.field) for e in report.errors}
    assert {(3, "telephone"), (3, "horaires"), (3, "services")} <= fields


def test_valid_rows_mode_imports_the_rest(staff):
    content = _csv([_row(), _row(id="lieu-2", code_postal="2100"), _row(id="lieu-3", nom="", date_maj="hier")])
    report = place_import(actor=staff, content=content, mode="valid")
    assert report.applied and report.created == 1
    assert {(e.row, e.field) for e in report.errors} >= {(3, "code_postal"), (4, "nom"), (4, "date_maj")}
    assert list(Place.objects.values_list("schema_id", flat=True)) == ["lieu-1"]


def test_dedup_on_id_then_pivot(staff):
    existing = make_place(pivot="43493312300029", nom="Ancien nom")
    content = _csv([_row(id="autre-id", nom="Nom à jour")])
    report = place_import(actor=staff, content=content, mode="all")
    assert (report.created, report.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.nom == "Nom à jour" and existing.schema_id != "autre-id"
    report = place_import(actor=staff, content=_csv([_row(id=existing.schema_id, nom="Encore")]), mode="all")
    assert report.updated == 1 and Place.objects.count() == 1


def test_duplicate_ids_in_file_and_missing_columns(staff):
    report = place_import(actor=staff, content=_csv([_row(), _row()]), mode="valid")
    assert [(e.row, e.field) for e in report.errors] == [(3, "id")]
    report = place_import(actor=staff, content=b"nom,commune\nA,B\n", mode="valid")
    assert report.errors[0].row == 1 and "pivot" in report.errors[0].field and not report.applied


def test_a_value_refused_once_is_refused_on_every_row(staff):
    """Validation remembers what it checked per field value: a bad value is reported on each row
    that carries it, a good one never borrows another row's error."""
    content = _csv([_row(id=f"lieu-{n}", telephone="03 80", horaires="lundi") for n in range(3)] + [_row(id="lieu-ok")])
    report = place_import(actor=staff, content=content, mode="valid")
    assert sorted((e.row, e.field) for e in report.errors) == [(r, f) for r in (2, 3, 4) for f in ("horaires", "telephone")]
    assert report.created == 1 and list(Place.objects.values_list("schema_id", flat=True)) == ["lieu-ok"]


def test_postcode_and_insee_code_must_agree_reported_once(staff):
    report = place_import(actor=staff, content=_csv([_row(code_insee="25056")]), mode="all")
    assert [(e.row, e.field) for e in report.errors] == [(2, "code_insee")]
    assert not report.applied and not Place.objects.exists()


def test_a_write_conflict_leaves_nothing_half_imported(staff, monkeypatch):
    """Another import writes one of the file's identifiers between the check and the write: the
    insert fails as a whole, nothing of the file is written, and the report says why."""
    real_plan = opendata.import_plan

    def plan_then_conflict(**kwargs):
        plan = real_plan(**kwargs)
        Place.objects.filter(pk=make_place().pk).update(schema_id="lieu-3")
        return plan

    monkeypatch.setattr("places.services.import_plan", plan_then_conflict)
    content = _csv([_row(id=f"lieu-{n}", pivot="0" * 14) for n in range(1, 6)])
    report = place_import(actor=staff, content=content, mode="all")
    assert not report.applied and report.created == 0
    assert [(e.row, e.field) for e in report.errors] == [(1, "id")]
    assert list(Place.objects.values_list("schema_id", flat=True)) == ["lieu-3"]


@pytest.mark.parametrize("size", [10, 100])
def test_import_costs_a_fixed_number_of_queries(staff, size, django_assert_max_num_queries):
    rows = [_row(id=f"lieu-{n}", pivot="0" * 14, nom=f"Lieu {n}") for n in range(size)]
    with django_assert_max_num_queries(6):
        report = place_import(actor=staff, content=_csv(rows), mode="all")
    assert report.created == size and report.applied
    assert Place.objects.count() == size
    assert Place.objects.get(schema_id="lieu-7").search_text.startswith("lieu 7")
