"""The offer of a place, its confirmation, the stale-data reminder and the stale flag (issue 14 item 1)."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from ops import scheduler
from places import conf, selectors
from places.models import Place
from places.services import place_confirm_reminders_send, place_offer_confirm, place_offer_update
from tests.places.factories import make_place

pytestmark = pytest.mark.django_db


def _age(place, *, days):
    """Make the record look last confirmed ``days`` ago."""
    day = timezone.localdate() - timedelta(days=days)
    Place.objects.filter(pk=place.pk).update(confirmed_on=day, date_maj=day)
    place.refresh_from_db()
    return place


def test_months_before_handles_short_months():
    assert conf.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert conf.months_before(date(2026, 3, 15), 12) == date(2025, 3, 15)
    assert conf.months_before(date(2026, 1, 10), 1) == date(2025, 12, 10)


def test_manager_updates_the_offer_and_it_counts_as_confirmation(member):
    place = _age(make_place(member), days=400)
    assert place.is_stale
    place_offer_update(
        actor=member,
        place=place,
        data={
            "services": ["Aide aux démarches administratives"],
            "langues": ["Français", "Arabe"],
            "accessibilite": ["Boucle à induction magnétique"],
        },
    )
    place.refresh_from_db()
    assert place.values("langues") == ["Français", "Arabe"]
    assert place.confirmed_on == timezone.localdate() and not place.is_stale


def test_offer_values_come_from_the_vocabularies(member):
    place = make_place(member)
    with pytest.raises(ValidationError) as exc:
        place_offer_update(actor=member, place=place, data={"langues": ["Klingon"]})
    assert "langues" in exc.value.message_dict
    place.refresh_from_db()
    assert place.langues == ""
    with pytest.raises(ValueError):
        place_offer_update(actor=member, place=place, data={"nom": "Autre nom"})


def test_only_managers_edit_or_confirm_the_offer(member, other_member):
    place = make_place(member)
    with pytest.raises(PermissionDenied):
        place_offer_update(actor=other_member, place=place, data={"langues": ["Français"]})
    with pytest.raises(PermissionDenied):
        place_offer_confirm(actor=other_member, place=place)


def test_confirm_without_change_sets_the_date(member):
    place = _age(make_place(member), days=200)
    place_offer_confirm(actor=member, place=place)
    place.refresh_from_db()
    assert place.confirmed_on == timezone.localdate()


def test_reminder_goes_once_per_period_to_every_manager(member, other_member):
    place = _age(make_place(member), days=200)
    place.managers.add(other_member)
    fresh = make_place(member)
    assert place_confirm_reminders_send() == 1
    assert place_confirm_reminders_send() == 0  # idempotent: a second run reminds nobody
    notes = Notification.objects.filter(data__kind="places.confirm")
    assert sorted(n.recipient_id for n in notes) == sorted([member.pk, other_member.pk])
    assert all(reverse("places:place_offer", args=[place.pk]) == n.data["url"] for n in notes)
    assert fresh.pk not in [n.target_object_id for n in notes]
    # six months later the record is still unconfirmed: reminded again
    later = timezone.localdate() + timedelta(days=190)
    assert place_confirm_reminders_send(today=later) == 2  # and the other one, now six months old too


def test_confirming_stops_the_reminders(member):
    place = _age(make_place(member), days=200)
    place_offer_confirm(actor=member, place=place)
    assert place_confirm_reminders_send() == 0


def test_reminder_period_is_configurable(member, settings):
    _age(make_place(member), days=100)
    assert place_confirm_reminders_send() == 0
    settings.PLACES_CONFIRM_REMINDER_MONTHS = 3
    assert place_confirm_reminders_send() == 1


def test_reminder_is_a_periodic_job():
    assert "places.confirm_reminders" in scheduler.JOBS


def test_stale_places_are_flagged_on_the_map_the_list_and_the_export(member, client):
    stale = _age(make_place(member, nom="Ancien espace"), days=370)
    fresh = make_place(member, nom="Espace récent")
    features = {f["properties"]["id"]: f["properties"] for f in selectors.place_map_features()["features"]}
    assert features[stale.pk]["a_confirmer"] is True and features[fresh.pk]["a_confirmer"] is False
    page = client.get(reverse("places:place_list")).content.decode()
    assert page.count("Informations à confirmer") == 1
    response = client.get(reverse("places:export_freshness"))
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")}
    assert rows[stale.schema_id]["a_confirmer"] == "oui" and rows[fresh.schema_id]["a_confirmer"] == "non"
    assert "Informations à confirmer" in client.get(stale.get_absolute_url()).content.decode()


def test_offer_page_for_managers_only(member, client_for, other_member):
    place = make_place(member)
    url = reverse("places:place_offer", args=[place.pk])
    assert client_for(other_member).get(url).status_code == 403
    manager = client_for(member)
    assert manager.get(url).status_code == 200
    response = manager.post(url, {"services": ["Aide aux démarches administratives"], "langues": ["Anglais"], "horaires": "Sa 09:00-12:00"})
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.langues == "Anglais" and place.horaires == "Sa 09:00-12:00"
    response = manager.post(url, {"horaires": "Sa 9h-12h"})
    assert response.status_code == 200 and "position" in response.content.decode()
    confirm = reverse("places:place_offer_confirm", args=[place.pk])
    assert client_for(other_member).post(confirm).status_code == 403
    assert manager.post(confirm).status_code == 302
