"""RGPD hooks: what the places app knows about a member, and erasing it (manager links)."""

from django.urls import reverse

from .models import Place


def export_places(user) -> dict:
    """The places the member manages or created (RGPD export)."""
    places = Place.objects.filter(managers=user).order_by("pk").values("pk", "schema_id", "nom", "commune")
    created = Place.objects.filter(created_by=user).order_by("pk").values_list("schema_id", flat=True)
    return {
        "lieux_geres": [
            {"id": p["schema_id"], "nom": p["nom"], "commune": p["commune"], "url": reverse("places:place_detail", args=[p["pk"]])}
            for p in places
        ],
        "lieux_crees": list(created),
    }


def erase_places(user) -> None:
    """The place records stay (they are public data about a structure); the member's links go."""
    Place.managers.through.objects.filter(user=user).delete()
    Place.objects.filter(created_by=user).update(created_by=None)
