"""The agenda keeps each event card's markup per process and language, keyed on every value the
card shows (``selectors.EventCard`` under ``{% once %}``): the same markup as the card rendered
from the event itself, in French and English and in another time zone; an edit, a cancellation, a
registration, a new date in a series or another language shows on the next page; a viewer never
gets a card (or a date of a series) they would not have seen; a fixed number of queries."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from community.models import Commune
from events import selectors
from events.models import Event, EventState
from events.services import (
    breakout_create,
    event_cancel,
    event_create,
    event_update,
    registration_create,
    restitution_publish,
)
from groups.models import Group
from groups.services import group_create
from tests.events.factories import make_event, make_series

pytestmark = pytest.mark.django_db

AGENDA = reverse("events:agenda")

# The card as the templates included it before ``EventCard``: from the event itself.
FROM_EVENTS = Template('{% for e in events %}<li>{% include "events/_event_card.html" with event=e %}</li>{% endfor %}')
# The card as the agenda includes it now: kept per card value.
FROM_CARDS = Template(
    '{% for card in cards %}<li>{% once event=card %}{% include "events/_event_card.html" %}{% endonce %}</li>{% endfor %}'
)


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "teal").save(out, format="PNG")
    return SimpleUploadedFile("atelier.png", out.getvalue(), content_type="image/png")


def _series(staff, title, **fields):
    return make_series(staff, title, **{"interval_weeks": 2, **fields})


def _agenda_of(viewer) -> list[Event]:
    """The agenda's first page as the view loads it: events with their series' other dates."""
    now = timezone.now()
    events = list(selectors.agenda_list_grouped(viewer=viewer, start=now)[:30])
    selectors.agenda_series_dates(viewer=viewer, start=now, events=events)
    return events


def _cards(html: str) -> str:
    """The agenda list's cards, as the page prints them."""
    start = html.index('<ul class="event-list">') + len('<ul class="event-list">')
    return html[start : html.rindex("</article>\n</li></ul>") + len("</article>\n</li>")].strip()


def _page(client, path=AGENDA) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def varied(staff):
    """Events showing every part of a card: commune, group, image, full and open seats, no limit,
    cancelled, no summary, a weekly and a fortnightly series with a cancelled date."""
    dijon = Commune.objects.get(insee="21231")
    group = Group.objects.create(name="Fabriques du territoire")
    make_event(by=staff, title="Atelier Pix", days=1, commune=dijon, capacity=3, image=_png())
    full = make_event(by=staff, title="Atelier complet", days=2, capacity=1, organiser_group=group, format="online")
    registration_create(actor=staff, event=full)
    make_event(by=staff, title="Sans limite", days=3, summary="", type="webinaire", format="hybrid")
    cancelled = make_event(by=staff, title="Annulé", days=4, capacity=10)
    event_cancel(actor=staff, event=cancelled)
    series = _series(staff, "Café réseau", count=4, days=5)
    event_cancel(actor=staff, event=series.occurrences.order_by("start")[2])
    _series(staff, "Point hebdo", count=2, days=6, interval_weeks=1)
    return group


def test_the_kept_card_is_the_card_rendered_from_the_event(varied, member):
    """In each language and time zone in turn (each one after cards of the others were kept)."""
    for language, zone in (("fr", "Europe/Paris"), ("en", "Europe/Paris"), ("en", "America/Cayenne"), ("fr", "America/Cayenne")):
        with translation.override(language), timezone.override(zone):
            events = _agenda_of(member)
            expected = FROM_EVENTS.render(Context({"events": events}))
            cards = selectors.event_cards(events)
            assert FROM_CARDS.render(Context({"cards": cards})) == expected  # rendered, then kept
            assert FROM_CARDS.render(Context({"cards": selectors.event_cards(_agenda_of(member))})) == expected  # from what was kept
        assert "evenements/atelier" in expected and "is-cancelled" in expected and "Fabriques du territoire" in expected
        assert expected.count("<time") == 6 + 3 + 1  # six cards, and the other dates of their series
        assert {card.zone for card in cards} == {zone}
    assert "-03:00" in expected and "+01:00" not in expected  # Cayenne's offset, not Paris's


def test_the_page_prints_the_cards_as_rendered_from_the_events(varied, member, client_for):
    client = client_for(member)
    expected = FROM_EVENTS.render(Context({"events": _agenda_of(member)}))
    assert _cards(_page(client)) == expected
    assert _cards(_page(client)) == expected  # the second time from what was kept
    with override_settings(DEBUG=True):  # nothing kept: every card through the template
        assert _cards(_page(client)) == expected
    with translation.override("en"):
        assert _cards(_page(client)) == FROM_EVENTS.render(Context({"events": _agenda_of(member)}))


