"""Item 3 of issue 15: partner suggestions, deterministic and explained, with an opt-out."""

import pytest

from community.models import Department
from funding import services
from funding.matching import partner_suggestions
from funding.models import Scope
from tests.factories import OrganisationFactory, member_with

from .factories import make_call

pytestmark = pytest.mark.django_db


def _member(dep, org_type="association", skills=(), **profile):
    org = OrganisationFactory(commune=None, type=org_type)
    return member_with(organisation=org, department=Department.objects.get(code=dep), skills=list(skills), **profile)


@pytest.fixture
def world():
    call = make_call(beneficiaries=("association", "centre_social"), themes=("acces_aux_droits",))
    lead = _member("21", skills=["Ateliers numériques"])
    consortium = services.consortium_create(call=call, actor=lead, name="Projet BFC")
    people = {
        "jura_admin": _member("39", "centre_social", skills=["Accompagnement administratif"]),
        "jura_plain": _member("39"),
        "dijon_same": _member("21", skills=["Ateliers numériques"]),
        "doubs_rights": _member("25", skills=["Accès aux droits"]),
    }
    return consortium, lead, people


def test_suggestions_are_ranked_and_explained(world):
    consortium, lead, people = world
    suggestions = partner_suggestions(consortium=consortium)
    by_user = {s.user.pk: s for s in suggestions}
    first = suggestions[0]
    assert first.user == people["jura_admin"]
    # "Accompagnement administratif" was typed freely: it is an alias of the référentiel entry, whose
    # name the explanation shows; that entry is in the call's theme (accès aux droits)
    assert first.reason == (
        "couvre Jura, compétence : Accompagnement aux démarches administratives en ligne, type de structure : Centre social, "
        "compétences dans les thèmes de l'appel"
    )
    assert first.score == 3 + 2 + 2 + 1
    rights = by_user[people["doubs_rights"].pk]
    assert "compétences dans les thèmes de l'appel" in rights.reason and rights.score == 3 + 2 + 1
    # same department and same skill as the lead: nothing to add, not suggested; the lead neither
    assert people["dijon_same"].pk not in by_user and lead.pk not in by_user
    # deterministic: same data, same list
    assert [s.user.pk for s in partner_suggestions(consortium=consortium)] == [s.user.pk for s in suggestions]


def test_members_and_opted_out_people_are_not_suggested(world):
    consortium, lead, people = world
    services.consortium_invite(consortium=consortium, actor=lead, user=people["jura_admin"])
    services.matching_opt_out_set(actor=people["doubs_rights"], opted_out=True)
    ids = {s.user.pk for s in partner_suggestions(consortium=consortium)}
    assert people["jura_admin"].pk not in ids and people["doubs_rights"].pk not in ids
    assert people["jura_plain"].pk in ids
    services.matching_opt_out_set(actor=people["doubs_rights"], opted_out=False)
    assert people["doubs_rights"].pk in {s.user.pk for s in partner_suggestions(consortium=consortium)}


def test_the_call_perimeter_limits_suggestions(world):
    consortium, lead, people = world
    call = consortium.call
    call.scope, call.department = Scope.DEPARTMENT, Department.objects.get(code="39")
    call.save()
    ids = {s.user.pk for s in partner_suggestions(consortium=consortium)}
    assert ids == {people["jura_admin"].pk, people["jura_plain"].pk}


def test_the_lead_sees_suggestions_and_invites_in_one_click(world, client_for):
    consortium, lead, people = world
    client = client_for(lead)
    page = client.get(consortium.get_absolute_url()).content.decode()
    assert "Partenaires suggérés" in page and "couvre Jura, compétence : Accompagnement aux démarches administratives en ligne" in page
    client.post(f"/financements/consortiums/{consortium.pk}/inviter/", {"member": people["jura_admin"].pk})
    assert consortium.members.get(user=people["jura_admin"]).status == "invited"
    # a partner's own opt-out, from the consortium list page
    other = client_for(people["jura_plain"])
    assert other.post("/financements/consortiums/suggestions/", {"opt_out": "on"}).status_code == 302
    assert people["jura_plain"].pk not in {s.user.pk for s in partner_suggestions(consortium=consortium)}


def test_suggestions_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    consortium, lead, people = world
    with django_assert_max_num_queries(6) as ctx:
        partner_suggestions(consortium=consortium)
    small = len(ctx.captured_queries)
    for i in range(30):
        _member("39" if i % 2 else "25", skills=[f"Compétence {i}"])
    with django_assert_max_num_queries(small):
        partner_suggestions(consortium=consortium)


def test_only_referential_skills_count(world):
    consortium, lead, people = world
    free = _member("70", skills=["Logiciels très libres"])
    both = _member("70", skills=["Logiciels très libres", "Cybersécurité"])
    by_user = {s.user.pk: s for s in partner_suggestions(consortium=consortium)}
    assert by_user[free.pk].reason == "couvre Haute-Saône" and by_user[free.pk].score == 3
    assert by_user[both.pk].reason == "couvre Haute-Saône, compétence : Sécurité et protection des données"
