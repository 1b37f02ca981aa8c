"""Announcing a consortium that looks for partners to the members it may concern, once.

Concerned members are approved, active members outside the consortium whose funding watch
matches the consortium's call (the watch's own criteria and territory, as its alerts would) or
who declare a skill of the référentiel that fits the call — one of the call's themes, or named in
"partenaires recherchés" — while working inside the call's perimeter. Each is told through the
"funding.partner" notification kind, so their preference (off, in app, e-mail, digest) applies.

The consortium row is its own outbox: ``partners_announced_at`` stays empty while a visible
consortium looking for partners waits to be announced; the periodic job claims it with a
conditional update in the same transaction as the notifications, so a retry, a second worker or
a later "we look for partners again" never announces it twice. ``ConsortiumAnnouncement`` keeps
who was told and why (unique per member).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import normalize
from community.models import MemberStatus, ProfileSkill, Skill, User
from community.notifications import notification_send

from ..filters import CallIndex
from ..matching import skill_themes
from ..models import (
    ApplicationStatus,
    Consortium,
    ConsortiumAnnouncement,
    ConsortiumMember,
    ConsortiumMemberStatus,
    ConsortiumVisibility,
    FundingCall,
    Scope,
    WatchFrequency,
    text_to_codes,
)
from .alerts import MATCH_FIELDS, watches_due


def _covers(call: FundingCall, department_id, region_id) -> bool:
    """Whether a member of this department/region works inside the call's perimeter."""
    if call.scope == Scope.DEPARTMENT and call.department_id:
        return department_id == call.department_id
    if call.scope == Scope.REGION and call.region_id:
        return region_id == call.region_id
    if call.scope == Scope.COMMUNE and call.commune_id:
        return department_id is not None and department_id == call.commune.department_id
    return True


def partner_announcement_recipients(*, consortium: Consortium) -> dict[int, str]:
    """Members to tell about this consortium's partner search: ``{user_id: reason}``.

    A fixed number of queries whatever the number of members or watches (the call, the
    consortium's members, the watches, the référentiel, the holders of the fitting skills)."""
    call = FundingCall.objects.select_related("commune").only(*MATCH_FIELDS, "commune__department_id").get(pk=consortium.call_id)
    taken = set(
        ConsortiumMember.objects.filter(
            consortium=consortium,
            status__in=[ConsortiumMemberStatus.ACTIVE, ConsortiumMemberStatus.INVITED, ConsortiumMemberStatus.REQUESTED],
        ).values_list("user_id", flat=True)
    )
    if consortium.created_by_id:
        taken.add(consortium.created_by_id)
    reasons: dict[int, str] = {}

    index = CallIndex([call])
    frequencies = [WatchFrequency.INSTANT, WatchFrequency.DAILY, WatchFrequency.WEEKLY]
    for row in watches_due(frequencies=frequencies, upper=timezone.now() + timedelta(days=36500)):
        if row.user_id not in taken and row.user_id not in reasons and call.pk in index.match(row.filters):
            reasons[row.user_id] = _("l'appel correspond à votre alerte de veille")

    call_themes = set(text_to_codes(call.themes))
    wanted = f" {normalize(consortium.partners_wanted)} "
    fitting = {
        skill.pk: skill.name
        for skill in Skill.objects.filter(in_referential=True).only("id", "name", "aliases")
        if (call_themes and skill_themes(skill) & call_themes) or any(f" {key} " in wanted for key in skill.alias_keys)
    }
    if fitting:
        holders = (
            ProfileSkill.objects.filter(
                skill_id__in=fitting,
                profile__status=MemberStatus.APPROVED,
                profile__user__is_active=True,
                profile__user__erased_at__isnull=True,
            )
            .order_by("profile__user_id", "skill__name")
            .values_list("profile__user_id", "skill_id", "profile__department_id", "profile__department__region_id")
        )
        for user_id, skill_id, department_id, region_id in holders:
            if user_id in taken or user_id in reasons or not _covers(call, department_id, region_id):
                continue
            reasons[user_id] = _("compétence : %(skill)s") % {"skill": fitting[skill_id]}
    return reasons


def consortium_partners_announce(*, consortium: Consortium) -> int:
    """Announce a visible consortium looking for partners to the members it concerns, once
    (claimed by a conditional update); returns how many members were told."""
    if (
        consortium.visibility != ConsortiumVisibility.MEMBERS
        or not consortium.looking_for_partners
        or consortium.status != ApplicationStatus.PREPARING
    ):
        return 0
    with transaction.atomic():
        claimed = Consortium.objects.filter(pk=consortium.pk, partners_announced_at__isnull=True).update(
            partners_announced_at=timezone.now()
        )
        if not claimed:
            return 0
        reasons = partner_announcement_recipients(consortium=consortium)
        done = set(ConsortiumAnnouncement.objects.filter(consortium=consortium).values_list("user_id", flat=True))
        rows = [
            ConsortiumAnnouncement(consortium=consortium, user_id=uid, reason=why[:200]) for uid, why in reasons.items() if uid not in done
        ]
        ConsortiumAnnouncement.objects.bulk_create(rows, ignore_conflicts=True)
        users = User.objects.in_bulk([r.user_id for r in rows])
        verb = _("« %(name)s » cherche des partenaires pour « %(call)s »") % {
            "name": consortium.name[:80],
            "call": consortium.call.title[:100],
        }
        for row in rows:
            notification_send(
                recipient=users[row.user_id],
                kind="funding.partner",
                actor=consortium.created_by,
                verb=verb,
                url=consortium.get_absolute_url(),
                description=_("Pourquoi vous : %(reason)s.") % {"reason": row.reason},
            )
    return len(rows)


def consortia_partners_announce() -> int:
    """The periodic job: announce every visible consortium waiting to be announced; returns how
    many consortia were announced."""
    pending = Consortium.objects.filter(
        Q(partners_announced_at__isnull=True),
        visibility=ConsortiumVisibility.MEMBERS,
        looking_for_partners=True,
        status=ApplicationStatus.PREPARING,
    ).select_related("call", "created_by")
    announced = 0
    for consortium in pending.order_by("pk"):
        consortium_partners_announce(consortium=consortium)
        announced += 1
    return announced
