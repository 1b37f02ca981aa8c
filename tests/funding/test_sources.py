"""Sources: polling local fixture feeds (no internet), deduplication, errors, CSV import."""

from pathlib import Path

import pytest
from django.core.management import call_command

from community.models import Region
from funding import importers, services
from funding.models import CallKind, CallState, FundingCall, Scope, Source, SourceKind, text_to_codes
from tests.factories import StaffFactory

from .factories import make_call

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def _source(url, **kw):
    return Source.objects.create(name=kw.pop("name", "Source test"), url=url, **kw)


def test_json_source_follows_pages_maps_fields_and_reports_bad_items(feed_server):
    source = _source(f"{feed_server}/aides-territoires-1.json", kind=SourceKind.JSON)
    result = services.source_poll(source=source)
    assert result.created == 3
    assert len(result.errors) == 1 and "name" in result.errors[0]
    tiers = FundingCall.objects.get(external_id="158934")
    assert tiers.state == CallState.DRAFT and tiers.published_at is None
    assert tiers.scope == Scope.REGION and tiers.region == Region.objects.get(code="27")
    assert tiers.kind == CallKind.CALL_FOR_PROJECTS
    assert set(text_to_codes(tiers.themes)) >= {"inclusion_numerique", "tiers_lieux"}
    assert set(text_to_codes(tiers.beneficiaries)) == {"collectivite", "association"}
    assert tiers.rate == "20 % à 60 %" and str(tiers.deadline) == "2027-03-31"
    assert "<p>" not in tiers.description
    aidants = FundingCall.objects.get(external_id="158935")
    assert aidants.is_permanent and aidants.deadline is None and aidants.funders == "ANCT" and aidants.scope == Scope.NATIONAL
    assert "etablissement_public" in aidants.beneficiaries and "acces_aux_droits" in aidants.themes
    cote_dor = FundingCall.objects.get(external_id="158940")
    assert cote_dor.scope == Scope.DEPARTMENT and cote_dor.department.code == "21" and cote_dor.amount_max == 8000
    source.refresh_from_db()
    assert source.last_success_at and source.last_created == 3 and "1 élément" in source.last_error


def test_second_poll_creates_nothing(feed_server):
    source = _source(f"{feed_server}/aides-territoires-1.json", kind=SourceKind.JSON)
    services.source_poll(source=source)
    again = services.source_poll(source=source)
    assert again.created == 0 and again.duplicates == 3
    assert FundingCall.objects.count() == 3


def test_auto_publish_source_publishes(feed_server):
    source = _source(f"{feed_server}/region.xml", kind=SourceKind.FEED, default_funder="Région Exemple", auto_publish=True)
    result = services.source_poll(source=source)
    assert result.created == 2 and not result.errors
    seniors = FundingCall.objects.get(external_id="aap-inclusion-seniors-2027")
    assert seniors.state == CallState.PUBLISHED and seniors.published_at is not None
    assert str(seniors.deadline) == "2027-02-15" and seniors.funders == "Région Exemple"
    assert FundingCall.objects.get(external_id="ami-reconditionnement").kind == CallKind.AMI


def test_atom_feed(feed_server):
    source = _source(f"{feed_server}/fondation.atom", kind=SourceKind.FEED, default_funder="Fondation Exemple")
    assert services.source_poll(source=source).created == 1
    prize = FundingCall.objects.get()
    assert prize.kind == CallKind.PRIZE and prize.official_url == "https://fondation-exemple.org/prix-2027"


def test_feed_without_funder_reports_each_item(feed_server):
    source = _source(f"{feed_server}/region.xml", kind=SourceKind.FEED)
    result = services.source_poll(source=source)
    assert result.created == 0 and len(result.errors) == 2


def test_broken_source_records_error_and_never_stops_the_others(feed_server):
    broken = _source(f"{feed_server}/broken.json", kind=SourceKind.JSON, name="Cassée")
    down = _source(f"{feed_server}/erreur-500", kind=SourceKind.FEED, name="En panne")
    missing = _source(f"{feed_server}/absent.xml", kind=SourceKind.FEED, name="Absente")
    good = _source(f"{feed_server}/region.xml", kind=SourceKind.FEED, default_funder="Région", name="Bonne")
    results = services.sources_poll_all()
    assert results[good.pk].created == 2
    for source in (broken, down, missing):
        source.refresh_from_db()
        assert source.is_failing and source.last_error and source.last_success_at is None
    good.refresh_from_db()
    assert not good.is_failing and good.last_success_at


