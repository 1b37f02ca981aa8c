"""RGPD: what the resource library stores about a member, and its erasure.

Resources stay (signed "ancien membre" through ``User.public_name``); votes and
private collections go; public collections stay, without their owner's name.
"""

from .models import Collection, Resource, ResourceReport, ResourceVote


def export_content(user) -> dict:
    return {
        "ressources_proposees": list(
            Resource.objects.filter(submitted_by=user).values(
                "title", "slug", "status", "licence", "url", "file_name", "created_at", "published_at"
            )
        ),
        "votes_utile": list(ResourceVote.objects.filter(user=user).values("resource__title", "resource__slug", "created_at")),
        "signalements": list(ResourceReport.objects.filter(reporter=user).values("resource__title", "reason", "created_at")),
        "collections": [
            {
                "titre": c.title,
                "description": c.description,
                "publique": c.is_public,
                "ressources": [r.slug for r in c.resources.all()],
            }
            for c in Collection.objects.filter(owner=user).prefetch_related("resources")
        ],
    }


def erase_content(user) -> None:
    ResourceVote.objects.filter(user=user).delete()
    Collection.objects.filter(owner=user, is_public=False).delete()
    Collection.objects.filter(owner=user).update(owner=None)
    ResourceReport.objects.filter(reporter=user).update(reporter=None)
    # Resources stay, whatever their state: ``submitted_by.public_name`` now reads "ancien membre".
