"""``common.lookups.AnyOf`` with a subquery: the rows ``__in`` keeps, as ``= ANY(ARRAY(…))`` on
PostgreSQL (one run of the subquery, index scans inside an ``OR``)."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from community.models import Organisation, OrganisationType, Profile, Skill
from tests.factories import member_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    libraries = [
        Organisation.objects.create(name=f"Médiathèque {n}", slug=f"mediatheque-{n}", type=OrganisationType.MEDIATHEQUE) for n in range(2)
    ]
    social = Organisation.objects.create(name="Centre social", slug="centre-social", type=OrganisationType.CENTRE_SOCIAL)
    member_with(display_name="Anne", organisation=libraries[0], skills=["Pix"])
    member_with(display_name="Bruno", organisation=libraries[1])
    member_with(display_name="Chloé", organisation=social, skills=["Pix", "Aidants Connect"])
    member_with(display_name="Driss")
    return libraries


def _pks(qs):
    return set(qs.values_list("pk", flat=True))


def test_a_subquery_keeps_what_in_keeps_on_foreign_keys_primary_keys_and_text(people):
    libraries = Organisation.objects.filter(type=OrganisationType.MEDIATHEQUE)
    by_in = _pks(Profile.objects.filter(organisation__in=libraries))
    assert _pks(Profile.objects.filter(organisation__any_of=libraries)) == by_in and len(by_in) == 2
    assert _pks(Profile.objects.exclude(organisation__any_of=libraries)) == _pks(Profile.objects.exclude(organisation__in=libraries))
    skilled = Profile.skills.through.objects.filter(skill__any_of=Skill.objects.filter(name="Pix")).values("profile_id")
    assert {p.display_name for p in Profile.objects.filter(pk__any_of=skilled)} == {"Anne", "Chloé"}
    names = Organisation.objects.filter(type=OrganisationType.CENTRE_SOCIAL).values("name")
    assert list(Organisation.objects.filter(name__any_of=names).values_list("slug", flat=True)) == ["centre-social"]
    either = Q(organisation__any_of=libraries) | Q(pk__any_of=skilled)
    assert {p.display_name for p in Profile.objects.filter(either)} == {"Anne", "Bruno", "Chloé"}
    assert not Profile.objects.filter(organisation__any_of=Organisation.objects.none()).exists()


def test_the_subquery_is_an_array_on_postgresql_and_in_elsewhere(people):
    with CaptureQueriesContext(connection) as queries:
        list(Profile.objects.filter(organisation__any_of=Organisation.objects.filter(type=OrganisationType.MEDIATHEQUE).order_by("name")))
    sql = queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert '"organisation_id" = ANY(ARRAY(SELECT' in sql
    else:
        assert '"organisation_id" IN (SELECT' in sql
    assert "ORDER BY" not in sql  # the subquery's ordering is dropped, as ``__in`` drops it


def test_a_list_must_still_be_strings():
    with pytest.raises(TypeError):
        list(Profile.objects.filter(pk__any_of=[1, 2]))


def test_a_set_of_strings_keeps_what_the_list_keeps(people):
    names = ["Centre social", "Médiathèque 0", "Nulle part"]
    by_list = _pks(Organisation.objects.filter(name__any_of=names))
    assert _pks(Organisation.objects.filter(name__any_of=frozenset(names))) == by_list and len(by_list) == 2
    assert _pks(Organisation.objects.filter(name__any_of=set(names))) == by_list
    assert not Organisation.objects.filter(name__any_of=frozenset()).exists()
