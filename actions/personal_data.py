"""RGPD: what follow-up actions store about a member, and how it is erased."""

from .models import Action, ActionEntry, ActionReminder


def export_actions(user) -> dict:
    owned = Action.objects.filter(owners=user).order_by("due_date", "pk")
    return {
        "actions_confiees": [
            {
                "description": a.description,
                "echeance": a.due_date.isoformat(),
                "statut": a.get_status_display(),
                "origine": a.origin_title,
                "creee_le": a.created_at.isoformat(),
            }
            for a in owned
        ],
        "actions_creees": [
            {"description": a.description, "echeance": a.due_date.isoformat(), "origine": a.origin_title}
            for a in Action.objects.filter(created_by=user).order_by("pk")
        ],
        "commentaires": [
            {"date": e.created_at.isoformat(), "action": e.action.description[:120], "texte": e.body}
            for e in ActionEntry.objects.filter(author=user, kind=ActionEntry.Kind.COMMENT).select_related("action").order_by("pk")
        ],
    }


def erase_actions(user) -> None:
    """The member leaves the actions they owned (others keep the actions); their comments stay,
    signed "ancien membre" like forum posts (the author link is cleared)."""
    for action in Action.objects.filter(owners=user):
        action.owners.remove(user)
    ActionReminder.objects.filter(user=user).delete()
    Action.objects.filter(created_by=user).update(created_by=None)
    ActionEntry.objects.filter(author=user).update(author=None)
