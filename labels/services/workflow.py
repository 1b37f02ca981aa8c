"""What every label transition shares: the audit trail, the row lock and the conditional state
change, who to notify, and the permission checks. Used by the other service modules only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User
from community.notifications import notification_send

from ..access import is_place_manager
from ..models import Application, ApplicationState, AuditEntry

S = ApplicationState
DEFAULT_VALIDITY_YEARS = 3
MAX_REVIEWERS = 3
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
LABEL_BADGE_SLUG = "label-regional"
REMINDER_DAYS = (90, 30)


def audit(application: Application, *, actor, action: str, from_state: str = "", to_state: str = "", comment: str = "") -> AuditEntry:
    """One line of the application's audit trail (who, when, from, to, why)."""
    return AuditEntry.objects.create(
        application=application, actor=actor, action=action, from_state=from_state, to_state=to_state, comment=comment
    )


def lock(application: Application) -> Application:
    """Reload the application inside the transaction (row lock on PostgreSQL) so two concurrent
    transitions cannot both start from the same state."""
    return Application.objects.select_for_update().select_related("place", "referential").get(pk=application.pk)


def move(application: Application, *, to: str, actor, action: str, comment: str = "", allowed_from, **fields) -> Application:
    """Conditional update from one of ``allowed_from``: holds on SQLite too (no row locks there)."""
    from_state = application.state
    if from_state not in allowed_from:
        raise ValidationError(_("Cette action n'est pas possible dans l'état « %(state)s ».") % {"state": application.get_state_display()})
    now = timezone.now()
    updated = Application.objects.filter(pk=application.pk, state=from_state).update(state=to, state_changed_at=now, **fields)
    if not updated:
        raise ValidationError(_("La candidature vient de changer d'état : rechargez la page."))
    application.state = to
    application.state_changed_at = now
    for key, value in fields.items():
        setattr(application, key, value)
    audit(application, actor=actor, action=action, from_state=from_state, to_state=to, comment=comment)
    return application


def managers_of(application: Application) -> list[User]:
    """The place's active managers and the applicant: who hears about the application's progress."""
    people = {u.pk: u for u in application.place.managers.filter(is_active=True)}
    people.setdefault(application.applicant_id, application.applicant)
    return [u for u in people.values() if u.is_active]


def staff_members() -> list[User]:
    """Active hub staff (who instruct applications)."""
    return list(User.objects.filter(is_active=True, is_staff=True, erased_at__isnull=True))


def reviewers_of(application: Application) -> list[User]:
    """The reviewers assigned to the application."""
    return [r.reviewer for r in application.reviews.select_related("reviewer")]


def notify(users, *, kind: str, verb: str, application: Application, actor=None, description: str = "", exclude=None) -> None:
    """One notification per person (each once), about the application, except ``exclude``."""
    seen = set()
    for user in users:
        if user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        notification_send(
            recipient=user,
            kind=kind,
            verb=verb,
            actor=actor,
            target=application,
            url=application.get_absolute_url(),
            description=description,
        )


def require_staff(actor) -> None:
    """``PermissionDenied`` unless the actor is hub staff."""
    if not (actor.is_authenticated and actor.is_hub_staff):
        raise PermissionDenied(_("Réservé à l'équipe du hub."))


def require_manager(actor, application: Application) -> None:
    """``PermissionDenied`` unless the actor manages the place (or filed the application)."""
    if not is_place_manager(actor, application):
        raise PermissionDenied(_("Seuls les gestionnaires du lieu peuvent faire cela."))
