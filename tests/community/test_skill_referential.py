"""Issue 14 item 5: the skills référentiel (categories, levels), its seed and the mapping of free
skills, the profile form's levels and the directory filter by skill and level."""

import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services
from community.models import Profile, ProfileSkill, Skill, SkillCategory, SkillLevel
from community.selectors import DIRECTORY_FACETS_KEY
from tests.factories import member_with

pytestmark = pytest.mark.django_db

seed = importlib.import_module("community.migrations.0011_seed_skill_referential").seed


def _ref(name):
    return Skill.objects.get(name=name, in_referential=True)


def test_the_referential_is_seeded_in_categories():
    referential = Skill.objects.filter(in_referential=True)
    assert 15 <= referential.count() <= 40
    assert 4 <= SkillCategory.objects.count() <= 6
    assert not referential.filter(category__isnull=True).exists()
    for name in (
        "Accompagnement aux démarches administratives en ligne",
        "Prise en main d'un équipement",
        "Usage d'internet et de la messagerie",
        "Sécurité et protection des données",
        "Inclusion numérique des publics fragiles",
        "Animation d'ateliers collectifs",
        "Accompagnement à la parentalité numérique",
        "Création de contenus numériques",
    ):
        assert referential.filter(name=name).exists(), name


def test_seed_maps_free_skills_accent_and_case_free_and_keeps_the_rest():
    a = member_with(display_name="A")
    b = member_with(display_name="B")
    # free skills as members typed them before the référentiel (not linked to it)
    cyber = Skill.objects.create(name="CYBERSECURITE", slug="cybersecurite-libre")
    libre = Skill.objects.create(name="Logiciels libres")
    ProfileSkill.objects.create(profile=a.profile, skill=cyber)
    ProfileSkill.objects.create(profile=b.profile, skill=cyber)
    ProfileSkill.objects.create(profile=b.profile, skill=_ref("Sécurité et protection des données"))
    ProfileSkill.objects.create(profile=a.profile, skill=libre)
    seed(apps, None)
    assert not Skill.objects.filter(pk=cyber.pk).exists()
    security = _ref("Sécurité et protection des données")
    assert set(security.skilled_profiles.all()) == {a.profile, b.profile}  # b not counted twice
    assert Skill.objects.get(pk=libre.pk).in_referential is False  # kept, hors référentiel
    assert libre in a.profile.skills.all()


def test_free_text_joins_the_referential_through_aliases():
    skills = services.skills_from_text("accompagnement administratif, Pix, Accompagnement aux démarches administratives en ligne")
    assert [s.name for s in skills] == ["Accompagnement aux démarches administratives en ligne", "Pix"]
    assert skills[0].in_referential and not skills[1].in_referential


def test_profile_skills_set_levels_and_rules(member, other_member):
    profile = member.profile
    ateliers, security = _ref("Animation d'ateliers collectifs"), _ref("Sécurité et protection des données")
    services.profile_skills_set(actor=member, profile=profile, levels={ateliers.pk: "expert"}, text="Logiciels libres, cybersécurité")
    levels = dict(ProfileSkill.objects.filter(profile=profile).values_list("skill__name", "level"))
    assert levels == {ateliers.name: "expert", security.name: "confirmed", "Logiciels libres": "confirmed"}
    services.profile_skills_set(actor=member, profile=profile, levels={ateliers.pk: "beginner"}, text="")
    assert dict(ProfileSkill.objects.filter(profile=profile).values_list("skill_id", "level")) == {ateliers.pk: "beginner"}
    with pytest.raises(PermissionDenied):
        services.profile_skills_set(actor=other_member, profile=profile, levels={}, text="")
    with pytest.raises(ValidationError):
        services.profile_skills_set(actor=member, profile=profile, levels={ateliers.pk: "gourou"}, text="")
    assert dict(ProfileSkill.objects.filter(profile=profile).values_list("skill_id", "level")) == {ateliers.pk: "beginner"}


