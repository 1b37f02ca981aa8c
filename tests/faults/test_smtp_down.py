"""SMTP down: e-mails stay in the outbox with their attempt count and next retry time, however
long the outage lasts; when a server answers again the sweep delivers each of them exactly once,
even with two sweeps running at the same time.

Mail goes over real SMTP: ``EMAIL_URL`` points at a closed port, then at a local aiosmtpd sink.
"""

import smtplib
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from community.models import OutboundEmail
from community.notifications import notification_send, preferences_update
from community.outbox import GIVE_UP_AFTER, MAX_ATTEMPTS, RETRY_CAP, outbound_email_deliver, outbox_sweep
from hub.settings.base import mailers_from_url
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…): fault tests run against real servers",
    ),
]


def _make_due():
    OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def _concurrently(fn, n):
    results, errors = [], []
    barrier = threading.Barrier(n)

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(fn())
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return results


def test_smtp_outage_queues_emails_then_delivers_each_exactly_once(settings, smtp_sink):
    settings.MAILERS = mailers_from_url(f"smtp://127.0.0.1:{smtp_sink.port}")  # nothing listens there yet
    members = [UserFactory() for _ in range(3)]
    for member in members:
        preferences_update(actor=member, choices={"system": "instant"})
        # Commits, then the delivery task runs at once (immediate backend) and meets a closed port.
        notification_send(recipient=member, kind="system", verb=f"Message pour {member.email}")

    emails = list(OutboundEmail.objects.order_by("pk"))
    assert [e.to_email for e in emails] == [m.email for m in members]
    for email in emails:
        assert email.status == OutboundEmail.Status.PENDING and email.attempts == 1
        assert email.last_error and email.next_attempt_at > timezone.now()  # kept, with a retry time

    assert outbox_sweep() == 0  # not due yet: the back-off is respected
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}

    # A long outage: more failed attempts than MAX_ATTEMPTS, each when due. Nothing is given up.
    for _ in range(MAX_ATTEMPTS + 2):
        _make_due()
        assert outbox_sweep() == 0
    for email in OutboundEmail.objects.all():
        assert email.status == OutboundEmail.Status.PENDING and email.attempts == MAX_ATTEMPTS + 3
        assert email.next_attempt_at <= timezone.now() + RETRY_CAP  # back-off capped, retried hourly
    assert smtp_sink.messages == []

    smtp_sink.start()
    _make_due()
    sent = _concurrently(outbox_sweep, 2)  # two workers sweeping at once
    assert sum(sent) == 3
    assert outbox_sweep() == 0

    ids = sorted(m["Message-ID"] for m in smtp_sink.messages)
    assert ids == sorted(f"<outbox-{e.pk}@maillage>" for e in emails)  # each e-mail exactly once
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(m.email for m in members)
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}


def test_refused_messages_give_up_after_max_attempts_and_outages_after_days(settings):
    member = UserFactory()
    preferences_update(actor=member, choices={"system": "instant"})
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError("smtp down")):
        notification_send(recipient=member, kind="system", verb="Refusé")
    email = OutboundEmail.objects.get()
    refused = smtplib.SMTPRecipientsRefused({member.email: (550, b"no such user")})
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=refused):
        for _ in range(MAX_ATTEMPTS - 1):
            _make_due()
            outbound_email_deliver(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED and email.attempts == MAX_ATTEMPTS

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError("smtp down")):
        notification_send(recipient=member, kind="system", verb="Trop vieux")
    old = OutboundEmail.objects.exclude(pk=email.pk).get()
    OutboundEmail.objects.filter(pk=old.pk).update(created_at=timezone.now() - GIVE_UP_AFTER - timedelta(minutes=1))
    _make_due()
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError("smtp down")):
        outbound_email_deliver(old.pk)
    old.refresh_from_db()
    assert old.status == OutboundEmail.Status.FAILED
