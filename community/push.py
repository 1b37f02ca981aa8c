"""Web Push: the fourth way to tell a member something, beside in-app, live and e-mail.

A member's browser or phone subscribes (``push_subscribe``) with the push service's endpoint and
its keys; ``notification_send`` then hands the notifications of the kinds the member kept "push"
for to ``push_deliver_task`` after commit. The task encrypts a small JSON payload (title, text,
address) with pywebpush, signs it with the hub's VAPID key and POSTs it through
``common.fetch.safe_session`` (public addresses only, no proxy). The push service's 404/410 means
the device is gone: its subscription is deleted. Other failures (5xx, 429, network) are retried by
the task system a few times, later, for the failed devices only. Without VAPID keys in the settings
nothing is sent and the settings page says push is not available.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from notifications.models import Notification
from pywebpush import WebPushException, webpush

from common.fetch import FetchError, address_refusal, check_url, safe_session
from common.markdown import plain_excerpt

from .models import PushSubscription, User

logger = logging.getLogger(__name__)

GONE_STATUSES = (404, 410)  # the push service forgot this device: delete the subscription
MAX_ATTEMPTS = 4
MAX_DEVICES = 20  # per member: a phone, a laptop, the office computer… not a thousand
TTL_SECONDS = 24 * 3600  # a phone switched off for a night still gets the message
TIMEOUT_SECONDS = 10
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home", ".intranet", ".corp")


def push_configured() -> bool:
    """True when the hub has VAPID keys, so that push can be offered and sent."""
    return bool(getattr(settings, "VAPID_PUBLIC_KEY", "") and getattr(settings, "VAPID_PRIVATE_KEY", ""))


def _b64url_bytes(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def endpoint_refusal(endpoint: str) -> str | None:
    """Why a push endpoint is refused (a French sentence), or ``None``: https only, a public
    host name (no address of the machine or of a private network)."""
    if not endpoint or len(endpoint) > 1000:
        return _("L’adresse du service de notification est vide ou trop longue.")
    try:
        check_url(endpoint, literal_addresses=True)
    except FetchError as exc:
        return _("Adresse du service de notification refusée : %(reason)s") % {"reason": exc}
    parts = urlsplit(endpoint)
    if parts.scheme.lower() != "https":
        return _("Adresse du service de notification refusée : seules les adresses https sont acceptées.")
    host = (parts.hostname or "").rstrip(".").lower()
    if "." not in host or host == "localhost" or host.endswith(LOCAL_SUFFIXES):
        return _("Adresse du service de notification refusée : « %(host)s » n’est pas un service public.") % {"host": host}
    try:
        reason = address_refusal(host.strip("[]"))
    except ValueError:  # a name: its DNS answer is checked when sending
        reason = None
    if reason:
        return _("Adresse du service de notification refusée : %(reason)s.") % {"reason": reason}
    return None


def _check_keys(p256dh: str, auth: str) -> None:
    try:
        key = _b64url_bytes(p256dh or "")
        secret = _b64url_bytes(auth or "")
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("Les clés de l’appareil sont illisibles.")) from exc
    if len(key) != 65 or key[0] != 4 or len(secret) != 16:
        raise ValidationError(_("Les clés de l’appareil sont illisibles."))


def push_subscribe(*, actor: User, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Register one device of the actor for push (an endpoint seen before moves to the actor:
    the browser is now theirs); a bad endpoint or bad keys is a ``ValidationError`` in French."""
    reason = endpoint_refusal(endpoint)
    if reason:
        raise ValidationError(reason)
    _check_keys(p256dh, auth)
    with transaction.atomic():
        subscription, created = PushSubscription.objects.update_or_create(
            endpoint=endpoint, defaults={"user": actor, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:200]}
        )
        if created and PushSubscription.objects.filter(user=actor).count() > MAX_DEVICES:
            oldest = PushSubscription.objects.filter(user=actor).order_by("created_at").values_list("pk", flat=True)[:1]
            PushSubscription.objects.filter(pk__in=list(oldest)).delete()
    return subscription


