"""Registration rules, waiting list, offers, reminders, changes, sessions — through the services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community.models import OutboundEmail
from events import services
from events.models import Breakout, Event, ProposalStatus, Registration, RegistrationStatus
from events.personal_data import erase_events, export_events
from events.services import registrations
from groups.models import AccessMode, Group, Membership
from tests.events.factories import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_confirmation_email_carries_the_ics(event, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reg = services.registration_create(event=event, actor=member, answers={})
    assert reg.status == RegistrationStatus.CONFIRMED
    sent = [m for m in mail.outbox if member.email in m.to]
    assert len(sent) == 1
    names = [a[0] if isinstance(a, tuple) else a.filename for a in sent[0].attachments]
    assert names == ["evenement.ics"]
    content = sent[0].attachments[0][1] if isinstance(sent[0].attachments[0], tuple) else sent[0].attachments[0].content
    assert b"BEGIN:VEVENT" in (content if isinstance(content, bytes) else content.encode())


def test_full_event_waitlists_and_cancellation_promotes_first_in_line(event):
    users = [UserFactory() for _ in range(7)]
    regs = [services.registration_create(event=event, actor=u, answers={}) for u in users]
    assert [r.status for r in regs] == ["confirmed"] * 5 + ["waitlisted"] * 2
    services.registration_cancel(registration=regs[0], actor=users[0])
    regs[5].refresh_from_db()
    regs[6].refresh_from_db()
    assert regs[5].status == RegistrationStatus.CONFIRMED
    assert regs[6].status == RegistrationStatus.WAITLISTED
    assert Event.objects.get(pk=event.pk).seats_taken == 5


def test_failure_half_way_leaves_no_half_made_registration(event, member, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("crash after the registration row")

    monkeypatch.setattr(registrations, "registration_announce", boom)
    with pytest.raises(RuntimeError):
        services.registration_create(event=event, actor=member, answers={})
    assert not Registration.objects.filter(event=event).exists()
    assert Event.objects.get(pk=event.pk).seats_taken == 0
    assert not OutboundEmail.objects.exists()


def test_guests_take_seats_and_are_limited(staff, member):
    event = make_event(by=staff, capacity=3, max_guests=2)
    reg = services.registration_create(event=event, actor=member, answers={}, guests=["Ana", "Bo"])
    assert reg.seats == 3 and Event.objects.get(pk=event.pk).is_full
    with pytest.raises(ValidationError):
        services.registration_create(event=event, actor=UserFactory(), answers={}, guests=["a", "b", "c"])


def test_twice_is_refused(event, member):
    services.registration_create(event=event, actor=member, answers={})
    with pytest.raises(ValidationError):
        services.registration_create(event=event, actor=member, answers={})


def test_signup_window_and_state(staff, member):
    closed = make_event(by=staff, signup_closes_at=timezone.now() - timedelta(hours=1))
    draft = make_event(by=staff, state="draft")
    for event in (closed, draft):
        with pytest.raises(ValidationError):
            services.registration_create(event=event, actor=member, answers={})


def test_group_audience_only_for_active_members(staff, member, other_member):
    group = Group.objects.create(name="Médiateurs du Jura", access=AccessMode.SECRET)
    Membership.objects.create(group=group, user=member)
    event = make_event(by=staff, audience="group", audience_group=group, organiser_group=group)
    assert services.registration_create(event=event, actor=member, answers={}).status == "confirmed"
    with pytest.raises(PermissionDenied):
        services.registration_create(event=event, actor=other_member, answers={})


def test_visitor_registers_by_email_and_confirms(public_event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reg = services.registration_create(actor=None, event=public_event, email="Visiteur@Exemple.fr", name="Vi Siteur", answers={})
    assert reg.status == RegistrationStatus.PENDING and reg.email == "visiteur@exemple.fr"
    assert Event.objects.get(pk=public_event.pk).seats_taken == 0
    assert reg.token in mail.outbox[-1].body
    reg = services.registration_confirm_email(token=reg.token)
    assert reg.status == RegistrationStatus.CONFIRMED
    assert Event.objects.get(pk=public_event.pk).seats_taken == 1


def test_visitor_cannot_register_to_members_event(event):
    with pytest.raises(PermissionDenied):
        services.registration_create(actor=None, event=event, email="x@exemple.fr", name="X", answers={})


def test_offer_with_deadline_then_expiry_passes_seat_to_next(staff):
    event = make_event(by=staff, capacity=1, confirm_within_hours=12)
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    ra = services.registration_create(event=event, actor=a, answers={})
    rb = services.registration_create(event=event, actor=b, answers={})
    rc = services.registration_create(event=event, actor=c, answers={})
    services.registration_cancel(registration=ra, actor=a)
    rb.refresh_from_db()
    assert rb.status == RegistrationStatus.OFFERED and rb.offer_expires_at
    assert services.offers_expire(now=timezone.now() + timedelta(hours=13)) == 1
    rb.refresh_from_db()
    rc.refresh_from_db()
    assert rb.status == RegistrationStatus.CANCELLED
    assert rc.status == RegistrationStatus.OFFERED
    services.registration_offer_accept(registration=rc, actor=c)
    rc.refresh_from_db()
    assert rc.status == RegistrationStatus.CONFIRMED
    assert Event.objects.get(pk=event.pk).seats_taken == 1


def test_raising_capacity_promotes_and_lowering_below_taken_is_refused(event, staff):
    regs = [services.registration_create(event=event, actor=UserFactory(), answers={}) for _ in range(6)]
    services.event_update(event=event, actor=staff, capacity=6)
    regs[5].refresh_from_db()
    assert regs[5].status == RegistrationStatus.CONFIRMED
    with pytest.raises(ValidationError):
        services.event_update(event=event, actor=staff, capacity=2)


def test_staff_confirm_move_and_check_in(staff):
    series = services.series_create(
        actor=staff,
        interval_weeks=2,
        count=3,
        signup_scope="occurrence",
        title="Café réseau",
        type="cafe",
        format="online",
        start=timezone.now() + timedelta(days=3),
        end=timezone.now() + timedelta(days=3, hours=1),
        state="published",
        capacity=1,
    )
    first, second, _third = series.occurrences.order_by("start")
    a, b = UserFactory(), UserFactory()
    services.registration_create(event=first, actor=a, answers={})
    rb = services.registration_create(event=first, actor=b, answers={})
    with pytest.raises(ValidationError):
        services.registration_staff_confirm(registration=rb, actor=staff)
    moved = services.registration_move(registration=rb, to_event=second, actor=staff)
    assert moved.event == second and moved.status == RegistrationStatus.CONFIRMED
    checked = services.registration_check_in_by_code(event=second, code=moved.code.lower(), actor=staff)
    assert checked.attended_at is not None
    with pytest.raises(PermissionDenied):
        services.registration_check_in(registration=moved, actor=a)


def test_series_keeps_paris_wall_clock_time_across_dst(staff):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    start = datetime(2030, 3, 15, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))  # winter time; DST starts 31 March
    series = services.series_create(
        actor=staff,
        interval_weeks=2,
        count=3,
        signup_scope="series",
        title="Café",
        start=start,
        end=start + timedelta(hours=1),
        state="published",
    )
    hours = [timezone.localtime(e.start).hour for e in series.occurrences.order_by("start")]
    assert hours == [14, 14, 14]


def test_series_signup_registers_for_following_dates(staff, member):
    series = services.series_create(
        actor=staff,
        interval_weeks=2,
        count=3,
        signup_scope="series",
        title="Café",
        type="cafe",
        start=timezone.now() + timedelta(days=2),
        end=timezone.now() + timedelta(days=2, hours=1),
        state="published",
    )
    first = series.occurrences.order_by("start").first()
    services.registration_create(event=first, actor=member, answers={}, series=True)
    assert Registration.objects.filter(user=member, status="confirmed").count() == 3


def test_reminders_sent_once_per_offset(event, member):
    services.registration_create(event=event, actor=member, answers={})
    Event.objects.filter(pk=event.pk).update(start=timezone.now() + timedelta(hours=30), end=timezone.now() + timedelta(hours=32))
    assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    assert services.reminders_send(now=timezone.now() + timedelta(hours=29)) == 1
    assert services.reminders_send(now=timezone.now() + timedelta(hours=29)) == 0


def test_change_and_cancellation_notify_participants(event, member, staff):
    from notifications.models import Notification

    services.registration_create(event=event, actor=member, answers={})
    services.event_update(event=event, actor=staff, address="1 rue du Test, Dijon")
    services.event_cancel(event=event, actor=staff)
    verbs = list(Notification.objects.filter(recipient=member).values_list("verb", flat=True))
    assert any("Changement" in v for v in verbs) and any("annulé" in v for v in verbs)
    assert Event.objects.get(pk=event.pk).sequence == 2


def test_custom_form_answers_are_validated_and_stored(event, member):
    q1 = services.question_save(actor=event.created_by, event=event, label="Votre structure", kind="short", required=True)
    q2 = services.question_save(actor=event.created_by, event=event, label="Ateliers", kind="multi", choices="Pix\nAidants Connect")
    q3 = services.question_save(actor=event.created_by, event=event, label="J'accepte la photo", kind="consent", required=False)
    with pytest.raises(ValidationError):
        services.registration_create(event=event, actor=member, answers={})
    reg = services.registration_create(event=event, actor=member, answers={q1.field_name: "CCAS", q2.field_name: ["Pix"]})
    assert reg.answers == {str(q1.pk): "CCAS", str(q2.pk): ["Pix"], str(q3.pk): False}


def test_proposal_to_breakout_choice_notes_and_restitution(staff, member, other_member):
    event = make_event(by=staff, type="intelligence", accepts_proposals=True, capacity=10)
    services.registration_create(event=event, actor=member, answers={})
    services.registration_create(event=event, actor=other_member, answers={})
    proposal = services.proposal_create(event=event, actor=member, title="Un tiers-lieu rural", pitch="Nous voulons…")
    services.proposal_decide(proposal=proposal, actor=staff, accept=True, size_limit=1)
    breakout = Breakout.objects.get(proposal=proposal)
    assert proposal.status == ProposalStatus.ACCEPTED and breakout.host == member
    services.breakout_choose(breakout=breakout, actor=member)
    with pytest.raises(ValidationError):
        services.breakout_choose(breakout=breakout, actor=other_member)
    services.note_create(breakout=breakout, actor=other_member, body="Idée : mutualiser")
    with pytest.raises(PermissionDenied):
        services.restitution_publish(breakout=breakout, actor=other_member, text="x")
    services.restitution_publish(breakout=breakout, actor=member, text="Trois pistes retenues.")
    from notifications.models import Notification

    assert Notification.objects.filter(recipient=other_member, data__kind="events.restitution").exists()
    breakout.refresh_from_db()
    assert breakout.participant_count == 1


def test_outsider_cannot_join_session(staff, member):
    event = make_event(by=staff, type="intelligence", accepts_proposals=True)
    breakout = services.breakout_create(event=event, actor=staff, title="Libre")
    with pytest.raises(PermissionDenied):
        services.breakout_choose(breakout=breakout, actor=member)
    with pytest.raises(PermissionDenied):
        services.note_create(breakout=breakout, actor=member, body="hello")


def test_rgpd_export_and_erase(event, member):
    q = services.question_save(actor=event.created_by, event=event, label="Structure", kind="short")
    services.registration_create(event=event, actor=member, answers={q.field_name: "CCAS de Dole"})
    data = export_events(member)
    assert data["inscriptions"][0]["reponses"] == {"Structure": "CCAS de Dole"}
    erase_events(member)
    reg = Registration.objects.get(event=event)
    assert reg.user is None and reg.answers == {} and member.email not in reg.email
    assert reg.status == RegistrationStatus.CANCELLED
