"""RGPD for date polls: what a member organised and answered; erasure keeps the tally."""

from ..models import DateAnswer, DatePoll, DatePollInvitee


def export_datepolls(user) -> dict:
    return {
        "sondages_organises": [
            {"titre": p.title, "cree_le": p.created_at.isoformat(), "creneaux": [s.label for s in p.slots.all()]}
            for p in DatePoll.objects.filter(organiser=user).prefetch_related("slots")
        ],
        "reponses": [
            {"sondage": a.poll.title, "choix": {v.slot.label: v.get_choice_display() for v in a.votes.all()}}
            for a in DateAnswer.objects.filter(user=user).select_related("poll").prefetch_related("votes__slot")
        ],
    }


def erase_datepolls(user) -> None:
    """Answers stay in the tally, unsigned; invitations go; polls stay without organiser."""
    DateAnswer.objects.filter(user=user).update(name="")
    DatePollInvitee.objects.filter(user=user).delete()
    DatePoll.objects.filter(organiser=user).update(organiser=None)