def test_profile_form_picks_levels_by_category(member_client, member):
    ateliers = _ref("Animation d'ateliers collectifs")
    page = member_client.get(reverse("community:profile_edit")).content.decode()
    assert "Animer, former et coordonner" in page and f'name="skill_{ateliers.pk}"' in page
    data = {"display_name": "Lucie", "skills_text": "Logiciels libres", f"skill_{ateliers.pk}": "expert"}
    for field in ("photo", "metier", "organisation", "territory", "bio", "skills", "links", "email"):
        data[f"visibility_{field}"] = "members"
    assert member_client.post(reverse("community:profile_edit"), data).status_code == 302
    profile = Profile.objects.get(user=member)
    assert ProfileSkill.objects.get(profile=profile, skill=ateliers).level == SkillLevel.EXPERT
    page = member_client.get(reverse("community:profile_edit")).content.decode()
    assert 'value="Logiciels libres"' in page  # the free field shows only the free skills
    detail = member_client.get(profile.get_absolute_url()).content.decode()
    assert "Animation d&#x27;ateliers collectifs" in detail and "(expert)" in detail
    bad = {**data, f"skill_{ateliers.pk}": "gourou"}
    assert member_client.post(reverse("community:profile_edit"), bad).status_code == 200


def test_directory_filters_by_skill_and_minimum_level(member_client):
    ateliers = _ref("Animation d'ateliers collectifs")
    for name, level in (("Débutante Une", "beginner"), ("Confirmé Deux", "confirmed"), ("Experte Trois", "expert")):
        user = member_with(display_name=name)
        services.profile_skills_set(actor=user, profile=user.profile, levels={ateliers.pk: level})
    url = reverse("community:directory")
    html = member_client.get(url, {"skill": ateliers.slug}).content.decode()
    assert "Débutante Une" in html and "Confirmé Deux" in html and "Experte Trois" in html
    html = member_client.get(url, {"skill": ateliers.slug, "level": "confirmed"}).content.decode()
    assert "Débutante Une" not in html and "Confirmé Deux" in html and "Experte Trois" in html
    html = member_client.get(url, {"skill": ateliers.slug, "level": "expert"}).content.decode()
    assert "Confirmé Deux" not in html and "Experte Trois" in html
    # the select lists the référentiel by category
    assert "<optgroup" in html and "Expert ou plus" in html


def _directory_queries(client, skill, start, n):
    for i in range(start, start + n):
        user = member_with(display_name=f"Membre {i:03d}", organisation=None)
        services.profile_skills_set(actor=user, profile=user.profile, levels={skill.pk: "expert"}, text=f"Compétence {i}")
    cache.delete(DIRECTORY_FACETS_KEY)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("community:directory"), {"skill": skill.slug, "level": "confirmed", "display": "list"})
    assert response.status_code == 200 and f"Membre {start + n - 1:03d}" in response.content.decode()
    return len(ctx.captured_queries)


def test_directory_skill_filter_query_count_is_fixed(member_client):
    from community import views

    skill = _ref("Animation d'ateliers collectifs")
    views.DIRECTORY_PAGE_SIZE = 100
    try:
        few = _directory_queries(member_client, skill, 0, 10)
        many = _directory_queries(member_client, skill, 10, 90)  # 100 on the page
    finally:
        views.DIRECTORY_PAGE_SIZE = 24
    assert few == many


def test_the_directory_keeps_its_skill_facets_and_follows_the_referential_at_once(member_client):
    """The référentiel and the most listed skills are kept between directory pages (no query on
    the skills), and a skill or a category saved or deleted is offered, renamed or gone at once."""
    url = reverse("community:directory")
    member_client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        member_client.get(url)
    cards_skills = 'SELECT "community_profile_skills"."profile_id"'  # the page's cards' own skills (skill_names_of)
    facets = [q["sql"] for q in ctx.captured_queries if '"community_skill"' in q["sql"] and not q["sql"].startswith(cards_skills)]
    assert not facets and any(q["sql"].startswith(cards_skills) for q in ctx.captured_queries)
    category = SkillCategory.objects.create(name="Faire ensemble", slug="faire-ensemble", position=99)
    skill = Skill.objects.create(
        name="Cartographie participative", slug="cartographie-participative", in_referential=True, category=category
    )
    html = member_client.get(url).content.decode()
    assert 'label="Faire ensemble"' in html and '<option value="cartographie-participative">Cartographie participative</option>' in html
    category.name = "Agir ensemble"
    category.save()
    html = member_client.get(url).content.decode()
    assert 'label="Agir ensemble"' in html and 'label="Faire ensemble"' not in html
    skill.delete()
    assert "cartographie-participative" not in member_client.get(url).content.decode()
