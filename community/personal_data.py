"""RGPD: what the community app stores about a member, and how it is erased."""

from django.db.models import F, Q
from notifications.models import Notification

from .activity import activity_withdraw
from .models import (
    Activity,
    ActivityComment,
    ActivityLike,
    DigestItem,
    Follow,
    Invitation,
    NotificationPreference,
    OutboundEmail,
    Profile,
    PushSubscription,
    User,
)


def export_community(user: User) -> dict:
    profile = (
        Profile.objects.select_related("organisation", "department", "commune")
        .prefetch_related("skill_levels__skill", "interests")
        .get(user=user)
    )
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
            "photo_webp": profile.photo_webp.name if profile.photo_webp else None,
            "metier": profile.metier,
            "metier_precision": profile.metier_other,
            "organisation": profile.organisation.name if profile.organisation else None,
            "departement": profile.department.code if profile.department else None,
            "commune": profile.commune.insee if profile.commune else None,
            "presentation": profile.bio,
            "competences": [{"nom": ps.skill.name, "niveau": ps.level} for ps in profile.skill_levels.all()],
            "centres_interet": [s.name for s in profile.interests.all()],
            "liens": profile.links,
            "visibilite": profile.visibility,
            "statut": profile.status,
            "dans_annuaire": profile.in_directory,
        },
        "preferences_notifications": {
            kind: {"envoi": delivery, "push": push}
            for kind, delivery, push in NotificationPreference.objects.filter(user=user).values_list("kind", "delivery", "push")
        },
        "notifications": [
            {"date": n["timestamp"].isoformat(), "texte": n["verb"], "lu": not n["unread"], "donnees": n["data"]}
            for n in Notification.objects.filter(recipient=user).values("timestamp", "verb", "unread", "data").order_by("-timestamp")
        ],
        "fil_mentions_jaime": [
            {"date": like["created_at"].isoformat(), "activite": like["activity__title"]}
            for like in ActivityLike.objects.filter(user=user).values("created_at", "activity__title")
        ],
        "fil_commentaires": [
            {"date": c["created_at"].isoformat(), "activite": c["activity__title"], "texte": c["body"]}
            for c in ActivityComment.objects.filter(author=user).values("created_at", "activity__title", "body")
        ],
        "abonnements": [
            {
                "date": f.created_at.isoformat(),
                "membre": f.member.public_name if f.member else None,
                "organisation": f.organisation.name if f.organisation else None,
            }
            for f in Follow.objects.filter(follower=user).select_related("member__profile", "organisation")
        ],
        "appareils_push": [
            {"ajoute_le": d["created_at"].isoformat(), "appareil": d["user_agent"], "adresse": d["endpoint"]}
            for d in PushSubscription.objects.filter(user=user).values("created_at", "user_agent", "endpoint")
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
        for image in (profile.photo, profile.photo_webp):
            if image:
                image.delete(save=False)
        profile.skills.clear()
        profile.interests.clear()
        Profile.objects.filter(pk=profile.pk).update(
            display_name="",
            photo="",
            photo_webp="",
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
    # Likes and follows are personal choices: gone. Comments are authored content: they stay,
    # signed "ancien membre" like forum posts. The "joined the network" item goes.
    for activity_id in ActivityLike.objects.filter(user=user).values_list("activity_id", flat=True):
        Activity.objects.filter(pk=activity_id, like_count__gt=0).update(like_count=F("like_count") - 1)
    ActivityLike.objects.filter(user=user).delete()
    Follow.objects.filter(Q(follower=user) | Q(member=user)).delete()
    if profile is not None:
        activity_withdraw(object_ref=f"community.profile:{profile.pk}")
    DigestItem.objects.filter(user=user).delete()
    OutboundEmail.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    PushSubscription.objects.filter(user=user).delete()
    Invitation.objects.filter(accepted_by=user).update(email="", accepted_by=None)
    user.emailaddress_set.all().delete()
    if hasattr(user, "authenticator_set"):
        user.authenticator_set.all().delete()
