"""Asking the hub for help on a call (relecture, mise en relation, lettre de soutien): members
ask from a consortium or a call; the hub staff are told (kind "funding.support_request", their
preference applies); staff assign, follow and answer; the requester is told."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import User, is_approved_member
from community.notifications import notification_send

from ..models import Consortium, FundingCall, SupportKind, SupportRequest, SupportStatus
from .consortia import is_active_member

MESSAGE_MIN = 10
MESSAGE_MAX = 3000


def support_request_create(*, call: FundingCall, actor, kind: str, message: str, consortium: Consortium | None = None) -> SupportRequest:
    """A member asks the hub for help; from a consortium, only its members may ask."""
    if not is_approved_member(actor):
        raise PermissionDenied
    if consortium is not None and (consortium.call_id != call.pk or not is_active_member(consortium=consortium, user=actor)):
        raise PermissionDenied
    if kind not in SupportKind.values:
        raise ValidationError({"kind": _("Choisissez le type d'aide.")})
    message = (message or "").strip()
    if len(message) < MESSAGE_MIN:
        raise ValidationError({"message": _("Décrivez votre demande en quelques mots (10 caractères au moins).")})
    with transaction.atomic():
        support = SupportRequest.objects.create(call=call, consortium=consortium, requester=actor, kind=kind, message=message[:MESSAGE_MAX])
        _notify_staff(support)
    return support


def _notify_staff(support: SupportRequest) -> None:
    """Tell every active hub staff member a request waits in the queue. Like the other staff
    notices (an event to approve), it names the subject, not the person: the requester's name
    and message stay behind the link, on the staff-only page."""
    verb = _("Demande d'aide au hub (%(k)s) sur « %(t)s »") % {"k": support.get_kind_display().lower(), "t": support.call.title}
    url = reverse("funding:support_detail", args=[support.pk])
    for staff in User.objects.filter(is_active=True, is_staff=True, erased_at__isnull=True).order_by("pk"):
        notification_send(recipient=staff, kind="funding.support_request", verb=verb, url=url)


def support_request_update(*, request: SupportRequest, actor, status: str, assignee=None, answer: str = "") -> SupportRequest:
    """Staff assign, move and answer a request; an answer (or a closing state) reaches the requester."""
    if not actor.is_hub_staff:
        raise PermissionDenied
    if status not in SupportStatus.values:
        raise ValidationError({"status": _("Statut inconnu.")})
    if assignee is not None and not assignee.is_hub_staff:
        raise ValidationError({"assignee": _("Une demande est suivie par un membre de l'équipe du hub.")})
    answer = (answer or "").strip()
    if status in (SupportStatus.DONE, SupportStatus.DECLINED) and not (answer or request.answer):
        raise ValidationError({"answer": _("Écrivez une réponse à la personne avant de clore sa demande.")})
    with transaction.atomic():
        tell = bool(answer and answer != request.answer) or (
            status != request.status and status in (SupportStatus.DONE, SupportStatus.DECLINED)
        )
        request.status, request.assignee = status, assignee
        if answer:
            request.answer, request.answered_at = answer, timezone.now()
        request.save()
        if tell:
            notification_send(
                recipient=request.requester,
                kind="funding.support",
                actor=actor,
                verb=_("L'équipe du hub a répondu à votre demande (%(k)s) : %(s)s")
                % {"k": request.get_kind_display().lower(), "s": request.get_status_display().lower()},
                url=reverse("funding:my_support_requests"),
                description=request.answer[:500],
            )
    return request
