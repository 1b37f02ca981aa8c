"""RGPD: a member's comments and proposals on minutes, and how they are erased."""

from ..models import Amendment, AmendmentStatus, Minutes, MinutesReading, MinutesRevision


def export_minutes(user) -> dict:
    amendments = Amendment.objects.filter(author=user).select_related("minutes__event").order_by("pk")
    return {
        "contributions_aux_comptes_rendus": [
            {
                "evenement": a.minutes.event.title,
                "date": a.created_at.isoformat(),
                "type": a.get_kind_display(),
                "section": a.section,
                "texte": a.body,
                "statut": a.get_status_display(),
            }
            for a in amendments
        ],
        "relu_sans_remarque": [
            {"evenement": r.minutes.event.title, "date": r.created_at.isoformat()}
            for r in MinutesReading.objects.filter(user=user).select_related("minutes__event").order_by("pk")
        ],
        "comptes_rendus_comme_secretaire": [m.event.title for m in Minutes.objects.filter(secretary=user).select_related("event")],
    }


def erase_minutes(user) -> None:
    """Comments and proposals still waiting are deleted; those already decided are part of the
    minutes' record and stay, unsigned ("ancien membre"), like forum posts."""
    Amendment.objects.filter(author=user, status=AmendmentStatus.OPEN).delete()
    MinutesReading.objects.filter(user=user).delete()
    Amendment.objects.filter(author=user).update(author=None)
    Amendment.objects.filter(decided_by=user).update(decided_by=None)
    MinutesRevision.objects.filter(author=user).update(author=None)
    Minutes.objects.filter(secretary=user).update(secretary=None)
