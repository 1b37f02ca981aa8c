"""The prescribers' finder (issue 14 item 2): criteria, distance, "open at", open-now state,
accent-free search, a fixed number of queries."""

from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from places import finder, selectors
from places.models import Place
from tests.places.factories import make_place, place_data

pytestmark = pytest.mark.django_db

# Thursday 3 December 2026, 10:00 (local time).
THURSDAY = datetime(2026, 12, 3, 10, 0)


def _names(search):
    if search.rows is not None:
        return [row[1] for row in search.rows]
    return list(search.queryset.values_list("nom", flat=True))


def test_open_at_shortcuts_become_windows():
    saturday = finder.open_at(shortcut="samedi", now=THURSDAY)
    assert saturday.windows[0][0] == datetime(2026, 12, 5, 0, 0)
    morning = finder.open_at(shortcut="samedi_matin", now=THURSDAY)
    assert morning.windows[0] == (datetime(2026, 12, 5, 8, 0), datetime(2026, 12, 5, 12, 0))
    assert len(finder.open_at(shortcut="soir", now=THURSDAY).windows) == 7
    # a weekday and a time that passed this week: next week
    at = finder.open_at(weekday="3", at=time(9, 0), now=THURSDAY)
    assert at.windows[0][0] == datetime(2026, 12, 10, 9, 0)
    assert finder.open_at(now=THURSDAY) is None


def test_on_a_saturday_the_shortcuts_keep_what_is_left_of_it_then_look_a_week_ahead():
    """Asked on Saturday 5 December 2026: the morning from now on while it lasts, then the next
    Saturday's morning; "samedi" keeps the rest of the day."""
    morning = datetime(2026, 12, 5, 10, 30)
    afternoon = datetime(2026, 12, 5, 12, 23)
    assert finder.open_at(shortcut="samedi_matin", now=morning).windows == ((morning, datetime(2026, 12, 5, 12, 0)),)
    assert finder.open_at(shortcut="samedi_matin", now=afternoon).windows == (
        (datetime(2026, 12, 12, 8, 0), datetime(2026, 12, 12, 12, 0)),
    )
    assert finder.open_at(shortcut="samedi", now=afternoon).windows == ((afternoon, datetime(2026, 12, 6, 0, 0)),)


def test_a_weekday_alone_on_that_day_keeps_what_is_left_of_it(member):
    """Saturday at 12:23, "Ouvert le : samedi" without an hour: a place that closed at noon is no
    use today; one that opens at 14 h is (as the "samedi" shortcut)."""
    afternoon = datetime(2026, 12, 5, 12, 23)
    assert finder.open_at(weekday="5", now=afternoon).windows == ((afternoon, datetime(2026, 12, 6, 0, 0)),)
    assert finder.open_at(weekday="0", now=afternoon).windows[0][0] == datetime(2026, 12, 7, 0, 0)
    make_place(nom="Samedi matin", horaires="Sa 09:00-12:00")
    make_place(nom="Samedi après-midi", horaires="Sa 14:00-18:00")
    assert _names(selectors.place_search(filters={"jour": "5"}, now=afternoon)) == ["Samedi après-midi"]


def test_a_search_for_one_day_names_that_day():
    afternoon = datetime(2026, 12, 5, 12, 23)
    assert finder.open_at(shortcut="samedi_matin", now=afternoon).day == date(2026, 12, 12)
    assert finder.open_at(shortcut="samedi", now=afternoon).day == date(2026, 12, 5)
    assert finder.open_at(weekday="0", now=afternoon).day == date(2026, 12, 7)
    assert finder.open_at(weekday="5", at=time(9, 0), now=afternoon).day == date(2026, 12, 12)
    assert finder.open_at(at=time(9, 0), now=afternoon).day == date(2026, 12, 6)  # tomorrow: 9 h has passed
    assert finder.open_at(shortcut="maintenant", now=afternoon).day is None
    assert finder.open_at(shortcut="soir", now=afternoon).day is None


def test_the_results_say_which_saturday_they_are_for(client):
    make_place(nom="Samedi matin", horaires="Sa 09:00-12:00")
    day = finder.open_at(shortcut="samedi_matin").day
    html = client.get("/lieux/", {"ouvert": "samedi_matin"}).content.decode()
    assert f"Jour recherché : samedi {day.day} " in " ".join(html.split())
    assert "Jour recherché" not in client.get("/lieux/", {"ouvert": "soir"}).content.decode()


def test_a_saturday_morning_place_is_found_on_a_saturday_afternoon(member):
    make_place(nom="Samedi matin", horaires="Sa 09:00-12:00")
    make_place(nom="Semaine", horaires="Mo-Fr 09:00-17:00")
    afternoon = datetime(2026, 12, 5, 12, 23)
    assert _names(selectors.place_search(filters={"ouvert": "samedi_matin"}, now=afternoon)) == ["Samedi matin"]


