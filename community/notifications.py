"""Notification delivery: the one service every app calls to tell a member something.

``notification_send`` writes the in-app notification and, according to the member's preference
for that kind, an e-mail row in the outbox or a digest item, all in the caller's transaction.
After commit it refreshes the member's live counter and hands e-mails to a task.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _
from notifications.models import Notification

from common.live import broadcast
from common.registry import registry
from common.urls import absolute_url

from .models import Delivery, DigestItem, NotificationPreference, User
from .outbox import email_enqueue
from .push import push_enqueue

logger = logging.getLogger(__name__)


def counter_group(user_id: int) -> str:
    """The channel-layer group of one member's open tabs (their own, nobody else joins it)."""
    return f"notifications_{user_id}"


def delivery_for(*, user: User, kind: str) -> tuple[str, bool]:
    """How ``user`` wants ``kind`` delivered, and whether also by push: their choice, else the
    kind's default (push on: it only reaches the devices they subscribed), else in-app."""
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list("delivery", "push").first()
    if pref:
        return pref[0], pref[1]
    known = registry.notification_kinds.get(kind)
    return (known.default_delivery if known else Delivery.IN_APP), True


def unread_count(user: User) -> int:
    """How many of the user's own notifications are unread."""
    return Notification.objects.filter(recipient=user, unread=True).count()


def broadcast_unread_count(user_id: int) -> None:
    """Push the fresh unread count to every open tab of the member (any web process)."""
    count = Notification.objects.filter(recipient_id=user_id, unread=True).count()
    broadcast(counter_group(user_id), {"type": "notifications.count", "count": count})


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
    delivery, push = delivery_for(user=recipient, kind=kind)
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
        if push:
            push_enqueue(user_id=recipient.pk, notification_id=notification.pk)
    transaction.on_commit(lambda: broadcast_unread_count(recipient.pk))
    return notification


def notification_mark_read(*, actor: User, notification_id: int) -> bool:
    """Mark one of the actor's notifications read, with the rest of its thread (same kind, same object)."""
    notification = Notification.objects.filter(recipient=actor, pk=notification_id).first()
    if notification is None:
        return False
    thread = Notification.objects.filter(recipient=actor, unread=True)
    if notification.target_content_type_id and notification.target_object_id:
        thread = thread.filter(
            target_content_type_id=notification.target_content_type_id,
            target_object_id=notification.target_object_id,
            data__kind=(notification.data or {}).get("kind"),
        )
    else:
        thread = thread.filter(pk=notification.pk)
    updated = thread.update(unread=False)
    if updated:
        transaction.on_commit(lambda: broadcast_unread_count(actor.pk))
    return bool(updated)


def notification_mark_all_read(*, actor: User) -> int:
    """Mark every notification of the actor read; returns how many were unread."""
    updated = Notification.objects.filter(recipient=actor, unread=True).update(unread=False)
    transaction.on_commit(lambda: broadcast_unread_count(actor.pk))
    return updated


def preferences_for(user: User) -> list[tuple[str, str, str, bool]]:
    """(kind, label, delivery, push) for every registered kind."""
    saved = {
        kind: (delivery, push)
        for kind, delivery, push in NotificationPreference.objects.filter(user=user).values_list("kind", "delivery", "push")
    }
    return [(k.key, str(k.label), *saved.get(k.key, (k.default_delivery, True))) for k in registry.notification_kinds.values()]


def preferences_update(*, actor: User, choices: dict[str, str], push: dict[str, bool] | None = None) -> None:
    """Save the actor's delivery choice (and, when given, push on/off) per registered kind; an
    unknown kind or delivery is refused."""
    valid = set(Delivery.values)
    push = push or {}
    with transaction.atomic():
        for kind in set(choices) | set(push):
            delivery = choices.get(kind)
            if kind not in registry.notification_kinds or (delivery is not None and delivery not in valid):
                raise ValueError(_("Préférence inconnue."))
            defaults = {"delivery": delivery} if delivery is not None else {}
            if kind in push:
                defaults["push"] = bool(push[kind])
            known = registry.notification_kinds[kind]
            NotificationPreference.objects.update_or_create(
                user=actor, kind=kind, defaults=defaults, create_defaults={"delivery": known.default_delivery, **defaults}
            )
