"""Every write of follow-up actions, plus the periodic reminders.

Other apps call ``action_create`` with an ``Origin`` they resolved for the actor (see
``origins.py``); owners are told through the community notification service, whose outbox
writes the e-mail in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User, is_approved_member
from community.notifications import notification_send

from .access import ensure_can_change, viewer_audiences
from .models import OPEN_STATUSES, Action, ActionEntry, ActionReminder, ActionStatus
from .origins import Origin

REMIND_DAYS_BEFORE = 3
CHASE_EVERY_DAYS = 7


def _clean_owners(*, origin: Origin, owners) -> list[User]:
    owners = list({u.pk: u for u in owners if u is not None}.values())
    if not owners:
        raise ValidationError({"owners": _("Une action a besoin d'au moins un·e responsable.")})
    if any(not is_approved_member(u) for u in owners):
        raise ValidationError({"owners": _("Les responsables doivent être des membres du réseau.")})
    if origin.candidates is not None:
        allowed = set(origin.candidates.filter(pk__in=[u.pk for u in owners]).values_list("pk", flat=True))
        refused = [u.public_name for u in owners if u.pk not in allowed]
        if refused:
            raise ValidationError(
                {"owners": _("Ne peut pas être responsable ici (pas accès à l'origine) : %(names)s.") % {"names": ", ".join(refused)}}
            )
    return owners


def _clean_fields(*, description: str, due_date: date | None, check_past: bool = True) -> str:
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = _("Décrivez l'action à mener.")
    if due_date is None:
        errors["due_date"] = _("Indiquez une échéance.")
    elif check_past and due_date < timezone.localdate():
        errors["due_date"] = _("L'échéance ne peut pas être dans le passé.")
    if errors:
        raise ValidationError(errors)
    return description


def _notify_assigned(*, action: Action, owners, actor) -> None:
    for owner in owners:
        if owner.pk == getattr(actor, "pk", None):
            continue
        notification_send(
            recipient=owner,
            kind="actions.assigned",
            verb=_("Action confiée : %(description)s (échéance le %(due)s)")
            % {"description": action.description[:120], "due": action.due_date.strftime("%d/%m/%Y")},
            actor=actor,
            url=action.get_absolute_url(),
            description=_("Origine : %(origin)s") % {"origin": action.origin_title},
        )


def action_create(*, actor, origin: Origin, description: str, owners, due_date: date | None) -> Action:
    """Create an action on ``origin`` (as resolved for ``actor``); owners are notified."""
    if origin is None or not origin.can_add:
        raise PermissionDenied
    description = _clean_fields(description=description, due_date=due_date)
    owners = _clean_owners(origin=origin, owners=owners)
    with transaction.atomic():
        action = Action.objects.create(
            description=description,
            due_date=due_date,
            created_by=actor,
            origin_kind=origin.kind,
            origin_id=origin.id,
            origin_title=origin.title[:255],
            origin_url=origin.url[:500],
            audience=origin.audience[:60],
            container=origin.container[:60],
            container_title=origin.container_title[:255],
        )
        action.owners.set(owners)
        ActionEntry.objects.create(action=action, author=actor, kind=ActionEntry.Kind.CREATED, status=action.status)
        _notify_assigned(action=action, owners=owners, actor=actor)
    return action


def action_update(*, actor, action: Action, origin: Origin, description: str, owners, due_date: date | None) -> Action:
    """Change the description, owners or due date; new owners are notified."""
    ensure_can_change(user=actor, action=action)
    description = _clean_fields(description=description, due_date=due_date, check_past=due_date != action.due_date)
    owners = _clean_owners(origin=origin, owners=owners)
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        before = set(locked.owners.values_list("pk", flat=True))
        changes = []
        if description != locked.description:
            changes.append(_("description modifiée"))
        if due_date != locked.due_date:
            changes.append(
                _("échéance : %(old)s → %(new)s") % {"old": locked.due_date.strftime("%d/%m/%Y"), "new": due_date.strftime("%d/%m/%Y")}
            )
        added = [u for u in owners if u.pk not in before]
        removed = before - {u.pk for u in owners}
        if added or removed:
            changes.append(_("responsables : %(names)s") % {"names": ", ".join(u.public_name for u in owners)})
        if not changes:
            return locked
        locked.description, locked.due_date = description, due_date
        locked.save(update_fields=["description", "due_date", "updated_at"])
        locked.owners.set(owners)
        if due_date != action.due_date:
            ActionReminder.objects.filter(action=locked).delete()  # a new date: remind again
        ActionEntry.objects.create(action=locked, author=actor, kind=ActionEntry.Kind.UPDATED, body="; ".join(changes))
        _notify_assigned(action=locked, owners=added, actor=actor)
    return locked


def action_set_status(*, actor, action: Action, status: str, comment: str = "") -> Action:
    """Move an action to ``status``; owners other than the actor are told."""
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Statut inconnu.")})
    ensure_can_change(user=actor, action=action)
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.status == status:
            return locked
        locked.status = status
        locked.closed_at = None if status in OPEN_STATUSES else timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        ActionEntry.objects.create(action=locked, author=actor, kind=ActionEntry.Kind.STATUS, status=status, body=(comment or "").strip())
        for owner in locked.owners.all():
            if owner.pk != actor.pk:
                notification_send(
                    recipient=owner,
                    kind="actions.update",
                    verb=_("Action « %(description)s » : %(status)s")
                    % {"description": locked.description[:80], "status": locked.get_status_display()},
                    actor=actor,
                    url=locked.get_absolute_url(),
                )
    return locked


def action_comment(*, actor, action: Action, body: str) -> ActionEntry:
    """A comment by anyone who sees the action; owners are told."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Le commentaire est vide.")})
    if action.audience not in viewer_audiences(actor):
        raise PermissionDenied
    with transaction.atomic():
        entry = ActionEntry.objects.create(action=action, author=actor, kind=ActionEntry.Kind.COMMENT, body=body[:5000])
        for owner in action.owners.all():
            if owner.pk != actor.pk:
                notification_send(
                    recipient=owner,
                    kind="actions.update",
                    verb=_("Nouveau commentaire sur l'action « %(description)s »") % {"description": action.description[:80]},
                    actor=actor,
                    url=action.get_absolute_url(),
                )
    return entry


