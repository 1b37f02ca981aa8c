"""Issue 17 for funding: one write path (sources through a service, staff-only calls), accent- and
case-insensitive search on both databases, the activity stream (publication to members, matching
calls to their watcher, once), localised dates."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community.activity import activity_list_for_viewer
from community.models import Activity
from funding import services
from funding.filters import CallFilters, CallIndex
from funding.models import FundingCall, Source, Watch
from funding.selectors import call_list
from tests.factories import UserFactory

from .factories import make_call

pytestmark = pytest.mark.django_db


# --- One write path ---------------------------------------------------------------------------
def test_source_form_saves_through_the_service(staff, staff_client, member):
    response = staff_client.post("/financements/sources/nouvelle/", {"name": "Flux sans adresse", "kind": "feed", "is_active": "on"})
    assert response.status_code == 200 and "Indiquez l&#x27;adresse du flux" in response.content.decode()
    assert not Source.objects.exists()
    response = staff_client.post(
        "/financements/sources/nouvelle/", {"name": "Région", "kind": "feed", "url": "https://exemple.fr/flux.xml", "is_active": "on"}
    )
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.name == "Région" and source.is_active and source.url == "https://exemple.fr/flux.xml"
    with pytest.raises(PermissionDenied):
        services.source_save(actor=member, data={"name": "Pirate", "kind": "manual"})
    manual = services.source_save(actor=staff, data={"name": "Saisie", "kind": "manual"})
    assert manual.pk and not manual.url


def test_only_staff_create_calls_by_hand(member, staff):
    with pytest.raises(PermissionDenied):
        make_call(actor=member)
    assert make_call(actor=staff).created_by == staff
    assert make_call().created_by is None  # an importer: no actor


def test_bad_call_changes_nothing(staff):
    with pytest.raises(ValidationError):
        make_call(actor=staff, amount_min=5000, amount_max=1000)
    assert not FundingCall.objects.exists()


# --- Search -----------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["mediatheque", "MÉDIATHÈQUE", "Mediathèque", "médiathéque"])
def test_search_ignores_accents_and_case(member, query):
    make_call(title="Équiper la Médiathèque de Dole")
    make_call(title="Œuvres numériques d'Ørsted", funders="Fondation Łucja")
    make_call(title="Tout autre chose")
    filters = CallFilters(q=query)
    found = {c.title for c in call_list(viewer=member, filters=filters)}
    assert found == {"Équiper la Médiathèque de Dole"}
    published = list(FundingCall.objects.filter(state="published"))
    matched = {c.title for c in published if c.pk in CallIndex(published).match(filters)}
    assert matched == found  # the alert matcher agrees with the page


def test_search_folds_ligatures_and_punctuation(member):
    make_call(title="Œuvres numériques d'Ørsted", funders="Fondation Łucja")
    make_call(title="Tiers-lieux de Côte-d'Or")
    for query, title in [
        ("oeuvres orsted", "Œuvres numériques d'Ørsted"),
        ("lucja", "Œuvres numériques d'Ørsted"),
        ("lieux cote", "Tiers-lieux de Côte-d'Or"),
    ]:
        assert [c.title for c in call_list(viewer=member, filters=CallFilters(q=query))] == [title]


def test_search_page_finds_without_accents(member_client):
    make_call(title="Ateliers à la Médiathèque")
    html = member_client.get("/financements/?q=mediatheque").content.decode()
    assert "Ateliers à la Médiathèque" in html


# --- Activity stream --------------------------------------------------------------------------
def test_publication_is_announced_to_members_once(staff, member, pending_user):
    draft = make_call(title="Appel à relire", publish=False, actor=staff)
    assert not Activity.objects.exists()
    services.call_publish(call=draft, actor=staff)
    services.call_close(call=draft, actor=staff)
    services.call_publish(call=draft, actor=staff)  # reopened: not a new publication
    items = Activity.objects.filter(object_ref=services.call_ref(draft))
    assert items.count() == 1
    item = items.get()
    assert item.audience == "members" and item.kind == "funding" and item.url == draft.get_absolute_url() and item.actor == staff
    assert [a.title for a in activity_list_for_viewer(viewer=member)] == ["Appel à relire"]
    assert not activity_list_for_viewer(viewer=pending_user).exists()


def test_published_at_creation_and_by_auto_publishing_source_is_announced(staff):
    call = make_call(title="Publié d'emblée", actor=staff)
    assert Activity.objects.filter(object_ref=services.call_ref(call), audience="members").count() == 1
    make_call(title="Brouillon importé", publish=False)
    assert Activity.objects.count() == 1


def test_matching_calls_reach_the_watcher_stream_once(member, other_member):
    services.watch_create(actor=member, name="Médiation", filters=CallFilters(themes=("inclusion_numerique",)), frequency="instant")
    services.watch_create(actor=member, name="Tout", filters=CallFilters(), frequency="instant")
    services.watch_create(actor=member, name="Hebdo", filters=CallFilters(), frequency="weekly")
    Watch.objects.filter(user=member, frequency="weekly").update(email_confirmed_at=timezone.now())
    call = make_call(title="Appel pour ma veille")
    make_call(title="Hors veille", themes=("equipement",), beneficiaries=())
    services.alerts_run(frequencies=["instant"], now=timezone.now() + timedelta(seconds=1))
    services.alerts_run(frequencies=["weekly"], now=timezone.now() + timedelta(seconds=2))
    mine = Activity.objects.filter(audience=f"user:{member.pk}")
    assert sorted(mine.values_list("title", flat=True)) == ["Appel pour ma veille", "Hors veille"]
    assert mine.filter(object_ref=services.call_ref(call)).count() == 1
    stream_of_other = [a.title for a in activity_list_for_viewer(viewer=other_member)]
    assert "Appel pour ma veille" in stream_of_other  # the members' item (publication)
    assert not Activity.objects.filter(audience=f"user:{other_member.pk}").exists()
    seen_by_member = [a.audience for a in activity_list_for_viewer(viewer=member) if a.title == "Appel pour ma veille"]
    assert sorted(seen_by_member) == ["members", f"user:{member.pk}"]


# --- Localisation -----------------------------------------------------------------------------
def test_dates_are_localised(member_client, member, staff):
    call = make_call(title="Appel daté", opens_on=date(2027, 1, 4), deadline=date(2099, 2, 1))
    html = member_client.get(call.get_absolute_url()).content.decode()
    assert "4 janvier 2027" in html and "1 février 2099" in html
    from groups import services as group_services

    group = group_services.group_create(actor=member, name="Groupe de partage")
    topic = services.call_share_to_group(call=call, group=group, actor=member)
    assert "01/02/2099" in topic.posts.get().body


def test_other_member_cannot_share_into_a_group_they_are_not_in(member):
    from groups import services as group_services

    group = group_services.group_create(actor=UserFactory(), name="Groupe des autres")
    with pytest.raises(PermissionDenied):
        services.call_share_to_group(call=make_call(), group=group, actor=member)


# --- Exports ----------------------------------------------------------------------------------
def test_search_export_csv_and_xlsx_neutralise_formulas(member_client, client):
    import io

    from openpyxl import load_workbook

    make_call(title='=HYPERLINK("http://pirate")', funders="@Fondation", amount_max=12000)
    make_call(title="Appel ordinaire médiation", funders="Région")
    make_call(title="Brouillon caché", publish=False)
    response = member_client.get("/financements/export.csv?q=")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "'@Fondation" in body and ";12000;" in body
    assert "Appel ordinaire médiation" in body and "Brouillon caché" not in body
    only = member_client.get("/financements/export.csv?q=mediation").content.decode("utf-8-sig")
    assert "Appel ordinaire médiation" in only and "HYPERLINK" not in only
    sheet = load_workbook(io.BytesIO(member_client.get("/financements/export.xlsx").content)).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://pirate")' in titles and len(titles) == 2
    assert client.get("/financements/export.csv").status_code == 302
