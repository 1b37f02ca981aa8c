"""Blocks and charts read from the events, places and labels apps, each guarded."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from content.observatory import chart_events_month, chart_labels_state, chart_places_state, charts_for
from events.models import Event, Registration
from places.models import Place
from tests.content.factories import published_resource

pytestmark = pytest.mark.django_db


def _event(title, *, audience="public", days=3, state="published"):
    start = timezone.now() + timedelta(days=days)
    return Event.objects.create(title=title, start=start, end=start + timedelta(hours=2), audience=audience, state=state)


def _place(n, *, postcode="21000", labelled=False, lat=47.3, lon=5.0):
    return Place.objects.create(
        nom=f"Lieu {n}",
        pivot="12345678901234",
        commune="Dijon",
        code_postal=postcode,
        adresse="1 rue de la Liberté",
        latitude=lat,
        longitude=lon,
        is_published=True,
        is_labelled=labelled,
    )


def test_home_shows_next_public_events_only(client):
    _event("Café réseau public")
    _event("Réunion interne", audience="members")
    _event("Brouillon", state="draft")
    text = client.get("/").text
    assert "Café réseau public" in text and "Réunion interne" not in text and "Brouillon" not in text


def test_home_places_teaser(client):
    _place(1)
    _place(2, postcode="25000", labelled=True)
    text = client.get("/").text
    assert "2 lieux pour se faire accompagner" in text or "lieux de médiation" in text
    assert "Côte-d&#x27;Or" in text or "Côte-d'Or" in text


def test_places_chart_and_map():
    _place(1)
    _place(2, labelled=True, lat=47.2, lon=6.0)
    _place(3, postcode="25000", lat=47.24, lon=6.02)
    chart = chart_places_state()
    assert ["Côte-d'Or (21)", 2, 2, 1] in chart.rows
    svg = render_to_string("content/charts/map.svg", {"chart": chart})
    assert svg.count("<circle") == 2 + 1  # two plain places and the legend
    assert svg.count('class="chart-map-labelled"') == 1 + 1  # the labelled place and the legend


def test_events_chart_counts_attendance(member):
    event = _event("Atelier passé", days=-10)
    Registration.objects.create(
        event=event, user=member, name="Élise", email="e@exemple.fr", status="confirmed", attended_at=timezone.now()
    )
    Registration.objects.create(event=event, name="Paul", email="p@exemple.fr", status="confirmed")
    chart = chart_events_month()
    assert chart.rows and chart.rows[-1][1:] == [1, 2, 1]


def test_labels_chart_without_data_is_empty():
    assert chart_labels_state().rows == []


def test_staff_observatory_lists_cross_app_charts(staff):
    keys = [c.key for c in charts_for(viewer=staff)[0]]
    assert {"events_month", "places_state", "labels_state"} <= set(keys)


def test_resource_links_to_its_event_when_visible(client, member_client, member, staff):
    public = _event("Atelier ouvert", days=-5)
    internal = _event("Atelier membres", days=-5, audience="members")
    a = published_resource(member, staff, title="Support ouvert", event=public)
    b = published_resource(member, staff, title="Support interne", event=internal)
    assert "Atelier ouvert" in client.get(reverse("content:resource_detail", args=[a.slug])).text
    assert "Atelier membres" not in client.get(reverse("content:resource_detail", args=[b.slug])).text
    assert "Atelier membres" in member_client.get(reverse("content:resource_detail", args=[b.slug])).text


def test_observatory_with_places_and_events_costs_fixed_queries(staff_client, member):
    counts = []
    for n in (10, 90):
        for i in range(n):
            _place(f"{n}-{i}", postcode=["21000", "25000", "39000"][i % 3], labelled=i % 4 == 0, lat=46.5 + i / 100, lon=4.5 + i / 100)
            if i % 10 == 0:
                _event(f"Événement {n}-{i}", days=-i)
        staff_client.get("/observatoire/")
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get("/observatoire/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def _call(title, *, themes=",inclusion_numerique,", days=10, state="published"):
    from funding.models import FundingCall

    return FundingCall.objects.create(
        title=title,
        slug=slugify(title),
        funders="État",
        themes=themes,
        deadline=timezone.localdate() + timedelta(days=days),
        state=state,
    )


def test_funding_chart_by_theme_and_deadline():
    from content.observatory import chart_funding_theme

    _call("Appel proche")
    _call("Appel lointain", days=90)
    _call("Appel passé", days=-5, state="closed")
    _call("Brouillon", state="draft")
    chart = chart_funding_theme()
    assert chart.rows == [["Inclusion numérique", 1, 1, 0, 1]]


def test_resource_links_to_its_funding_call_for_members(client, member_client, member, staff):
    call = _call("Appel France numérique")
    resource = published_resource(member, staff, title="Bilan du projet", funding_call=call)
    url = reverse("content:resource_detail", args=[resource.slug])
    assert "Appel France numérique" in member_client.get(url).text
    assert "Appel France numérique" not in client.get(url).text