def test_poll_command_for_cron(feed_server, capsys):
    _source(f"{feed_server}/region.xml", kind=SourceKind.FEED, default_funder="Région", name="Région")
    _source(f"{feed_server}/broken.json", kind=SourceKind.JSON, name="Cassée")
    call_command("funding_poll")
    out = capsys.readouterr()
    assert "Région: 2 nouveau(x)" in out.out and "ÉCHEC" in out.out and "1 source(s) en échec" in out.err


def test_periodic_job_polls_each_source_in_its_own_task(feed_server):
    from funding.tasks import sources_poll_task

    _source(f"{feed_server}/region.xml", kind=SourceKind.FEED, default_funder="Région")
    _source(f"{feed_server}/broken.json", kind=SourceKind.JSON)
    sources_poll_task.call()
    assert FundingCall.objects.count() == 2


def test_dedup_by_url_across_sources(feed_server):
    make_call(title="Un tout autre titre", official_url="https://www.exemple-region.fr/aap/inclusion-seniors-2027/?utm_source=x")
    source = _source(f"{feed_server}/region.xml", kind=SourceKind.FEED, default_funder="Région")
    result = services.source_poll(source=source)
    assert result.created == 1 and result.duplicates == 1


def test_dedup_by_funder_and_near_identical_title():
    make_call(title="Appel à projets Inclusion numérique des seniors 2027", funders="Région Exemple", official_url="")
    data = {"title": "Appel a projets : inclusion numérique des séniors 2027", "funders": "région exemple", "official_url": ""}
    assert services.call_find_duplicate(data=data) is not None
    other_funder = {**data, "funders": "Département Exemple"}
    assert services.call_find_duplicate(data=other_funder) is None
    other_title = {**data, "title": "Appel à projets Tiers-lieux 2027"}
    assert services.call_find_duplicate(data=other_title) is None


# --- CSV --------------------------------------------------------------------------------------
def test_csv_import_all_rows():
    staff = StaffFactory()
    report = services.calls_import_csv(content=(FIXTURES / "calls-ok.csv").read_bytes(), actor=staff, publish=True)
    assert report.applied and report.created == 3 and not report.errors
    fablab = FundingCall.objects.get(title="Soutien permanent aux fablabs")
    assert fablab.is_permanent and fablab.state == CallState.PUBLISHED
    cote_dor = FundingCall.objects.get(title__startswith="Ateliers")
    assert cote_dor.department.code == "21" and str(cote_dor.deadline) == "2027-03-15" and cote_dor.amount_max == 5000


def test_csv_import_with_errors_is_all_or_nothing_by_default():
    staff = StaffFactory()
    report = services.calls_import_csv(content=(FIXTURES / "calls-bad.csv").read_bytes(), actor=staff)
    assert not report.applied and FundingCall.objects.count() == 0
    lines = dict(report.errors)
    assert set(lines) == {3, 4, 5, 6, 7}
    assert "titre" in lines[3] and "type" in lines[4] and "date" in lines[5] and "périmètre" in lines[6] and "montant" in lines[7]


def test_csv_import_valid_rows_only_when_staff_chooses():
    staff = StaffFactory()
    report = services.calls_import_csv(content=(FIXTURES / "calls-bad.csv").read_bytes(), actor=staff, valid_rows_only=True)
    assert report.applied and report.created == 1 and len(report.errors) == 5
    assert FundingCall.objects.get().title == "Appel valide"


def test_csv_import_view_shows_row_report(client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = StaffFactory()
    upload = SimpleUploadedFile("appels.csv", (FIXTURES / "calls-bad.csv").read_bytes(), content_type="text/csv")
    response = client_for(staff).post("/financements/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Rien n&#x27;a été importé" in html or "Rien n'a été importé" in html
    assert "type inconnu" in html and FundingCall.objects.count() == 0


def test_csv_import_refused_to_members(member_client):
    assert member_client.get("/financements/import/").status_code == 403


def test_perimeter_from_codes():
    assert importers.perimeter_from(code="21231")["scope"] == Scope.COMMUNE
    assert importers.perimeter_from(scale="Département", code="21")["department"].code == "21"
    assert importers.perimeter_from(scale="Région", name="Bourgogne-Franche-Comté")["region"].code == "27"
    with pytest.raises(ValueError):
        importers.perimeter_from(scale="Département", name="Atlantide")
