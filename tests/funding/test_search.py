"""Search: filters, territory, sorting, archives; the alert matcher agrees with the SQL filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.models import Commune, Department, Region
from funding import services
from funding.filters import CallFilters, CallIndex, Territory
from funding.models import FundingCall, Scope
from funding.selectors import call_list

from .factories import make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def dijon():
    return Commune.objects.select_related("department").get(insee="21231")


@pytest.fixture
def calls(dijon):
    today = timezone.localdate()
    c = {}
    c["national"] = make_call(title="Fonds national médiation", themes=("inclusion_numerique",), amount_max=10000)
    c["region"] = make_call(
        title="Tiers-lieux régionaux", themes=("tiers_lieux",), scope=Scope.REGION, region=Region.objects.get(code="27")
    )
    c["dept"] = make_call(
        title="Équipement Côte-d'Or", themes=("equipement",), scope=Scope.DEPARTMENT, department=dijon.department, amount_max=3000
    )
    c["other_dept"] = make_call(
        title="Équipement Doubs", themes=("equipement",), scope=Scope.DEPARTMENT, department=Department.objects.get(code="25")
    )
    c["commune"] = make_call(title="Ateliers à Dijon", scope=Scope.COMMUNE, commune=dijon, beneficiaries=("centre_social",))
    c["other_region"] = make_call(title="Bretagne numérique", scope=Scope.REGION, region=Region.objects.get(code="53"))
    c["soon"] = make_call(title="Clôture imminente formation", themes=("formation",), deadline=today + timedelta(days=3))
    c["permanent"] = make_call(title="Prêt permanent", is_permanent=True, deadline=None, kind="pret", amount_min=20000)
    c["not_open_yet"] = make_call(title="Ouvre bientôt", opens_on=today + timedelta(days=10))
    c["closed"] = make_call(title="Ancien appel médiation", deadline=today - timedelta(days=5))
    c["draft"] = make_call(title="Brouillon médiation", publish=False)
    services.calls_close_expired()
    return c


def _titles(filters, member):
    return {c.title for c in call_list(viewer=member, filters=filters)}


def test_territory_covers_commune_department_region_and_national(calls, dijon, member):
    territory = Territory(dijon.department.region_id, dijon.department_id, dijon.pk)
    titles = _titles(CallFilters(my_territory=True, territory=territory), member)
    assert {"Fonds national médiation", "Tiers-lieux régionaux", "Équipement Côte-d'Or", "Ateliers à Dijon"} <= titles
    assert not titles & {"Équipement Doubs", "Bretagne numérique"}
    only_dept = _titles(CallFilters(my_territory=True, territory=Territory(dijon.department.region_id, dijon.department_id)), member)
    assert "Ateliers à Dijon" not in only_dept and "Équipement Côte-d'Or" in only_dept


def test_filters(calls, member):
    today = timezone.localdate()
    assert _titles(CallFilters(themes=("equipement",)), member) == {"Équipement Côte-d'Or", "Équipement Doubs"}
    assert _titles(CallFilters(beneficiaries=("centre_social",)), member) == {"Ateliers à Dijon"}
    assert _titles(CallFilters(kinds=("pret",)), member) == {"Prêt permanent"}
    assert _titles(CallFilters(deadline_before=today + timedelta(days=7)), member) == {"Clôture imminente formation"}
    assert _titles(CallFilters(amount_min=5000), member) == {"Fonds national médiation", "Prêt permanent"}
    assert "Ouvre bientôt" not in _titles(CallFilters(open_now=True), member)
    assert "Ouvre bientôt" in _titles(CallFilters(), member)


def test_text_search_and_archives(calls, member):
    assert _titles(CallFilters(q="médiation"), member) == {"Fonds national médiation"}
    assert _titles(CallFilters(q="médiation", include_closed=True), member) == {"Fonds national médiation", "Ancien appel médiation"}
    calls["closed"].refresh_from_db()
    assert calls["closed"].state == "closed"


def test_sorting(calls, member):
    by_deadline = list(call_list(viewer=member, filters=CallFilters()))
    assert by_deadline[0].title == "Clôture imminente formation" and by_deadline[-1].deadline is None
    FundingCall.objects.filter(pk=calls["region"].pk).update(published_at=timezone.now() + timedelta(minutes=1))
    assert next(iter(call_list(viewer=member, filters=CallFilters(sort="newest")))).title == "Tiers-lieux régionaux"


@pytest.mark.parametrize(
    "criteria",
    [
        {},
        {"themes": ["equipement"]},
        {"themes": ["equipement", "tiers_lieux"], "my_territory": True},
        {"beneficiaries": ["association"], "open_now": True},
        {"kinds": ["pret", "appel_a_projets"], "amount_min": 5000},
        {"q": "equipement"},
        {"q": "dijon ateliers"},
        {"deadline_before": (timezone.localdate() + timedelta(days=7)).isoformat()},
    ],
)
def test_alert_matcher_agrees_with_search(calls, dijon, member, criteria):
    territory = Territory(dijon.department.region_id, dijon.department_id, dijon.pk)
    filters = CallFilters.from_criteria(criteria, territory=territory)
    published = list(FundingCall.objects.filter(state="published"))
    assert {c.pk for c in published if c.pk in CallIndex(published).match(filters)} == set(
        call_list(viewer=member, filters=filters).values_list("pk", flat=True)
    )


def test_criteria_round_trip():
    f = CallFilters(q="tiers", themes=("tiers_lieux",), my_territory=True, deadline_before=timezone.localdate(), amount_min=0)
    assert CallFilters.from_criteria(f.to_criteria()) == CallFilters(**{**f.__dict__, "territory": Territory()})


def test_a_member_s_territory_read_as_values_is_the_one_of_their_profile(dijon, member):
    from community.models import Profile
    from funding.selectors import territory_of

    def both():
        profile = Profile.objects.select_related("commune__department", "department").get(user=member)
        return territory_of(member), Territory.of_profile(profile)

    profile = member.profile
    for commune, department in ((dijon, None), (None, Department.objects.get(code="25")), (None, None), (dijon, dijon.department)):
        profile.commune, profile.department = commune, department
        profile.save(update_fields=["commune", "department"])
        from_values, from_profile = both()
        assert from_values == from_profile
    assert both()[0] == Territory(dijon.department.region_id, dijon.department_id, dijon.pk)
    profile.commune = profile.department = None
    profile.save(update_fields=["commune", "department"])
    assert territory_of(member) == Territory()
