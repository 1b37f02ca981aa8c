"""RGPD: what the community app stores about a member, and how it is erased."""

from django.db.models import Q
from notifications.models import Notification

from .models import DigestItem, Invitation, NotificationPreference, OutboundEmail, Profile, User


def export_community(user: User) -> dict:
    profile = Profile.objects.select_related("organisation", "department", "commune").prefetch_related("skills", "interests").get(user=user)
    return {
        "compte": {
            "email": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "inscrit_le": user.date_joined.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
            "adresses_email": list(user.emailaddress_set.values("email", "verified", "primary")),
        },
        "profil": {
            "nom_affiche": profile.display_name,
            "photo": profile.photo.name if profile.photo else None,
            "metier": profile.metier,
            "metier_precision": profile.metier_other,
            "organisation": profile.organisation.name if profile.organisation else None,
            "departement": profile.department.code if profile.department else None,
            "commune": profile.commune.insee if profile.commune else None,
            "presentation": profile.bio,
            "competences": [s.name for s in profile.skills.all()],
            "centres_interet": [s.name for s in profile.interests.all()],
            "liens": profile.links,
            "visibilite": profile.visibility,
            "statut": profile.status,
            "dans_annuaire": profile.in_directory,
        },
        "preferences_notifications": dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery")),
        "notifications": [
            {"date": n["timestamp"].isoformat(), "texte": n["verb"], "lu": not n["unread"], "donnees": n["data"]}
            for n in Notification.objects.filter(recipient=user).values("timestamp", "verb", "unread", "data").order_by("-timestamp")
        ],
        "emails_envoyes": [
            {"date": e["created_at"].isoformat(), "objet": e["subject"], "statut": e["status"]}
            for e in OutboundEmail.objects.filter(recipient=user).values("created_at", "subject", "status")
        ],
    }


def erase_community(user: User) -> None:
    """Erase the profile and personal data; authored content elsewhere stays, signed "ancien membre"."""
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        if profile.photo:
            profile.photo.delete(save=False)
        profile.skills.clear()
        profile.interests.clear()
        Profile.objects.filter(pk=profile.pk).update(
            display_name="",
            photo="",
            metier="",
            metier_other="",
            organisation=None,
            department=None,
            commune=None,
            bio="",
            links=[],
            in_directory=False,
        )
    Notification.objects.filter(Q(recipient=user)).delete()
    DigestItem.objects.filter(user=user).delete()
    OutboundEmail.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    Invitation.objects.filter(accepted_by=user).update(email="", accepted_by=None)
    user.emailaddress_set.all().delete()
    if hasattr(user, "authenticator_set"):
        user.authenticator_set.all().delete()
