"""Orientation (issue 14 item 3): the fiche d'orientation, its answers, who may read it, the
personal-data purge, the counts for the observatory, nothing in public exports."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from community.models import OutboundEmail
from content.observatory import chart_referrals_month
from ops import scheduler
from orientation import selectors
from orientation.models import Referral
from orientation.services import referral_answer, referral_create, referral_personal_data_purge
from places import opendata
from tests.factories import UserFactory
from tests.places.factories import make_place

pytestmark = pytest.mark.django_db

NEED = "Aide aux démarches administratives"
PERSON = {"person_name": "Mme Zéphyrine", "person_contact": "06 12 34 56 78", "note": "Dossier ANTS bloqué"}


def _data(**overrides):
    return {"need": NEED, "urgency": "soon", "contact_channel": "phone", "consent": True, **PERSON, **overrides}


@pytest.fixture
def team():
    manager, colleague = UserFactory(), UserFactory()
    place = make_place(manager)
    place.managers.add(colleague)
    return place, manager, colleague


def test_consent_is_required_and_nothing_is_saved(member, team):
    place, _manager, _colleague = team
    with pytest.raises(ValidationError) as exc:
        referral_create(actor=member, place=place, data=_data(consent=False))
    assert "consent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        referral_create(actor=member, place=place, data=_data(person_contact=""))
    assert "person_contact" in exc.value.message_dict
    assert not Referral.objects.exists()
    assert referral_create(actor=member, place=place, data=_data(person_contact="", contact_channel="visit")).consent_at


def test_named_recipient_must_work_at_the_place(member, other_member, team):
    place, manager, _colleague = team
    with pytest.raises(ValidationError):
        referral_create(actor=member, place=place, recipient=other_member, data=_data())
    referral = referral_create(actor=member, place=place, recipient=manager, data=_data())
    assert referral.recipient == manager


def test_receivers_are_notified_with_a_link_and_no_personal_data(member, team, django_capture_on_commit_callbacks):
    place, manager, colleague = team
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_create(actor=member, place=place, data=_data())
    notes = Notification.objects.filter(data__kind="orientation.received")
    assert sorted(n.recipient_id for n in notes) == sorted([manager.pk, colleague.pk])
    assert all(n.data["url"] == referral.get_absolute_url() for n in notes)
    emails = OutboundEmail.objects.filter(kind="orientation.received")
    assert emails.count() == 2
    for email in emails:
        for value in PERSON.values():
            assert value not in email.subject + email.body_text + email.body_html
        assert referral.get_absolute_url() in email.body_text
    # named recipient: only them
    Notification.objects.all().delete()
    referral_create(actor=member, place=place, recipient=colleague, data=_data())
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [colleague.pk]


def test_receiver_accepts_then_marks_handled_and_the_sender_sees_it(member, team):
    place, manager, _colleague = team
    referral = referral_create(actor=member, place=place, data=_data())
    with pytest.raises(PermissionDenied):
        referral_answer(actor=member, referral=referral, action="accept")
    referral_answer(actor=manager, referral=referral, action="accept", note="Nous l'appelons demain")
    assert referral.status == Referral.Status.ACCEPTED and referral.answered_by == manager
    sender_notes = Notification.objects.filter(recipient=member, data__kind="orientation.answered")
    assert sender_notes.count() == 1 and "Acceptée" in sender_notes.get().verb
    referral_answer(actor=manager, referral=referral, action="handled")
    assert referral.status == Referral.Status.HANDLED
    with pytest.raises(ValidationError):
        referral_answer(actor=manager, referral=referral, action="accept")


def test_redirect_needs_another_published_place(member, team):
    place, manager, _colleague = team
    other = make_place(nom="Autre lieu")
    referral = referral_create(actor=member, place=place, data=_data())
    with pytest.raises(ValidationError):
        referral_answer(actor=manager, referral=referral, action="redirect")
    referral_answer(actor=manager, referral=referral, action="redirect", redirected_to=other)
    assert referral.status == Referral.Status.REDIRECTED and referral.redirected_to == other


def test_only_sender_receiver_and_managers_read_it(client_for, member, other_member, staff, team):
    place, manager, colleague = team
    named = referral_create(actor=member, place=place, recipient=manager, data=_data())
    url = named.get_absolute_url()
    for user in (member, manager, colleague):
        response = client_for(user).get(url)
        assert response.status_code == 200 and "Mme Zéphyrine" in response.content.decode()
    for user in (other_member, staff):
        assert client_for(user).get(url).status_code == 404
    assert client_for(other_member).get("/orientation/999999/").status_code == 404
    answer = reverse("orientation:referral_answer", args=[named.pk])
    assert client_for(other_member).post(answer, {"action": "accept"}).status_code == 404
    assert client_for(member).post(answer, {"action": "accept"}).status_code == 403
    assert client_for(manager).post(answer, {"action": "accept"}).status_code == 302
    named.refresh_from_db()
    assert named.status == Referral.Status.ACCEPTED


def test_form_from_the_place_page(client_for, member, team):
    place, manager, _colleague = team
    client = client_for(member)
    page = client.get(place.get_absolute_url()).content.decode()
    create = reverse("orientation:referral_create", args=[place.pk])
    assert create in page
    response = client.post(create, {**_data(consent=""), "recipient": manager.pk})
    assert response.status_code == 200 and "accord" in response.content.decode()
    assert not Referral.objects.exists()
    response = client.post(create, {**_data(), "recipient": manager.pk})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    assert referral.recipient == manager and referral.person_name == "Mme Zéphyrine"


def test_personal_data_is_purged_after_the_retention_period(member, team, settings):
    place, manager, _colleague = team
    old = referral_create(actor=member, place=place, data=_data())
    recent = referral_create(actor=member, place=place, data=_data())
    referral_answer(actor=manager, referral=old, action="accept", note="Rappeler Mme Zéphyrine")
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    assert referral_personal_data_purge() == 1
    assert referral_personal_data_purge() == 0  # idempotent
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.person_name, old.person_contact, old.note, old.answer_note) == ("", "", "", "")
    assert old.personal_data_erased_at is not None and old.need == NEED and old.status == Referral.Status.ACCEPTED
    assert recent.person_name == "Mme Zéphyrine"
    settings.ORIENTATION_RETENTION_DAYS = 0
    assert referral_personal_data_purge(now=timezone.now() + timedelta(seconds=1)) == 1
    assert "orientation.purge" in scheduler.JOBS


def test_counts_per_place_and_month_hold_no_personal_data(member, team):
    place, _manager, _colleague = team
    for _ in range(3):
        referral_create(actor=member, place=place, data=_data())
    rows = selectors.referral_counts_by_month()
    assert len(rows) == 1 and rows[0]["count"] == 3 and rows[0]["place_id"] == place.pk
    assert set(rows[0]) == {"place_id", "place__nom", "month", "count"}


def test_public_exports_never_carry_referrals(member, team, client):
    place, _manager, _colleague = team
    referral_create(actor=member, place=place, data=_data())
    for export in (opendata.export_csv(), opendata.export_json(), opendata.export_geojson()):
        assert "Zéphyrine" not in export and "ANTS" not in export
    assert "Zéphyrine" not in client.get(reverse("places:export_freshness")).content.decode("utf-8-sig")


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("orientation:referral_list")).status_code == 200
    return len(ctx.captured_queries)


def test_list_page_has_a_fixed_query_count(client_for, member, team):
    place, manager, _colleague = team
    for _ in range(3):
        referral_create(actor=member, place=place, recipient=manager, data=_data())
    small = (_list_queries(client_for(member)), _list_queries(client_for(manager)))
    for _ in range(30):
        referral_create(actor=member, place=place, recipient=manager, data=_data())
    assert (_list_queries(client_for(member)), _list_queries(client_for(manager))) == small


def test_observatory_chart_counts_referrals_per_month(member, team):
    place, _manager, _colleague = team
    referral_create(actor=member, place=place, data=_data())
    referral_create(actor=member, place=place, data=_data())
    chart = chart_referrals_month()
    assert [row[1:] for row in chart.rows] == [[2, 1]]
    assert "Zéphyrine" not in str(chart.rows)
