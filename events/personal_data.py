"""RGPD: what the agenda stores about a person, and how it is erased."""

from django.db.models import Q
from django.utils import timezone

from .models import BreakoutChoice, BreakoutNote, CalendarToken, Event, Proposal, Question, Registration, RegistrationStatus
from .services import breakout_leave, registration_cancel


def export_events(user) -> dict:
    regs = list(Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related("event"))
    labels = dict(Question.objects.filter(event__in={r.event_id for r in regs}).values_list("pk", "label"))
    return {
        "inscriptions": [
            {
                "evenement": r.event.title,
                "date": r.event.start.isoformat(),
                "statut": r.status,
                "inscrit_le": r.created_at.isoformat(),
                "accompagnants": r.guests,
                "reponses": {labels.get(int(k), k): v for k, v in (r.answers or {}).items()},
                "present": r.attended_at.isoformat() if r.attended_at else None,
                "presence_annoncee": r.intention,
                "message_d_excuse": r.intention_message,
            }
            for r in regs
        ],
        "propositions": [
            {"evenement": p.event.title, "titre": p.title, "presentation": p.pitch, "attentes": p.wants, "statut": p.status}
            for p in Proposal.objects.filter(author=user).select_related("event")
        ],
        "notes_de_sous_groupe": [{"date": n.created_at.isoformat(), "texte": n.body} for n in BreakoutNote.objects.filter(author=user)],
        "evenements_organises": [
            {"titre": e.title, "date": e.start.isoformat(), "etat": e.state, "message_equipe": e.review_note}
            for e in Event.objects.filter(created_by=user).order_by("start")
        ],
        "flux_calendrier_prive": CalendarToken.objects.filter(user=user).exists(),
    }


def erase_events(user) -> None:
    """Registrations lose name, e-mail and answers (counts stay right); proposals and notes stay, unsigned."""
    now = timezone.now()
    for reg in Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related("event"):
        if reg.status != RegistrationStatus.CANCELLED and reg.event.end > now:
            registration_cancel(registration=reg)  # a future seat goes to the waiting list
        Registration.objects.filter(pk=reg.pk).update(
            user=None, email=f"efface-{reg.pk}@invalid.localhost", name="ancien membre", answers={}, guests=[], intention_message=""
        )
    Proposal.objects.filter(author=user).update(author=None)
    BreakoutNote.objects.filter(author=user).update(author=None)
    for choice in BreakoutChoice.objects.filter(user=user).select_related("event"):
        breakout_leave(event=choice.event, actor=user)
    CalendarToken.objects.filter(user=user).delete()
