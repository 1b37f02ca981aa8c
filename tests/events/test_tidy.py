"""Issue 17 for the agenda: the certificate PDF with any name, localised dates, the sign-up rate
limit, events in the activity stream (a secret group's event stays in the group)."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from common.pdf import duration_text
from community.activity import activity_list_for_viewer
from community.models import Activity
from events import services
from events.models import Registration
from groups.models import AccessMode, Group, Membership
from tests.events.factories import make_event
from tests.factories import UserFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db


def test_certificate_pdf_prints_any_name_and_a_french_duration(client_for, staff):
    person = UserFactory(first_name="Łucja", last_name="Nguyễn", profile_data={"display_name": "Łucja Nguyễn"})
    start = timezone.now() - timedelta(hours=2)
    event = make_event(by=staff, start=start, hours=1.5, title="Visite chez Ørsted")
    Registration.objects.create(
        event=event, user=person, email=person.email, name="Łucja Nguyễn", status="confirmed", attended_at=timezone.now()
    )
    response = client_for(person).get(reverse("events:certificate_pdf", args=[event.slug]))
    assert response["Content-Type"] == "application/pdf"
    assert b"/FontFile2" in response.content  # the TrueType font travels inside the file
    text = " ".join(pdf_text(response.content).split())  # lines wrap where the page ends
    assert "Łucja Nguyễn" in text and "« Visite chez Ørsted »" in text
    assert "1 h 30" in text and "?" not in text
    page = client_for(person).get(reverse("events:certificate", args=[event.slug])).text
    assert "1 h 30" in page


@pytest.mark.parametrize(("minutes", "text"), [(45, "45 min"), (60, "1 h"), (90, "1 h 30"), (125, "2 h 05"), (480, "8 h")])
def test_duration_text(minutes, text):
    assert duration_text(timedelta(minutes=minutes)) == text


def test_month_and_week_views_name_days_and_months_in_french(client_for, staff, member):
    start = timezone.make_aware(datetime(2027, 3, 10, 14, 0))
    make_event(by=staff, start=start, title="Atelier de mars")
    c = client_for(member)
    month = c.get(reverse("events:agenda"), {"vue": "mois", "annee": 2027, "mois": 3}).text
    assert "Mars 2027" in month and "Lundi" in month and "Dimanche" in month and "Atelier de mars" in month
    week = c.get(reverse("events:agenda"), {"vue": "semaine", "date": "2027-03-10"}).text
    assert "Mercredi 10 mars" in week and "Atelier de mars" in week
    assert c.get(reverse("events:agenda"), {"vue": "mois", "annee": 2027, "mois": 13}).status_code == 404


def test_signup_is_rate_limited_with_a_french_429(client_for, staff, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "2/h"}
    events = [make_event(by=staff, capacity=5) for _ in range(3)]
    person = UserFactory()
    c = client_for(person)
    for event in events[:2]:
        assert c.post(reverse("events:signup", args=[event.slug])).status_code == 302
    response = c.post(reverse("events:signup", args=[events[2].slug]))
    assert response.status_code == 429 and "Trop de demandes" in response.text
    assert not Registration.objects.filter(event=events[2]).exists()


def test_published_event_enters_the_stream_with_its_audience(staff, member, other_member):
    public = make_event(by=staff, audience="public", title="Portes ouvertes")
    draft = make_event(by=staff, audience="members", state="draft", title="Pas encore")
    assert Activity.objects.get(object_ref=f"events.event:{public.pk}").audience == "public"
    assert not Activity.objects.filter(object_ref=f"events.event:{draft.pk}").exists()
    services.event_update(actor=staff, event=draft, state="published")
    assert Activity.objects.get(object_ref=f"events.event:{draft.pk}").audience == "members"
    services.event_update(actor=staff, event=public, start=public.start + timedelta(days=1), end=public.end + timedelta(days=1))
    assert Activity.objects.filter(object_ref=f"events.event:{public.pk}").count() == 2  # published, then changed
    assert {a.title for a in activity_list_for_viewer(viewer=member)} >= {"Portes ouvertes", "Pas encore"}


def test_secret_group_event_does_not_leak_into_the_stream(staff, member, other_member):
    group = Group.objects.create(name="Cercle secret", access=AccessMode.SECRET)
    Membership.objects.create(group=group, user=member)
    make_event(by=staff, audience="group", audience_group=group, organiser_group=group, title="Réunion secrète")
    item = Activity.objects.get(title="Réunion secrète")
    assert item.audience == f"group-members:{group.pk}"
    assert "Réunion secrète" in {a.title for a in activity_list_for_viewer(viewer=member)}
    assert "Réunion secrète" not in {a.title for a in activity_list_for_viewer(viewer=other_member)}
    assert "Réunion secrète" not in {a.title for a in activity_list_for_viewer(viewer=staff)}  # staff outside the group too


def test_only_staff_and_the_organising_group_admins_create_events(member):
    group = Group.objects.create(name="Groupe ouvert")
    with pytest.raises(Exception) as exc:
        make_event(by=member, organiser_group=group)
    assert exc.type.__name__ == "PermissionDenied"
    Membership.objects.create(group=group, user=member, role="admin")
    assert make_event(by=member, organiser_group=group).created_by == member
