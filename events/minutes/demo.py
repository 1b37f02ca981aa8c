"""Demo minutes: last week's meeting of the demo member's first group, the member as secretary,
in its amendment round with a proposal and a comment, and two actions decided."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from actions.origins import origin_resolve
from actions.services import action_create
from community.demo import MEMBER_EMAIL, STAFF_EMAIL
from community.models import User
from groups.models import MembershipStatus

from ..models import Audience, EventState, Minutes
from ..services import event_create, registration_add, registration_check_in
from .selectors import ORIGIN_KIND, minutes_template
from .services import amendment_create, minutes_round_open, minutes_save
from .text import replace_section

DECISIONS = "- Les ateliers tablettes reprennent le **14 janvier** à la médiathèque.\n- Le plan de formation 2027 est adopté."


def load_minutes_demo(stdout=None) -> None:
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if member is None or Minutes.objects.exists():
        return
    membership = member.group_memberships.filter(status=MembershipStatus.ACTIVE).select_related("group").order_by("group_id").first()
    if membership is None:
        return
    group = membership.group
    organiser = User.objects.filter(email=STAFF_EMAIL).first()  # the hub team runs the meeting; the member is secretary
    if organiser is None:
        return
    others = list(User.objects.filter(group_memberships__group=group, group_memberships__status="active").exclude(pk=member.pk)[:5])
    start = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=6), time(14, 0)))
    with transaction.atomic():
        event = event_create(
            actor=organiser,
            title=f"Réunion mensuelle — {group.name}",
            start=start,
            end=start + timedelta(hours=2),
            state=EventState.PUBLISHED,
            audience=Audience.GROUP,
            audience_group=group,
            organiser_group=group,
            type="rencontre",
        )
        for i, user in enumerate([member, *others]):
            reg = registration_add(actor=organiser, event=event, member=user, answers=None)
            if i != 2:
                registration_check_in(registration=reg, actor=organiser)
        body = replace_section(minutes_template(viewer=organiser, event=event), "Décisions", DECISIONS)
        body = replace_section(
            body, "Ordre du jour", "1. Bilan des ateliers de l'automne\n2. Plan de formation 2027\n3. Questions diverses"
        )
        minutes = minutes_save(actor=organiser, event=event, body=body, secretary=member, set_secretary=True)
        minutes = minutes_round_open(actor=member, minutes=minutes, deadline=timezone.now() + timedelta(days=4))
        if others:
            amendment_create(
                actor=others[0],
                minutes=minutes,
                kind="replace",
                section="Décisions",
                body=DECISIONS.replace("à la médiathèque", "à la médiathèque (salle 2)"),
            )
            amendment_create(actor=others[-1], minutes=minutes, kind="comment", body="Merci pour ce compte rendu très complet !")
        origin = origin_resolve(viewer=member, kind=ORIGIN_KIND, origin_id=minutes.pk)
        due = timezone.localdate()
        action_create(
            actor=member,
            origin=origin,
            description="Réserver la salle 2 pour le 14 janvier",
            owners=[member],
            due_date=due + timedelta(days=9),
        )
        if others:
            action_create(
                actor=member,
                origin=origin,
                description="Diffuser le plan de formation aux structures",
                owners=others[:1],
                due_date=due + timedelta(days=20),
            )
    if stdout:
        stdout.write("  events: 1 meeting with minutes in review")
