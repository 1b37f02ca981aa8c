"""RGPD hooks: a member's referrals (as sender), without the referred people's data."""

from .models import Referral


def export_orientation(user) -> dict:
    rows = Referral.objects.filter(sender=user).order_by("pk").values("pk", "place__nom", "need", "status", "created_at")
    return {"orientations_envoyees": [{**r, "created_at": r["created_at"].isoformat()} for r in rows]}


def erase_orientation(user) -> None:
    """The member's links go; the referrals stay for their receivers (the person's data follows
    the retention period)."""
    Referral.objects.filter(sender=user).update(sender=None)
    Referral.objects.filter(recipient=user).update(recipient=None)
