"""The agenda list groups a recurring series into one card (its next date, the others folded), at a
fixed query count; the cards carry a date badge and the event's image when it has one."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventState
from events.services import series_create
from tests.events.factories import make_event


def _series(staff, title, count=9, days=3):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=days)
    return series_create(
        actor=staff,
        interval_weeks=4,
        count=count,
        signup_scope="occurrence",
        title=title,
        summary="On se retrouve",
        start=start,
        end=start + timedelta(hours=1),
        state=EventState.PUBLISHED,
        audience="members",
        type="cafe",
    )


def test_series_is_one_card_with_its_other_dates(client_for, staff, member):
    series = _series(staff, "Café réseau")
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
    _series(staff, "Café des possibles")
    client = client_for(member)
    assert "Café des possibles" in client.get(reverse("events:agenda") + "?type=cafe").content.decode()
    assert "Café des possibles" not in client.get(reverse("events:agenda") + "?type=atelier").content.decode()


def test_series_agenda_query_count_is_fixed(client_for, staff, member):
    client = client_for(member)
    url = reverse("events:agenda")
    _series(staff, "Série 0", count=3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(1, 6):
        _series(staff, f"Série {n}", count=4, days=3 + n)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert page.count("autres dates") == 6
    assert len(large.captured_queries) == len(small.captured_queries)
