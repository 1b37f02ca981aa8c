"""The search page keeps each result card's markup per process and language, keyed on every
value the card shows (``selectors.CallCard`` under ``{% once %}``): a change to a call, to the
structures applying or to the day shows on the next page, and a card is the same for every viewer."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from community.models import Commune
from funding import selectors, services
from funding.filters import CallFilters
from tests.factories import StaffFactory, UserFactory

from .factories import make_call

pytestmark = pytest.mark.django_db


def _cards(html: str) -> str:
    """The list of results (up to the export links)."""
    return html.split('<ul class="call-list">')[1].split('<p class="export-links">')[0]


def _page(client, path="/financements/?sort=newest") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_card_shows_what_changed_since_it_was_kept(member, member_client):
    staff = StaffFactory()
    call = make_call(title="Appel aux tiers-lieux", deadline=timezone.localdate() + timedelta(days=12))
    first = _page(member_client)
    assert "Appel aux tiers-lieux" in first and "plus que 12 jours" in first and "candidate" not in first

    services.call_update(call=call, data={"title": "Appel aux fablabs"}, actor=staff)
    assert "Appel aux fablabs" in _page(member_client) and "Appel aux tiers-lieux" not in _page(member_client)

    services.interest_toggle(call=call, actor=UserFactory(), kind="applying")
    assert "1 structure du réseau candidate" in _page(member_client)

    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
        assert "plus que 11 jours" in _page(member_client)

    services.call_close(call=call, actor=staff)
    assert "Clôturé" in _page(member_client, "/financements/?include_closed=on")


def test_cards_are_the_same_for_every_viewer_and_as_django_renders_them(member_client, client_for, staff_client):
    for days in (-2, 0, 1, 30):
        make_call(deadline=timezone.localdate() + timedelta(days=days))
    make_call(is_permanent=True, deadline=None, themes=("formation", "insertion"))
    make_call(deadline=None, themes=())
    dijon = Commune.objects.select_related("department__region").get(insee="21231")
    make_call(scope="commune", commune=dijon)
    make_call(scope="department", department=dijon.department)
    make_call(scope="region", region=dijon.department.region)
    kept = _cards(_page(member_client))
    assert _cards(_page(member_client)) == kept
    assert _cards(_page(client_for(UserFactory()))) == kept == _cards(_page(staff_client))
    with override_settings(DEBUG=True):  # nothing kept: every card through the templates
        assert _cards(_page(member_client)) == kept
    assert "dernier jour" in kept and "dépassée" in kept and "Permanent" in kept and "Dijon (21000)" in kept


def test_a_card_is_kept_per_language():
    make_call(kind="subvention", themes=("formation",))
    calls = selectors.call_list(viewer=None, filters=CallFilters())
    from django.template.loader import render_to_string

    def render():
        page = type("Page", (), {"paginator": type("P", (), {"count": 1})(), "has_other_pages": lambda self: False})()
        return render_to_string("funding/_call_results.html", {"cards": selectors.call_cards(calls), "page": page})

    with translation.override("fr"):
        french = render()
    with translation.override("en"):
        english = render()
        with override_settings(DEBUG=True):
            assert render() == english
    assert "Subvention" in french and "Formation" in french
    assert english != french  # the dates at least (the English catalogue lacks some labels)


@pytest.mark.parametrize("path", ["/financements/?q=appel", "/financements/", "/financements/?q=appel&themes=formation&open_now=on"])
def test_search_query_count_does_not_grow_with_results(member_client, path):
    """Calls of every perimeter (the card names its region, department or commune: loaded with
    the page, not one query per card)."""
    dijon = Commune.objects.select_related("department__region").get(insee="21231")
    perimeters = [
        {},
        {"scope": "region", "region": dijon.department.region},
        {"scope": "department", "department": dijon.department},
        {"scope": "commune", "commune": dijon},
    ]

    def count(n):
        for i in range(n):
            call = make_call(themes=("formation",), **perimeters[i % 4])
            services.interest_toggle(call=call, actor=UserFactory(), kind="applying")
        with CaptureQueriesContext(connection) as ctx:
            html = _page(member_client, path)
        assert "Dijon (21000)" in html and "Côte-d&#x27;Or (21)" in html and "Bourgogne" in html
        return len(ctx.captured_queries)

    assert count(10) == count(90)


def test_structures_applying_count_each_applicant_once_and_not_the_interested(member_client):
    call = make_call(title="Appel suivi")
    for _ in range(2):
        services.interest_toggle(call=call, actor=UserFactory(), kind="applying")
    services.interest_toggle(call=call, actor=UserFactory(), kind="interested")
    other = make_call(title="Appel sans candidat")
    services.interest_toggle(call=other, actor=UserFactory(), kind="interested")
    html = _page(member_client)
    assert html.count("2 structures du réseau candidatent") == 1 and "1 structure du réseau" not in html
    cards = {c.title: c.applying_count for c in selectors.call_cards(selectors.call_list(viewer=None, filters=CallFilters()))}
    assert cards == {"Appel suivi": 2, "Appel sans candidat": 0}


def test_the_members_territory_is_read_only_for_a_search_on_it(member, member_client):
    from community.models import Department

    dijon = Commune.objects.select_related("department").get(insee="21231")
    member.profile.commune = dijon
    member.profile.save()
    make_call(title="Appel national")
    make_call(title="Appel en Côte-d'Or", scope="department", department=dijon.department)
    make_call(title="Appel dans le Doubs", scope="department", department=Department.objects.get(code="25"))

    def page(path):
        with CaptureQueriesContext(connection) as ctx:
            html = _page(member_client, path)
        return html, [
            q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "community_profile"') and "community_commune" in q["sql"]
        ]

    html, territory_queries = page("/financements/?q=appel")
    assert "Appel dans le Doubs" in html and not territory_queries
    html, territory_queries = page("/financements/?q=appel&my_territory=on")
    assert "Appel national" in html and "Appel en Côte-d&#x27;Or" in html and "Appel dans le Doubs" not in html
    assert len(territory_queries) == 1
