"""Demo follow-up actions: a few on the demo member's first group (after the groups demo)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from community.demo import MEMBER_EMAIL
from community.models import User

from .models import Action, ActionStatus
from .origins import origin_resolve
from .services import action_comment, action_create, action_set_status

DEMO = [
    ("Envoyer le compte rendu de la réunion aux membres du groupe", 3, ActionStatus.TODO),
    ("Réserver la salle de la médiathèque pour l'atelier de janvier", 10, ActionStatus.DOING),
    ("Relancer la mairie au sujet de la convention de prêt des tablettes", -4, ActionStatus.TODO),
    ("Partager la fiche pratique « Pass numérique » dans la ressourcerie", 20, ActionStatus.DONE),
]


def load_actions_demo(stdout=None) -> None:
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if member is None or Action.objects.exists():
        return
    group_id = member.group_memberships.filter(status="active").order_by("group_id").values_list("group_id", flat=True).first()
    origin = origin_resolve(viewer=member, kind="groups.group", origin_id=group_id) if group_id else None
    if origin is None:
        return
    others = list(origin.candidates.exclude(pk=member.pk).order_by("pk")[:3])
    today = timezone.localdate()
    with transaction.atomic():
        for i, (text, days, status) in enumerate(DEMO):
            owners = [member] + others[i % max(len(others), 1) :][:1]
            action = action_create(
                actor=member, origin=origin, description=text, owners=owners, due_date=today + timedelta(days=max(days, 1))
            )
            if days < 0:
                Action.objects.filter(pk=action.pk).update(due_date=today + timedelta(days=days))
            if status != ActionStatus.TODO:
                action_set_status(actor=member, action=action, status=status)
            if i == 0 and others:
                action_comment(actor=others[0], action=action, body="Je peux relire le brouillon avant l'envoi.")
    if stdout:
        stdout.write(f"  actions: {len(DEMO)} follow-up actions")
