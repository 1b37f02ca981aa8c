from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from notifications.models import Notification

from community.models import DigestItem, NotificationPreference, OutboundEmail
from community.notifications import notification_mark_all_read, notification_mark_read, notification_send, unread_count
from community.outbox import outbound_email_deliver, outbox_sweep
from community.tasks import digest_compose

pytestmark = pytest.mark.django_db


def _pref(user, delivery, kind="system"):
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def test_instant_delivery_creates_notification_and_one_email(member, django_capture_on_commit_callbacks):
    _pref(member, "instant")
    with django_capture_on_commit_callbacks(execute=True):
        n = notification_send(recipient=member, kind="system", verb="Atelier demain", url="/agenda/", description="Salle B")
    assert n is not None and n.unread and n.data == {"kind": "system", "url": "/agenda/"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Atelier demain" and "Salle B" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert "http://" in message.body and "/agenda/" in message.body


def test_in_app_only_sends_no_email(member, django_capture_on_commit_callbacks):
    _pref(member, "in_app")
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient=member, kind="system", verb="Info")
    assert unread_count(member) == 1 and mail.outbox == []


def test_off_records_nothing(member):
    _pref(member, "off")
    assert notification_send(recipient=member, kind="system", verb="Rien") is None
    assert not Notification.objects.filter(recipient=member).exists()


def test_default_delivery_comes_from_kind_registry(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipient=member, kind="system", verb="Par défaut")  # "system" defaults to instant
        notification_send(recipient=member, kind="unknown-kind", verb="Inconnu")  # unknown kinds stay in-app
    assert len(mail.outbox) == 1


def test_failure_in_caller_transaction_leaves_nothing(member):
    from django.db import transaction

    _pref(member, "instant")
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(recipient=member, kind="system", verb="Annulé")
        raise RuntimeError
    assert not Notification.objects.exists() and not OutboundEmail.objects.exists()


def test_mark_read_one_and_all(member, other_member):
    a = notification_send(recipient=member, kind="x", verb="a")
    notification_send(recipient=member, kind="x", verb="b")
    theirs = notification_send(recipient=other_member, kind="x", verb="c")
    assert notification_mark_read(actor=member, notification_id=theirs.pk) is False  # not mine
    assert notification_mark_read(actor=member, notification_id=a.pk) is True
    assert unread_count(member) == 1
    assert notification_mark_all_read(actor=member) == 1
    assert unread_count(member) == 0 and unread_count(other_member) == 1


def test_outbox_row_is_sent_once_even_if_delivered_twice(member):
    _pref(member, "instant")
    notification_send(recipient=member, kind="system", verb="Une fois")  # on_commit not run: still pending
    email = OutboundEmail.objects.get()
    assert email.status == "pending"
    assert outbound_email_deliver(email.pk) is True
    assert outbound_email_deliver(email.pk) is False
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == "sent" and email.sent_at is not None


def test_smtp_failure_keeps_email_for_retry(member):
    _pref(member, "instant")
    notification_send(recipient=member, kind="system", verb="Plus tard")
    email = OutboundEmail.objects.get()
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError("smtp down")):
        assert outbound_email_deliver(email.pk) is False
    email.refresh_from_db()
    assert email.status == "pending" and email.attempts == 1 and "smtp down" in email.last_error
    assert email.next_attempt_at > timezone.now()
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert outbox_sweep() == 1
    assert len(mail.outbox) == 1


def test_stale_sending_row_is_retried_by_sweep(member):
    _pref(member, "instant")
    notification_send(recipient=member, kind="system", verb="Crash")
    OutboundEmail.objects.update(status="sending", claimed_at=timezone.now() - timedelta(hours=1))
    assert outbox_sweep() == 1
    assert OutboundEmail.objects.get().status == "sent"


def test_daily_digest_gathers_each_item_exactly_once(member, other_member):
    _pref(member, "daily")
    _pref(other_member, "weekly")
    for i in range(3):
        notification_send(recipient=member, kind="system", verb=f"Nouvelle {i}")
    notification_send(recipient=other_member, kind="system", verb="Hebdo")
    assert DigestItem.objects.filter(email__isnull=True).count() == 4
    assert digest_compose(frequency="daily") == 1
    assert digest_compose(frequency="daily") == 0  # nothing twice
    email = OutboundEmail.objects.get(kind="digest_daily")
    assert email.recipient == member
    for i in range(3):
        assert f"Nouvelle {i}" in email.body_text
    assert "Hebdo" not in email.body_text
    notification_send(recipient=member, kind="system", verb="Le lendemain")
    assert digest_compose(frequency="daily") == 1
    second = OutboundEmail.objects.filter(kind="digest_daily").latest("pk")
    assert "Le lendemain" in second.body_text and "Nouvelle 0" not in second.body_text


def test_digest_crash_before_commit_loses_nothing(member):
    _pref(member, "daily")
    notification_send(recipient=member, kind="system", verb="Important")
    with mock.patch("community.tasks.email_enqueue", side_effect=RuntimeError("worker killed")), pytest.raises(RuntimeError):
        digest_compose(frequency="daily")
    assert DigestItem.objects.filter(email__isnull=True).count() == 1
    assert digest_compose(frequency="daily") == 1
    assert DigestItem.objects.filter(email__isnull=True).count() == 0


def test_inactive_recipient_gets_nothing(member):
    member.is_active = False
    member.save()
    assert notification_send(recipient=member, kind="system", verb="x") is None
