"""Issue 13 item 4: participants say in advance present / excused (with a message) / absent;
check-in confirms; the organiser's list shows present, excused and absent."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from events import services
from events.models import Registration
from events.personal_data import erase_events, export_events
from tests.events.factories import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_participant_excuses_themselves_and_the_organiser_hears(client_for, staff, member):
    event = make_event(by=staff, capacity=5)
    reg = services.registration_create(actor=member, event=event, answers={})
    c = client_for(member)
    page = c.get(event.get_absolute_url()).text
    assert "Serez-vous là ?" in page
    response = c.post(
        reverse("events:intention_set", args=[event.slug]), {"intention": "excused", "message": "Conseil municipal ce soir-là."}
    )
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.intention == "excused" and reg.intention_message == "Conseil municipal ce soir-là."
    assert Notification.objects.filter(recipient=staff, verb__contains="s'excuse").exists()
    listing = client_for(staff).get(reverse("events:registrations", args=[event.slug])).text
    assert "Excusé·e" in listing and "Conseil municipal ce soir-là." in listing and "1 excusé·es" in listing


def test_bad_answers_are_refused_in_french_and_change_nothing(client_for, staff, member, other_member):
    event = make_event(by=staff, capacity=5)
    reg = services.registration_create(actor=member, event=event, answers={})
    with pytest.raises(ValidationError) as exc:
        services.registration_intention_set(actor=member, registration=reg, intention="peut-être")
    assert "Choisissez" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.registration_intention_set(actor=member, registration=reg, intention="absent", message="Désolé")
    assert "seulement une excuse" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.registration_intention_set(actor=other_member, registration=reg, intention="absent")
    services.event_cancel(actor=staff, event=event)
    with pytest.raises(ValidationError):
        services.registration_intention_set(actor=member, registration=reg, intention="present")
    reg.refresh_from_db()
    assert reg.intention == "" and reg.intention_message == ""
    response = client_for(member).post(reverse("events:intention_set", args=[event.slug]), {"intention": "present"}, follow=True)
    assert "Cet événement est annulé." in response.text


def test_check_in_confirms_and_the_past_event_counts_the_silent_as_absent(client_for, staff):
    start = timezone.now() - timedelta(hours=3)
    event = make_event(by=staff, start=start, hours=2, capacity=10)
    people = [UserFactory() for _ in range(4)]
    regs = [Registration.objects.create(event=event, user=p, email=p.email, name=p.public_name, status="confirmed") for p in people]
    Registration.objects.filter(pk=regs[1].pk).update(intention="excused", intention_message="Malade")
    Registration.objects.filter(pk=regs[2].pk).update(intention="absent")
    services.registration_check_in(actor=staff, registration=regs[0])
    with pytest.raises(ValidationError):  # too late to announce anything
        services.registration_intention_set(actor=people[3], registration=regs[3], intention="excused")
    listing = client_for(staff).get(reverse("events:registrations", args=[event.slug])).text
    assert "1 présent·es, 1 excusé·es, 2 absent·es, 0 sans réponse" in listing


def test_attendance_in_export_and_rgpd(client_for, staff, member):
    event = make_event(by=staff, capacity=5)
    reg = services.registration_create(actor=member, event=event, answers={})
    services.registration_intention_set(actor=member, registration=reg, intention="excused", message="En congé")
    csv = client_for(staff).get(reverse("events:export_csv", args=[event.slug])).content.decode()
    assert "Présence annoncée" in csv and "Excusé·e" in csv and "En congé" in csv
    assert export_events(member)["inscriptions"][0]["message_d_excuse"] == "En congé"
    erase_events(member)
    assert Registration.objects.get(pk=reg.pk).intention_message == ""


@pytest.mark.parametrize("n", [10, 100])
def test_registrations_page_with_attendance_costs_fixed_queries(client_for, staff, n, django_assert_max_num_queries):
    event = make_event(by=staff, capacity=200)
    for i in range(n):
        p = UserFactory()
        Registration.objects.create(
            event=event, user=p, email=p.email, name=p.public_name, status="confirmed", intention=["present", "excused", "absent"][i % 3]
        )
    c = client_for(staff)
    with django_assert_max_num_queries(16):
        response = c.get(reverse("events:registrations", args=[event.slug]))
    assert response.status_code == 200
