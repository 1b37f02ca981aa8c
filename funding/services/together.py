"""Working together on a call: "ça m'intéresse" / "nous candidatons", partner searches, and
sharing a call in a group's forum."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.urls import absolute_url
from community.models import is_approved_member
from community.notifications import notification_send
from groups.access import can_post
from groups.services import topic_create

from ..models import CallInterest, FundingCall, InterestKind, PartnerSearch

MESSAGE_MIN = 10
MESSAGE_MAX = 5000


def interest_toggle(*, call: FundingCall, actor, kind: str) -> bool:
    """Mark or unmark "ça m'intéresse" / "nous candidatons"; returns True when now marked."""
    if not is_approved_member(actor):
        raise PermissionDenied
    if kind not in InterestKind.values:
        raise ValidationError(_("Choix inconnu."))
    with transaction.atomic():
        deleted, _detail = CallInterest.objects.filter(call=call, user=actor, kind=kind).delete()
        if deleted:
            return False
        CallInterest.objects.create(call=call, user=actor, kind=kind, organisation=getattr(actor.profile, "organisation", None))
    return True


def partner_search_create(*, call: FundingCall, actor, message: str) -> PartnerSearch:
    """Post a "cherche partenaires" and tell the members following the call."""
    if not is_approved_member(actor):
        raise PermissionDenied
    message = (message or "").strip()
    if len(message) < MESSAGE_MIN:
        raise ValidationError({"message": _("Décrivez en quelques mots le partenaire recherché (10 caractères au moins).")})
    with transaction.atomic():
        search = PartnerSearch.objects.create(
            call=call, author=actor, organisation=getattr(actor.profile, "organisation", None), message=message[:MESSAGE_MAX]
        )
        followers = CallInterest.objects.filter(call=call).exclude(user=actor).select_related("user").order_by("user_id")
        seen = set()
        for interest in followers:
            if interest.user_id in seen:
                continue
            seen.add(interest.user_id)
            notification_send(
                recipient=interest.user,
                kind="funding.partner",
                actor=actor,
                verb=_("%(name)s cherche des partenaires pour « %(call)s »") % {"name": actor.public_name, "call": call.title[:120]},
                url=call.get_absolute_url() + "#partenaires",
                description=message[:300],
            )
    return search


def partner_search_close(*, search: PartnerSearch, actor) -> None:
    """Its author or hub staff close a partner search."""
    if search.author_id != actor.pk and not actor.is_hub_staff:
        raise PermissionDenied
    PartnerSearch.objects.filter(pk=search.pk).update(is_open=False)


def call_share_to_group(*, call: FundingCall, group, actor, message: str = ""):
    """Open a forum topic linking the call in a group where the actor may post."""
    if not can_post(user=actor, group=group):
        raise PermissionDenied
    body = (message.strip() + "\n\n" if message.strip() else "") + f"[{call.title}]({absolute_url(call.get_absolute_url())})"
    if call.deadline:
        body += "\n\n" + _("Date limite : %(date)s") % {"date": date_format(call.deadline, "SHORT_DATE_FORMAT")}
    title = (_("Appel à financement : ") + call.title)[:200]
    return topic_create(group=group, actor=actor, title=title, body=body)
