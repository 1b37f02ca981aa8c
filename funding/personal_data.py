"""RGPD: what the funding app stores about a member, and how it is erased."""

from .models import (
    CalendarToken,
    CallInterest,
    ConsortiumAnnouncement,
    ConsortiumMember,
    ConsortiumMemberStatus,
    DeadlineReminder,
    FundingCall,
    MatchingOptOut,
    PartnerSearch,
    SupportRequest,
    Watch,
)


def export_funding(user) -> dict:
    """Everything the funding app keeps about the member, for the RGPD archive."""
    return {
        "alertes": [
            {
                "nom": w.name,
                "criteres": w.criteria,
                "frequence": w.frequency,
                "email_confirme_le": w.email_confirmed_at.isoformat() if w.email_confirmed_at else None,
                "desabonne_le": w.unsubscribed_at.isoformat() if w.unsubscribed_at else None,
                "creee_le": w.created_at.isoformat(),
            }
            for w in Watch.objects.filter(user=user)
        ],
        "interets": [
            {"appel": i.call.title, "type": i.kind, "le": i.created_at.isoformat()}
            for i in CallInterest.objects.filter(user=user).select_related("call")
        ],
        "recherches_de_partenaires": [
            {"appel": p.call.title, "message": p.message, "ouverte": p.is_open, "le": p.created_at.isoformat()}
            for p in PartnerSearch.objects.filter(author=user).select_related("call")
        ],
        "appels_signales": [
            {"appel": c.title, "lien": c.official_url, "etat": c.state, "motif_du_refus": c.decline_reason, "le": c.created_at.isoformat()}
            for c in FundingCall.objects.filter(reported_by=user)
        ],
        "consortiums": [
            {
                "consortium": m.consortium.name,
                "appel": m.consortium.call.title,
                "structure": m.organisation.name if m.organisation else None,
                "role": m.role,
                "chef_de_file": m.is_lead,
                "statut": m.status,
                "depuis": m.created_at.isoformat(),
            }
            for m in ConsortiumMember.objects.filter(user=user).select_related("consortium__call", "organisation")
        ],
        "demandes_d_aide": [
            {
                "type": r.kind,
                "appel": r.call.title,
                "message": r.message,
                "statut": r.status,
                "reponse": r.answer,
                "le": r.created_at.isoformat(),
            }
            for r in SupportRequest.objects.filter(requester=user).select_related("call")
        ],
        "suggestions_de_partenaires_refusees": MatchingOptOut.objects.filter(user=user).exists(),
    }


def erase_funding(user) -> None:
    """Watches, follows, reminders, the calendar token and requests to the hub go; partner-search messages stay
    (content of the network), closed and signed "ancien membre"."""
    Watch.objects.filter(user=user).delete()
    CallInterest.objects.filter(user=user).delete()
    DeadlineReminder.objects.filter(user=user).delete()
    CalendarToken.objects.filter(user=user).delete()
    PartnerSearch.objects.filter(author=user).update(is_open=False, organisation=None)
    # Consortium rows stay so each consortium's history stays readable (signed "ancien membre"),
    # without the role they typed; pending requests and invitations go; requests to the hub go.
    ConsortiumMember.objects.filter(user=user, status__in=[ConsortiumMemberStatus.REQUESTED, ConsortiumMemberStatus.INVITED]).delete()
    ConsortiumMember.objects.filter(user=user).update(status=ConsortiumMemberStatus.LEFT, role="")
    SupportRequest.objects.filter(requester=user).delete()
    MatchingOptOut.objects.filter(user=user).delete()
    ConsortiumAnnouncement.objects.filter(user=user).delete()
