"""RGPD: what the label stores about a member, and how it is erased.

Applications belong to places, not people: they stay, signed "ancien membre". A member's own
competence badges are personal: erasure revokes them and drops the link to the account.
"""

from django.db.models import Q
from django.utils import timezone

from .models import Application, Assertion, AuditEntry, Review


def export_labels(user) -> dict:
    return {
        "candidatures": [
            {"id": a.pk, "lieu": str(a.place), "etat": a.state, "creee_le": a.created_at.isoformat()}
            for a in Application.objects.filter(applicant=user).select_related("place")
        ],
        "evaluations": [
            {
                "candidature": r.application_id,
                "affectee_le": r.assigned_at.isoformat(),
                "rendue_le": r.submitted_at.isoformat() if r.submitted_at else None,
                "avis": r.comment,
                "notes": [{"critere": s.criterion.code, "note": s.score, "commentaire": s.comment} for s in r.scores.all()],
            }
            for r in Review.objects.filter(reviewer=user).prefetch_related("scores__criterion")
        ],
        "badges": [
            {"badge": a.badge_class.name, "delivre_le": a.issued_on.isoformat(), "revoque": a.revoked, "verification": a.get_absolute_url()}
            for a in Assertion.objects.filter(recipient=user).select_related("badge_class")
        ],
        "journal": [
            {"date": e.at.isoformat(), "candidature": e.application_id, "action": e.action, "commentaire": e.comment}
            for e in AuditEntry.objects.filter(actor=user)
        ],
    }


def erase_labels(user) -> None:
    Assertion.objects.filter(recipient=user, label__isnull=True, revoked=False).update(
        revoked=True, revocation_reason="Compte du titulaire supprimé.", revoked_at=timezone.now()
    )
    Assertion.objects.filter(Q(recipient=user) & Q(label__isnull=True)).update(
        recipient=None, recipient_name="ancien membre", identity_hash="sha256$erased"
    )
