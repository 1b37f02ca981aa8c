"""Issue 13 item 1: events by members and group admins, the staff approval queue, organisers who
manage their own events and nothing else."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from community.models import Activity
from events import services
from events.models import AgendaSettings, Event, EventState
from events.personal_data import export_events
from groups.models import AccessMode
from tests.events.factories import make_event
from tests.factories import UserFactory
from tests.groups.factories import make_group

pytestmark = pytest.mark.django_db


def _form(**over):
    start = (timezone.localtime() + timedelta(days=10)).replace(hour=14, minute=0, second=0, microsecond=0)
    data = {
        "title": "Atelier proposé",
        "summary": "Un atelier",
        "type": "atelier",
        "format": "onsite",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "audience": "members",
        "state": "published",
        "max_guests": 0,
        "reminders": "48",
        "signup_enabled": "on",
    }
    data.update(over)
    return data


def _notified(user, text):
    return Notification.objects.filter(recipient=user, verb__contains=text).exists()


def test_group_admin_creates_a_group_event_from_the_group_page_published_at_once(client_for, member, other_member):
    group = make_group(owner=UserFactory(), admins=[member], members=[other_member], access=AccessMode.SECRET)
    c = client_for(member)
    page = c.get(reverse("groups:group_panels", args=[group.slug])).text  # the group page's sections of other apps
    assert f"{reverse('events:event_create')}?groupe={group.slug}" in page
    form_page = c.get(reverse("events:event_create"), {"groupe": group.slug})
    assert form_page.status_code == 200 and group.name in form_page.text
    data = _form(organiser_group=group.pk, audience="group", audience_group=group.pk)
    response = c.post(f"{reverse('events:event_create')}?groupe={group.slug}", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    event = Event.objects.get(title="Atelier proposé")
    assert event.state == EventState.PUBLISHED and event.created_by == member
    assert Activity.objects.get(object_ref=f"events.event:{event.pk}").audience == f"group-members:{group.pk}"
    # a plain member of the group may not, until the group allows it
    assert client_for(other_member).get(reverse("events:event_create"), {"groupe": group.slug}).status_code == 403
    with pytest.raises(PermissionDenied):
        make_event(by=other_member, organiser_group=group, audience="group", audience_group=group)
    assert c.post(reverse("events:group_agenda_settings", args=[group.slug]), {"members_create_events": "on"}).status_code == 302
    assert make_event(by=other_member, organiser_group=group, audience="group", audience_group=group).state == EventState.PUBLISHED
    assert client_for(other_member).get(reverse("events:group_agenda_settings", args=[group.slug])).status_code == 403


def test_member_proposes_to_the_hub_agenda_staff_ask_changes_then_approve(client_for, staff, member, other_member):
    c = client_for(member)
    response = c.post(reverse("events:event_create"), _form())
    event = Event.objects.get(title="Atelier proposé")
    assert response.status_code == 302 and event.state == EventState.PENDING
    assert _notified(staff, "Événement à valider")
    assert not Activity.objects.filter(object_ref=f"events.event:{event.pk}").exists()
    assert client_for(other_member).get(event.get_absolute_url()).status_code == 404
    assert "En attente de validation" in c.get(event.get_absolute_url()).text
    queue = client_for(staff).get(reverse("events:review_queue")).text
    assert "Atelier proposé" in queue

    # asking for changes needs a reason: a French error, nothing changes
    sc = client_for(staff)
    response = sc.post(reverse("events:event_review", args=[event.slug]), {"decision": "changes", "reason": " "}, follow=True)
    assert "Expliquez à la personne" in response.text
    assert Event.objects.get(pk=event.pk).state == EventState.PENDING
    sc.post(reverse("events:event_review", args=[event.slug]), {"decision": "changes", "reason": "Précisez le lieu."})
    event.refresh_from_db()
    assert event.state == EventState.CHANGES and event.review_note == "Précisez le lieu."
    assert _notified(member, "Des modifications sont demandées")
    assert "Précisez le lieu." in c.get(event.get_absolute_url()).text

    # the organiser edits and submits again; the staff approve
    edit = c.post(reverse("events:event_edit", args=[event.slug]), _form(address="12 rue des Lilas"))
    assert edit.status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.PENDING and event.address == "12 rue des Lilas"
    sc.post(reverse("events:event_review", args=[event.slug]), {"decision": "approve"})
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED
    assert _notified(member, "est publié")
    assert Activity.objects.get(object_ref=f"events.event:{event.pk}").actor == member
    assert client_for(other_member).get(event.get_absolute_url()).status_code == 200
    # a second decision on the same event is refused in French
    with pytest.raises(ValidationError):
        services.event_review(actor=staff, event=event, decision="decline", reason="Trop tard")


def test_decline_with_a_reason_and_members_cannot_review(staff, member):
    event = make_event(by=member)
    assert event.state == EventState.PENDING
    with pytest.raises(PermissionDenied):
        services.event_review(actor=member, event=event, decision="approve")
    services.event_review(actor=staff, event=event, decision="decline", reason="Hors du champ du réseau.")
    assert Event.objects.get(pk=event.pk).state == EventState.DECLINED
    assert _notified(member, "n'est pas retenu")


def test_hub_setting_decides_what_waits_for_approval(staff, member):
    group = make_group(owner=member)
    assert make_event(by=member, organiser_group=group).state == EventState.PUBLISHED
    services.agenda_settings_update(actor=staff, group_events_need_approval=True, hub_events_need_approval=False)
    assert make_event(by=member, organiser_group=group).state == EventState.PENDING
    assert make_event(by=member).state == EventState.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.agenda_settings_update(actor=member, group_events_need_approval=False, hub_events_need_approval=False)
    assert AgendaSettings.current().group_events_need_approval


def test_organiser_manages_their_own_event_and_nothing_else(client_for, staff, member, other_member):
    services.agenda_settings_update(actor=staff, group_events_need_approval=False, hub_events_need_approval=False)
    mine = make_event(by=member, capacity=3)
    theirs = make_event(by=staff)
    services.registration_create(actor=other_member, event=mine, answers={})
    c = client_for(member)
    for name in ("registrations", "questions", "event_edit", "export_csv", "export_xlsx"):
        assert c.get(reverse(f"events:{name}", args=[mine.slug])).status_code == 200, name
        assert c.get(reverse(f"events:{name}", args=[theirs.slug])).status_code == 403, name
    reg = mine.registrations.get()
    c.post(reverse("events:registration_action", args=[mine.slug, reg.pk, "pointer"]))
    reg.refresh_from_db()
    assert reg.attended_at is not None
    assert c.get(reverse("events:review_queue")).status_code == 403
    # a member cannot publish past the queue by choosing a state the form does not offer
    with pytest.raises(PermissionDenied):
        make_event(by=member, state=EventState.PENDING)


@pytest.mark.parametrize("n", [10, 100])
def test_review_queue_costs_a_fixed_number_of_queries(client_for, staff, n, django_assert_max_num_queries):
    proposers = [UserFactory() for _ in range(5)]
    for i in range(n):
        make_event(by=proposers[i % 5], title=f"Proposition {i}")
    c = client_for(staff)
    with django_assert_max_num_queries(14):
        response = c.get(reverse("events:review_queue"))
    assert response.text.count('class="card review-item"') == n


def test_rgpd_export_lists_the_events_a_member_organised(staff, member):
    event = make_event(by=member, title="Mon café numérique")
    services.event_review(actor=staff, event=event, decision="changes", reason="Ajoutez l'adresse.")
    organised = export_events(member)["evenements_organises"]
    assert organised == [
        {"titre": "Mon café numérique", "date": event.start.isoformat(), "etat": "changes", "message_equipe": "Ajoutez l'adresse."}
    ]
