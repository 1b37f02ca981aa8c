"""The e-mail outbox: every e-mail is a row written in the transaction that causes it, then
delivered by a task that claims it (or by the periodic sweep), so a crash or a retry neither
loses nor duplicates a message; SMTP outages are retried with back-off for days.
"""

import base64
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutboundEmail, User

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8  # for messages the server refused (5xx) or that could not be built
STALE_SENDING = timedelta(minutes=15)
RETRY_CAP = timedelta(hours=1)  # back-off 2, 4, 8… minutes, then hourly
GIVE_UP_AFTER = timedelta(days=3)  # SMTP unreachable that long needs a person, not more retries


def _refused(exc: BaseException) -> bool:
    """True when retrying cannot help: the server answered and refused (5xx), or the message
    itself is broken. Connection errors, timeouts and 4xx answers are transient."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return not isinstance(exc, OSError)  # smtplib's errors and socket errors are OSErrors


def _retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts, 10)), RETRY_CAP)


def _message_for(email: OutboundEmail) -> EmailMultiAlternatives:
    headers = {"Message-ID": f"<outbox-{email.pk}@maillage>", **(email.headers or {})}
    msg = EmailMultiAlternatives(subject=email.subject, body=email.body_text, to=[email.to_email], headers=headers)
    if email.body_html:
        msg.attach_alternative(email.body_html, "text/html")
    for att in email.attachments or []:
        content = base64.b64decode(att["content_b64"]) if "content_b64" in att else att.get("content", "")
        msg.attach(att["filename"], content, att.get("mimetype", "application/octet-stream"))
    return msg


def outbound_email_deliver(email_id: int) -> bool:
    """Send one outbox row if nobody else is; True when it left this time."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.PENDING) | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STALE_SENDING),
        pk=email_id,
        next_attempt_at__lte=now,
    ).update(status=OutboundEmail.Status.SENDING, claimed_at=now)
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        _message_for(email).send()
    except Exception as exc:  # SMTP down: keep the row, retry later with back-off
        # An outage (connection refused, timeout, 4xx) is retried for as long as GIVE_UP_AFTER,
        # however many attempts that takes: a night without SMTP must not drop the night's mail.
        attempts = email.attempts + 1
        give_up = attempts >= MAX_ATTEMPTS if _refused(exc) else now - email.created_at > GIVE_UP_AFTER
        OutboundEmail.objects.filter(pk=email_id).update(
            status=OutboundEmail.Status.FAILED if give_up else OutboundEmail.Status.PENDING,
            attempts=attempts,
            last_error=str(exc)[:2000],
            next_attempt_at=now + _retry_delay(attempts),
        )
        logger.warning("e-mail %s not sent (attempt %s%s): %s", email_id, attempts, ", given up" if give_up else "", exc)
        return False
    OutboundEmail.objects.filter(pk=email_id).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now(), attempts=email.attempts + 1)
    return True


@task
def outbound_email_deliver_task(email_id: int) -> bool:
    return outbound_email_deliver(email_id)


def outbox_sweep() -> int:
    """Deliver every row still due (after an SMTP outage, a crash or a lost enqueue)."""
    now = timezone.now()
    due = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STALE_SENDING)
    ).values_list("pk", flat=True)[:500]
    return sum(outbound_email_deliver(pk) for pk in list(due))


@task
def outbox_sweep_task() -> int:
    return outbox_sweep()


def email_enqueue(
    *,
    to_email: str,
    subject: str,
    template: str,
    context: dict,
    recipient: User | None = None,
    kind: str = "",
    dedupe_key: str | None = None,
    attachments: list[dict] | None = None,
    headers: dict | None = None,
) -> OutboundEmail | None:
    """Write an e-mail (text and HTML parts from ``<template>.txt`` / ``.html``) to the outbox.

    Runs in the caller's transaction; the e-mail leaves only after commit. With a
    ``dedupe_key`` already used, nothing new is written and ``None`` is returned.
    """
    ctx = {"HUB_NAME": settings.HUB_NAME, "SITE_URL": settings.SITE_URL, **context}
    body_text = render_to_string(f"{template}.txt", ctx)
    try:
        body_html = render_to_string(f"{template}.html", ctx)
    except Exception:  # noqa: BLE001 - an HTML part is optional
        body_html = ""
    if dedupe_key and OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    email = OutboundEmail.objects.create(
        recipient=recipient,
        to_email=to_email,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        kind=kind,
        dedupe_key=dedupe_key,
        attachments=attachments or [],
        headers=headers or {},
    )
    transaction.on_commit(lambda: _enqueue_delivery(email.pk))
    return email


def _enqueue_delivery(email_id: int) -> None:
    try:
        outbound_email_deliver_task.enqueue(email_id)
    except Exception:  # the periodic sweep will pick it up
        logger.warning("could not enqueue e-mail %s", email_id, exc_info=True)
