"""The agenda list groups a recurring series into one card (its next date, the others folded), at a
fixed query count; the cards carry a date badge and the event's image when it has one."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from tests.events.factories import make_event, make_series


def test_series_is_one_card_with_its_other_dates(client_for, staff, member):
    series = make_series(staff, "Café réseau")
    single = make_event(by=staff, title="Atelier unique", days=10)
    page = client_for(member).get(reverse("events:agenda")).content.decode()
    assert page.count(">Café réseau</a></h3>") == 1
    assert "Voir les 8 autres dates" in page and "Toutes les 4 semaines" in page
    first, *others = list(Event.objects.filter(series=series).order_by("start"))
    assert page.index(first.get_absolute_url()) < page.index(single.get_absolute_url())
    for other in others:
        assert other.get_absolute_url() in page  # in the folded list
    assert "2 événements à venir" in page
    assert 'class="date-badge"' in page


def test_filters_apply_to_the_series_dates(client_for, staff, member):
    make_series(staff, "Café des possibles")
    client = client_for(member)
    assert "Café des possibles" in client.get(reverse("events:agenda") + "?type=cafe").content.decode()
    assert "Café des possibles" not in client.get(reverse("events:agenda") + "?type=atelier").content.decode()


def test_series_agenda_query_count_is_fixed(client_for, staff, member):
    client = client_for(member)
    url = reverse("events:agenda")
    make_series(staff, "Série 0", count=3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(1, 6):
        make_series(staff, f"Série {n}", count=4, days=3 + n)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert page.count("autres dates") == 6
    assert len(large.captured_queries) == len(small.captured_queries)
