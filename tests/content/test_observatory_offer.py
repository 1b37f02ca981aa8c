"""Issue 14 items 5 and 6 in the observatory: the skills gaps (rule spelled out), offer coverage
per department and per commune (places, weekly hours, services), stale places; each with its
table and a formula-safe CSV; a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import services as community_services
from community.models import Skill, SkillCategory
from content.observatory import chart_offer_commune, chart_offer_department, chart_places_stale, chart_skills_gaps
from orientation.services import referral_create
from places.models import Place
from places.opening_hours import weekly_hours
from tests.factories import member_with
from tests.places.factories import make_place

pytestmark = pytest.mark.django_db

DEMARCHES = "Accompagnement aux démarches administratives en ligne"


def _refer(member, place, n, need="Aide aux démarches administratives"):
    for _i in range(n):
        referral_create(actor=member, place=place, data={"need": need, "consent": True, "contact_channel": "visit", "person_name": "Mme X"})


def _skilled(name, level):
    user = member_with()
    skill = Skill.objects.get(name=name)
    community_services.profile_skills_set(actor=user, profile=user.profile, levels={skill.pk: level})
    return user


def test_weekly_hours_from_osm_text():
    monday = date(2026, 11, 30)
    assert weekly_hours("Mo-Fr 09:00-12:00,14:00-17:00", monday) == 30.0
    assert weekly_hours("Sa 20:00-24:00", monday) == 4.0
    assert weekly_hours("", monday) == 0 and weekly_hours("n'importe quoi", monday) == 0


def test_skills_gaps_compare_demand_with_confirmed_members():
    member = member_with()
    place = make_place()
    _refer(member, place, 3)
    _skilled(DEMARCHES, "expert")
    _skilled(DEMARCHES, "beginner")  # a beginner does not count as supply
    for _i in range(2):
        _skilled("Bureautique", "confirmed")
    rows = {row[0]: row for row in chart_skills_gaps().rows}
    # asked 3 times (referrals for "Aide aux démarches administratives"), 1 confirmed-or-expert member: a gap
    assert rows[DEMARCHES][1:] == [3, 3, 0, 1, "oui"]
    assert rows["Bureautique"][1:] == [0, 0, 0, 2, "non"]
    assert next(iter(rows)) == DEMARCHES or rows[next(iter(rows))][5] == "oui"  # gaps first
    chart = chart_skills_gaps()
    assert "plus de fois que le réseau ne compte de membres" in chart.description


def test_offer_per_department_and_commune_with_stale_places():
    make_place()
    make_place(services=["Parentalité et éducation avec le numérique"], horaires="Sa 10:00-12:00")
    old = make_place(code_postal="25000", commune="Besançon", code_insee="25056")
    Place.objects.filter(pk=old.pk).update(confirmed_on=None, date_maj=timezone.localdate() - timedelta(days=400))
    make_place(publish=False)  # not published: not part of the offer
    rows = {row[0]: row for row in chart_offer_department().rows}
    cote_dor = rows["Côte-d'Or (21)"]
    assert cote_dor[1:4] == [2, 32.0, 3] and "Loisirs et créations numériques" in cote_dor[4] and cote_dor[5] == 0
    assert rows["Doubs (25)"][1] == 1 and rows["Doubs (25)"][5] == 1
    communes = {row[0]: row for row in chart_offer_commune().rows}
    assert communes["Dijon (21)"][1:] == [2, 32.0, 3, 0] and communes["Besançon (25)"][4] == 1
    stale = chart_places_stale().rows
    assert [row[0] for row in stale] == [old.nom] and stale[0][1] >= 13


def test_staff_page_shows_the_new_charts_with_csv(staff_client):
    make_place()
    _skilled("Bureautique", "expert")
    text = staff_client.get("/observatoire/").text
    for key in ("skills_gaps", "offer_department", "offer_commune", "places_stale"):
        assert f'id="{key}"' in text and reverse("observatory:csv", args=[key]) in text
    assert "Manque" in text


def test_gap_csv_is_safe_from_formula_injection(staff_client):
    category = SkillCategory.objects.first()
    Skill.objects.create(name='=HYPERLINK("http://x")', in_referential=True, category=category)
    _skilled('=HYPERLINK("http://x")', "expert")
    body = staff_client.get(reverse("observatory:csv", args=["skills_gaps"])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body


def test_offer_charts_cost_a_fixed_number_of_queries():
    counts = []
    for n in (2, 12):
        for _i in range(n - len(Place.objects.all())):
            make_place()
        with CaptureQueriesContext(connection) as ctx:
            chart_offer_department()
            chart_skills_gaps()
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
