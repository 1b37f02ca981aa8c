"""Notification delivery: the one service every app calls to tell a member something.

``notification_send`` writes the in-app notification and, according to the member's preference
for that kind, an e-mail row in the outbox or a digest item, all in the caller's transaction.
After commit it refreshes the member's live counter and hands e-mails to a task.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from notifications.models import Notification

from common.registry import registry

from .models import Delivery, DigestItem, NotificationPreference, OutboundEmail, User

logger = logging.getLogger(__name__)


def counter_group(user_id: int) -> str:
    return f"notifications_{user_id}"


def delivery_for(*, user: User, kind: str) -> str:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    if pref:
        return pref
    known = registry.notification_kinds.get(kind)
    return known.default_delivery if known else Delivery.IN_APP


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, unread=True).count()


def broadcast_unread_count(user_id: int) -> None:
    """Push the fresh unread count to every open tab of the member (any web process)."""
    layer = get_channel_layer()
    if layer is None:
        return
    count = Notification.objects.filter(recipient_id=user_id, unread=True).count()
    try:
        async_to_sync(layer.group_send)(counter_group(user_id), {"type": "notifications.count", "count": count})
    except Exception:  # the counter is a convenience: a Redis outage must not break a write
        logger.warning("could not broadcast notification count", exc_info=True)


def absolute_url(path: str) -> str:
    if path.startswith("http://") or path.startswith("https://"):
        return path
    return settings.SITE_URL.rstrip("/") + path


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
    from .tasks import outbound_email_deliver_task

    try:
        outbound_email_deliver_task.enqueue(email_id)
    except Exception:  # the periodic sweep will pick it up
        logger.warning("could not enqueue e-mail %s", email_id, exc_info=True)


def notification_send(
    *,
    recipient: User,
    kind: str,
    verb: str,
    actor=None,
    target=None,
    url: str = "",
    description: str = "",
) -> Notification | None:
    """Tell ``recipient`` something, honouring their preference for ``kind``.

    Returns the in-app notification, or ``None`` when the member turned this kind off (or the
    account is inactive).
    """
    if not recipient.is_active or recipient.erased_at:
        return None
    delivery = delivery_for(user=recipient, kind=kind)
    if delivery == Delivery.OFF:
        return None
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=recipient,
            actor=actor or recipient,
            verb=verb[:255],
            description=description,
            target=target,
            data={"kind": kind, "url": url},
        )
        if delivery == Delivery.INSTANT:
            email_enqueue(
                to_email=recipient.email,
                recipient=recipient,
                subject=verb,
                template="emails/notification",
                context={"notification": notification, "url": absolute_url(url) if url else "", "description": description, "verb": verb},
                kind=kind,
                dedupe_key=f"notification:{notification.pk}",
            )
            Notification.objects.filter(pk=notification.pk).update(emailed=True)
        elif delivery in (Delivery.DAILY, Delivery.WEEKLY):
            DigestItem.objects.create(user=recipient, notification=notification, frequency=delivery)
    transaction.on_commit(lambda: broadcast_unread_count(recipient.pk))
    return notification


def notification_mark_read(*, user: User, notification_id: int) -> bool:
    updated = Notification.objects.filter(recipient=user, pk=notification_id, unread=True).update(unread=False)
    if updated:
        transaction.on_commit(lambda: broadcast_unread_count(user.pk))
    return bool(updated)


def notification_mark_all_read(*, user: User) -> int:
    updated = Notification.objects.filter(recipient=user, unread=True).update(unread=False)
    transaction.on_commit(lambda: broadcast_unread_count(user.pk))
    return updated


def preferences_for(user: User) -> list[tuple[str, str, str]]:
    """(kind, label, delivery) for every registered kind."""
    saved = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(k.key, str(k.label), saved.get(k.key, k.default_delivery)) for k in registry.notification_kinds.values()]


def preferences_update(*, user: User, choices: dict[str, str]) -> None:
    valid = set(Delivery.values)
    with transaction.atomic():
        for kind, delivery in choices.items():
            if kind not in registry.notification_kinds or delivery not in valid:
                raise ValueError(_("Préférence inconnue."))
            NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