def push_unsubscribe(*, actor: User, endpoint: str = "", subscription_id: int | None = None) -> bool:
    """Forget one of the actor's own devices (by endpoint or id); False when it was not theirs."""
    mine = PushSubscription.objects.filter(user=actor)
    if subscription_id is not None:
        mine = mine.filter(pk=subscription_id)
    elif endpoint:
        mine = mine.filter(endpoint=endpoint)
    else:
        return False
    with transaction.atomic():
        deleted, _rows = mine.delete()
    return bool(deleted)


def push_enqueue(*, user_id: int, notification_id: int) -> None:
    """After commit, hand one notification to the push task (only when push is configured)."""
    if not push_configured():
        return

    def enqueue() -> None:
        try:
            push_deliver_task.enqueue(notification_id)
        except Exception:  # noqa: BLE001 - push is best effort; the notification is in-app anyway
            logger.warning("could not enqueue push for notification %s", notification_id, exc_info=True)

    transaction.on_commit(enqueue)


def push_payload(notification) -> str:
    """The JSON the service worker shows: title, text and the address to open."""
    data = notification.data or {}
    return json.dumps(
        {
            "title": plain_excerpt(notification.verb, 120),
            "body": plain_excerpt(notification.description, 180),
            "url": data.get("url") or "/mes-notifications/",
            "tag": f"{data.get('kind', '')}:{notification.target_content_type_id or ''}:{notification.target_object_id or ''}",
        },
        ensure_ascii=False,
    )


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def push_deliver(notification_id: int, subscription_ids: list[int] | None = None, attempt: int = 1) -> dict:
    """Send one notification to the recipient's devices; delete the gone ones, retry the others
    later. Returns counts: ``sent``, ``gone``, ``failed``."""
    counts = {"sent": 0, "gone": 0, "failed": 0}
    if not push_configured():
        return counts
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return counts
    subscriptions = PushSubscription.objects.filter(user_id=notification.recipient_id)
    if subscription_ids is not None:
        subscriptions = subscriptions.filter(pk__in=subscription_ids)
    payload = push_payload(notification)
    failed: list[int] = []
    session = safe_session()
    try:
        for subscription in subscriptions:
            try:
                webpush(
                    subscription_info={
                        "endpoint": subscription.endpoint,
                        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                    },
                    data=payload,
                    vapid_private_key=settings.VAPID_PRIVATE_KEY,
                    vapid_claims={"sub": settings.VAPID_SUBJECT},
                    ttl=TTL_SECONDS,
                    timeout=TIMEOUT_SECONDS,
                    requests_session=session,
                )
            except Exception as exc:  # noqa: BLE001 - one device failing must not stop the others
                if isinstance(exc, WebPushException) and _status(exc) in GONE_STATUSES:
                    PushSubscription.objects.filter(pk=subscription.pk).delete()
                    counts["gone"] += 1
                    continue
                logger.warning("push to subscription %s failed (attempt %s): %s", subscription.pk, attempt, exc)
                failed.append(subscription.pk)
                continue
            PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=timezone.now())
            counts["sent"] += 1
    finally:
        session.close()
    counts["failed"] = len(failed)
    if failed and attempt < MAX_ATTEMPTS:
        _retry_later(notification_id, failed, attempt + 1)
    return counts


def _retry_later(notification_id: int, subscription_ids: list[int], attempt: int) -> None:
    delay = timedelta(minutes=2**attempt)
    try:
        push_deliver_task.using(run_after=timezone.now() + delay).enqueue(notification_id, subscription_ids, attempt)
    except Exception:  # noqa: BLE001 - a backend without deferred tasks: give up on these devices
        logger.warning("could not schedule a push retry for notification %s", notification_id, exc_info=True)


@task
def push_deliver_task(notification_id: int, subscription_ids: list[int] | None = None, attempt: int = 1) -> dict:
    return push_deliver(notification_id, subscription_ids, attempt)
