"""Background work of the community app (Django's tasks API).

Tasks take ids, load rows and call services; they are safe to run twice.
"""

import base64
import logging
import smtplib
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DigestItem, OutboundEmail
from .notifications import absolute_url, email_enqueue

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


def digest_compose(*, frequency: str) -> int:
    """Gather each member's waiting notifications of ``frequency`` into one e-mail.

    Items are attached to the e-mail in the same transaction that writes it: a crash leaves
    either nothing done or the whole digest in the outbox, never an item in two digests.
    """
    user_ids = list(DigestItem.objects.filter(frequency=frequency, email__isnull=True).values_list("user_id", flat=True).distinct())
    written = 0
    for user_id in user_ids:
        with transaction.atomic():
            items = list(
                DigestItem.objects.select_for_update()
                .filter(user_id=user_id, frequency=frequency, email__isnull=True)
                .select_related("notification", "user")
                .order_by("notification__timestamp")
            )
            if not items:
                continue
            user = items[0].user
            entries = [
                {
                    "verb": item.notification.verb,
                    "description": item.notification.description or "",
                    "url": absolute_url((item.notification.data or {}).get("url") or "/notifications/"),
                    "timestamp": item.notification.timestamp,
                }
                for item in items
            ]
            label = _("quotidien") if frequency == "daily" else _("hebdomadaire")
            email = email_enqueue(
                to_email=user.email,
                recipient=user,
                subject=_("Votre résumé %(label)s : %(count)s nouveautés") % {"label": label, "count": len(items)},
                template="emails/digest",
                context={"entries": entries, "user": user, "frequency": frequency},
                kind=f"digest_{frequency}",
                dedupe_key=f"digest:{frequency}:{user_id}:{items[-1].pk}",
            )
            if email is None:
                continue
            updated = DigestItem.objects.filter(pk__in=[i.pk for i in items], email__isnull=True).update(email=email)
            if updated != len(items):  # somebody else took some: undo this digest
                transaction.set_rollback(True)
                continue
            written += 1
    return written


@task
def digest_daily_task() -> int:
    return digest_compose(frequency="daily")


@task
def digest_weekly_task() -> int:
    return digest_compose(frequency="weekly")
