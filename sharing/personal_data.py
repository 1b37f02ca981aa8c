"""RGPD hooks: a member's bookings in the export; on erasure, the bookings stay for the item's
history without the member (nor their message)."""

from .models import Booking


def export_sharing(user) -> dict:
    rows = Booking.objects.filter(borrower=user).order_by("pk").values("pk", "item__name", "start", "end", "quantity", "status", "message")
    return {"reservations": [{**r, "start": r["start"].isoformat(), "end": r["end"].isoformat()} for r in rows]}


def erase_sharing(user) -> None:
    Booking.objects.filter(borrower=user).update(borrower=None, message="")
    Booking.objects.filter(decided_by=user).update(decided_by=None)