def action_set_audience(*, origin_kind: str, origin_id: int, audience: str) -> int:
    """Re-scope the actions of an origin whose visibility changed (called by the owning app)."""
    return Action.objects.filter(origin_kind=origin_kind, origin_id=origin_id).update(audience=audience[:60])


def actions_delete_for_origin(*, origin_kind: str, origin_id: int) -> int:
    """The origin is gone (called by the owning app): its actions go with it."""
    deleted, _details = Action.objects.filter(origin_kind=origin_kind, origin_id=origin_id).delete()
    return deleted


def _reminder_key(*, due: date, today: date) -> str | None:
    if due >= today:
        return "before" if (due - today).days <= REMIND_DAYS_BEFORE else None
    return f"overdue:{((today - due).days - 1) // CHASE_EVERY_DAYS}"


def reminders_send(*, today: date | None = None) -> int:
    """Remind owners of open actions: once in the days before the due date, then every week
    while overdue, until done or dropped. Idempotent: one ``ActionReminder`` row per owner and
    key, written in the transaction of the notification (and of its e-mail in the outbox)."""
    today = today or timezone.localdate()
    due_soon = Action.objects.filter(status__in=OPEN_STATUSES, due_date__lte=today + timedelta(days=REMIND_DAYS_BEFORE))
    sent = 0
    for action in due_soon.prefetch_related(Prefetch("owners", queryset=User.objects.filter(is_active=True))).iterator(chunk_size=200):
        key = _reminder_key(due=action.due_date, today=today)
        if key is None:
            continue
        for owner in action.owners.all():
            try:
                with transaction.atomic():
                    ActionReminder.objects.create(action=action, user=owner, key=key)
                    overdue = key != "before"
                    verb = (
                        _("Action en retard (échéance le %(due)s) : %(description)s")
                        if overdue
                        else _("Action à terminer d'ici le %(due)s : %(description)s")
                    ) % {"due": action.due_date.strftime("%d/%m/%Y"), "description": action.description[:120]}
                    notification_send(recipient=owner, kind="actions.reminder", verb=verb, url=action.get_absolute_url())
            except IntegrityError:  # already reminded (another worker, or an earlier run)
                continue
            sent += 1
    return sent