def test_open_saturday_and_after_six(member):
    make_place(nom="Semaine", horaires="Mo-Fr 09:00-17:00")
    make_place(nom="Samedi matin", horaires="Sa 09:00-12:00")
    make_place(nom="Samedi après-midi", horaires="Sa 14:00-18:00")
    make_place(nom="Soirées", horaires="Tu 17:00-20:00")
    make_place(nom="Sans horaires", horaires="")
    assert _names(selectors.place_search(filters={"ouvert": "samedi"}, now=THURSDAY)) == ["Samedi après-midi", "Samedi matin"]
    assert _names(selectors.place_search(filters={"ouvert": "samedi_matin"}, now=THURSDAY)) == ["Samedi matin"]
    assert _names(selectors.place_search(filters={"ouvert": "soir"}, now=THURSDAY)) == ["Soirées"]
    assert _names(selectors.place_search(filters={"jour": "1", "heure": time(19, 0)}, now=THURSDAY)) == ["Soirées"]
    assert _names(selectors.place_search(filters={"jour": "0"}, now=THURSDAY)) == ["Semaine"]


def test_criteria_match_exact_vocabulary_values(member):
    make_place(nom="Arabe LSF", langues=["Arabe", "Langue des signes française (LSF)"], accessibilite=["Accessible en fauteuil roulant"])
    make_place(nom="Itinérant", itinerance=["Itinérant"], modalites_accompagnement=["À distance"], prise_en_charge_specifique=["Surdité"])
    assert _names(selectors.place_search(filters={"langue": "Arabe"})) == ["Arabe LSF"]
    assert _names(selectors.place_search(filters={"accessibilite": "Accessible en fauteuil roulant"})) == ["Arabe LSF"]
    assert _names(selectors.place_search(filters={"itinerance": "Itinérant"})) == ["Itinérant"]
    assert _names(selectors.place_search(filters={"modalite": "À distance", "prise_en_charge": "Surdité"})) == ["Itinérant"]


def test_distance_from_a_commune_orders_by_distance(member):
    make_place(nom="Dijon centre", commune="Dijon", latitude=47.322, longitude=5.041)
    make_place(nom="Chenôve", commune="Chenôve", code_postal="21300", code_insee="21166", latitude=47.293, longitude=5.006)
    make_place(nom="Beaune", commune="Beaune", code_postal="21200", code_insee="21054", latitude=47.025, longitude=4.840)
    search = selectors.place_search(filters={"commune": "Dijon", "rayon": "10"})
    assert _names(search) == ["Dijon centre", "Chenôve"]
    assert 3 < search.distances[search.rows[1][0]] < 6
    assert _names(selectors.place_search(filters={"commune": "Dijon", "rayon": "50"}))[-1] == "Beaune"
    assert _names(selectors.place_search(filters={"commune": "Dijon"})) == ["Dijon centre"]


def test_accent_and_case_free_text(client):
    make_place(nom="Médiathèque Émile Zola", commune="Dijon")
    content = client.get("/lieux/", {"q": "MEDIATHEQUE emile"}).content.decode()
    assert "Médiathèque Émile Zola" in content


def test_list_shows_open_state_distance_and_works_as_plain_get(client):
    make_place(nom="Toujours ouvert", horaires="24/7", commune="Dijon", latitude=47.322, longitude=5.041)
    make_place(nom="Jamais ouvert", horaires="off", commune="Dijon", latitude=47.323, longitude=5.042)
    content = client.get("/lieux/", {"commune": "Dijon", "rayon": "5"}).content.decode()
    assert "Ouvert maintenant" in content and "Fermé maintenant" in content
    assert "km" in content
    content = client.get("/lieux/", {"ouvert": "maintenant"}).content.decode()
    assert "Toujours ouvert" in content and "Jamais ouvert" not in content
    geo = client.get("/lieux/carte.geojson", {"ouvert": "maintenant"}).json()
    assert [f["properties"]["nom"] for f in geo["features"]] == ["Toujours ouvert"]
    assert geo["features"][0]["properties"]["ouvert"] is True


def test_bad_values_are_ignored(client):
    make_place(nom="Un lieu")
    response = client.get("/lieux/", {"heure": "25:99", "jour": "9", "rayon": "abc", "services": "<script>"})
    assert response.status_code == 200 and "Un lieu" in response.content.decode()


def _row() -> dict:
    data = place_data(horaires="Mo-Sa 09:00-12:00", telephone="+33380000000")
    return {k: "|".join(v) if isinstance(v, list) else v for k, v in data.items()}


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/lieux/", params).status_code == 200
    return len(ctx.captured_queries)


def _geo_queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/lieux/carte.geojson", params).status_code == 200
    return len(ctx.captured_queries)


SEARCHES = [
    {},
    {"services": "Aide aux démarches administratives", "ouvert": "samedi"},
    {"commune": "Dijon", "rayon": "20", "jour": "2", "heure": "10:00"},
    {"q": "espace", "frais": "Gratuit", "ouvert": "maintenant"},
]


@pytest.mark.parametrize("params", SEARCHES)
def test_fixed_query_count_at_50_and_500_places(client, params):
    def add(n):
        staff_place = make_place()
        rows = [Place(**_row(), is_published=True) for _ in range(n)]
        for row in rows:
            row.fill_search_text()
        Place.objects.bulk_create(rows)
        return staff_place

    add(49)
    small, small_geo = _queries(client, params), _geo_queries(client, params)
    add(450)
    assert Place.objects.published().count() >= 500
    assert _queries(client, params) == small
    assert _geo_queries(client, params) == small_geo
    assert small <= 6 and small_geo <= 3
