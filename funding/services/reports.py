"""Calls reported by members: they enter the staff review queue as drafts; staff publish them,
merge them into the call they duplicate, or decline them with a reason. The reporter is
credited on the call and told of the decision.

A report that repeats a call members can already see is refused with a French message naming
that call (nothing is saved); one that looks like a draft still in the queue (an imported call,
another member's report) is saved and flagged ``duplicate_of`` for staff to merge.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import is_approved_member

from ..models import CallState, FundingCall
from .calls import _apply, _require_staff, _validate, call_find_duplicate, notify_reporter

VISIBLE_TO_MEMBERS = (CallState.PUBLISHED, CallState.CLOSED, CallState.ARCHIVED)


def call_report(*, actor, data: dict) -> FundingCall:
    """Save a member's report as a draft in the review queue (``reported_by`` = the member)."""
    if not is_approved_member(actor):
        raise PermissionDenied
    deadline = data.get("deadline")
    if deadline and not data.get("is_permanent") and deadline < timezone.localdate():
        raise ValidationError({"deadline": _("Cette date limite est déjà passée : l'appel n'est plus ouvert.")})
    if not (data.get("official_url") or "").strip():
        raise ValidationError({"official_url": _("Indiquez le lien vers la page de l'appel.")})
    duplicate = call_find_duplicate(data=data)
    if duplicate is not None and duplicate.state == CallState.MERGED and duplicate.duplicate_of_id:
        duplicate = duplicate.duplicate_of
    if duplicate is not None:
        if duplicate.state in VISIBLE_TO_MEMBERS:
            raise ValidationError(
                _("Cet appel est déjà sur Maillage : « %(title)s » (%(url)s).")
                % {"title": duplicate.title, "url": duplicate.get_absolute_url()}
            )
        if duplicate.reported_by_id == actor.pk and duplicate.state == CallState.DRAFT:
            raise ValidationError(_("Vous avez déjà signalé cet appel : l'équipe du hub le relit."))
    call = FundingCall(reported_by=actor, state=CallState.DRAFT)
    _apply(call, data)
    if duplicate is not None and duplicate.state == CallState.DRAFT:
        call.duplicate_of = duplicate
    _validate(call)
    call.save()
    return call


def call_merge(*, call: FundingCall, into: FundingCall, actor) -> FundingCall:
    """Staff fold a reported draft into the call it duplicates; the reporter is thanked and sent
    to that call. The draft stays (state "merged") so the report keeps its history."""
    _require_staff(actor)
    if call.pk == into.pk or call.state != CallState.DRAFT or into.state == CallState.MERGED:
        raise ValidationError(_("Seul un appel à relire peut être fusionné, et avec un autre appel."))
    with transaction.atomic():
        updated = FundingCall.objects.filter(pk=call.pk, state=CallState.DRAFT).update(state=CallState.MERGED, duplicate_of=into)
        call.refresh_from_db()
        if updated:
            notify_reporter(
                call,
                actor=actor,
                verb=_("Merci ! L'appel que vous avez signalé était déjà connu : il rejoint « %(t)s »") % {"t": into.title[:120]},
                url=into.get_absolute_url(),
            )
    return call
