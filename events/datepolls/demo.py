"""Demo date poll: the demo member's first group looks for a date; a few members answered."""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from community.demo import MEMBER_EMAIL
from community.models import User
from groups.models import MembershipStatus

from ..models import DatePoll, PollInvitees
from .services import datepoll_answer, datepoll_create


def load_datepolls_demo(stdout=None) -> None:
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if member is None or DatePoll.objects.exists():
        return
    membership = member.group_memberships.filter(status=MembershipStatus.ACTIVE).select_related("group").order_by("group_id").first()
    if membership is None:
        return
    group = membership.group
    day = timezone.localdate() + timedelta(days=12)
    slots = []
    for offset, hour in ((0, 10), (0, 14), (2, 9), (3, 17)):
        start = timezone.make_aware(datetime.combine(day + timedelta(days=offset), time(hour, 0)))
        slots.append((start, start + timedelta(hours=2)))
    rng = random.Random(13)  # noqa: S311 - deterministic demo data
    with transaction.atomic():
        poll = datepoll_create(
            actor=member,
            title="Réunion mensuelle du groupe : quelle date en janvier ?",
            description="Ordre du jour : bilan des ateliers, **plan de formation** 2027, questions diverses.",
            location="Médiathèque de Besançon, salle 2 — ou en visio",
            slots=slots,
            invitees_kind=PollInvitees.GROUP,
            group=group,
        )
        poll_slots = list(poll.slots.all())
        for user in [i.user for i in poll.invitees.select_related("user")[:7]]:
            datepoll_answer(actor=user, poll=poll, choices={s.pk: rng.choice(["yes", "yes", "maybe", "no"]) for s in poll_slots})
    if stdout:
        stdout.write("  events: 1 date poll with answers")