def test_a_card_shows_what_changed_since_it_was_kept(staff, member, client_for):
    client = client_for(member)
    event = make_event(by=staff, title="Atelier tiers-lieux", capacity=2, days=3)
    series = _series(staff, "Café du jeudi", count=2, days=4)
    first = _page(client)
    assert "Atelier tiers-lieux" in first and "2 places restantes" in first and "Voir l’autre date" in first

    event = event_update(actor=staff, event=event, title="Atelier fablab", summary="Nouveau résumé")
    page = _page(client)
    assert "Atelier fablab" in page and "Nouveau résumé" in page and "Atelier tiers-lieux" not in page

    registration_create(actor=member, event=event)
    assert "1 place restante" in _page(client)
    registration_create(actor=staff, event=Event.objects.get(pk=event.pk))
    assert "Complet, liste d'attente" in _page(client)

    last = series.occurrences.order_by("start").last()
    start = last.start + timedelta(weeks=2)
    event_create(actor=staff, title="Café du jeudi", start=start, end=start + timedelta(hours=1), series=series, state=EventState.PUBLISHED)
    page = _page(client)
    assert "Voir les 2 autres dates" in page and "encore 2 dates ensuite" in page

    event_cancel(actor=staff, event=last)
    page = _page(client)
    assert f'{last.get_absolute_url()}"><time' in page and "<strong>(annulé)</strong>" in page

    event_cancel(actor=staff, event=event)
    page = _page(client)
    assert "is-cancelled" in page and "<strong>Annulé</strong>" in page and "Complet" not in page

    with translation.override("en"):
        english = _cards(_page(client))
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert any(day in english for day in days) and not any(day in _cards(page) for day in days)
    assert _cards(_page(client)) == _cards(page)  # and back to French


def test_a_card_never_shows_what_its_viewer_may_not_see(staff, member, other_member, client_for):
    """The dates of a series a viewer sees are in the card: a group member's card (one more date,
    for the group) is not the one another member gets, whoever asks first."""
    group = group_create(actor=member, name="Cercle des médiateurs", access="secret")
    series = _series(staff, "Café des médiateurs", count=3, days=2)
    event_update(actor=staff, event=series.occurrences.order_by("start").last(), audience="group", audience_group=group)
    pending = make_event(by=other_member, title="Mon atelier proposé")  # a member's event waits for staff
    assert Event.objects.get(pk=pending.pk).state == EventState.PENDING
    for first, then in ((member, other_member), (other_member, member)):
        pages = {viewer: _page(client_for(viewer)) for viewer in (first, then)}
        assert "Voir les 2 autres dates" in pages[member] and "Voir l’autre date" in pages[other_member]
        assert "Voir les 2 autres dates" not in pages[other_member]
        assert "Mon atelier proposé" in pages[other_member] and "Mon atelier proposé" not in pages[member]


def _main(html: str) -> str:
    return html.split("<main")[1].split("</main>")[0]


def test_week_and_past_pages_show_the_same_cards(staff, member, client_for):
    client = client_for(member)
    day = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)
    make_event(by=staff, title="Atelier de la semaine", start=day, capacity=4, commune=Commune.objects.get(insee="21231"))
    week_url = f"{AGENDA}?vue=semaine&date={day.date().isoformat()}"
    week = _main(_page(client, week_url))
    assert "Atelier de la semaine" in week and "4 places restantes" in week and "Dijon" in week
    with override_settings(DEBUG=True):  # nothing kept
        assert _main(_page(client, week_url)) == week

    past = make_event(by=staff, title="Atelier passé", start=timezone.now() - timedelta(days=3), hours=2)
    kept = _main(_page(client, reverse("events:past")))
    assert "Atelier passé" in kept and _main(_page(client, reverse("events:past"))) == kept
    with override_settings(DEBUG=True):
        assert _main(_page(client, reverse("events:past"))) == kept
    assert "Lire la restitution" not in kept
    breakout = breakout_create(actor=staff, event=past, title="Sous-groupe 1")
    restitution_publish(actor=staff, breakout=breakout, text="Trois pistes.")
    event_update(actor=staff, event=past, title="Atelier passé, restitué")
    page = _page(client, reverse("events:past"))
    assert "Atelier passé, restitué" in page and f'href="{past.get_absolute_url()}#restitutions">Lire la restitution' in page


@pytest.mark.parametrize("view", ["liste", "semaine"])
def test_agenda_query_count_is_the_same_at_5_and_30_events(staff, member, client_for, view):
    """Cards with every part (commune, group, image, series with other dates): loaded with the
    page, not a query per card."""
    client = client_for(member)
    dijon = Commune.objects.get(insee="21231")
    group = Group.objects.create(name="Organisateurs")
    day = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    url = f"{AGENDA}?vue={view}&date={day.date().isoformat()}"

    def add(n):
        for i in range(n):
            if i % 5 == 4:
                _series(staff, f"Série {Event.objects.count()}", count=3, days=1)
            else:
                make_event(by=staff, start=day + timedelta(minutes=i), commune=dijon, organiser_group=group, capacity=10, image=_png())

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            html = _page(client, url)
        return len(ctx.captured_queries), html.count('class="card event-card')

    add(5)
    small, shown = count()
    assert shown == 5
    add(25)
    large, shown = count()
    assert shown == 30 and large == small
