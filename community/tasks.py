"""Background work of the community app (Django's tasks API): the notification digests.

Tasks take ids or frequencies, load rows and call services; they are safe to run twice.
"""

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from common.urls import absolute_url

from .models import DigestItem
from .outbox import email_enqueue


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
