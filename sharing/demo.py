"""Demo shared items for ``manage.py load_demo``: a tablet kit and a room lent by two
organisations of the demo network, a few bookings around today. Idempotent."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from community.models import Organisation, User

from .models import Booking, Item

MEMBER_EMAIL = "membre@maillage.localhost"
STAFF_EMAIL = "equipe@maillage.localhost"

ITEMS = [
    (
        "Valise de 8 tablettes",
        Item.Kind.EQUIPMENT,
        1,
        False,
        "Valise de **8 tablettes Android** avec chargeurs et un point d'accès 4G.\n\n"
        "- à retirer et rapporter à l'accueil, aux heures d'ouverture ;\n- prêt d'une semaine au plus ;\n"
        "- signaler toute casse au retour.",
    ),
    (
        "Salle d'atelier (12 places)",
        Item.Kind.ROOM,
        1,
        True,
        "Salle au rez-de-chaussée, accessible en fauteuil, vidéoprojecteur et 12 places assises. "
        "Réservation acceptée automatiquement ; laisser la salle rangée.",
    ),
    ("Kit webcam et micro pour visioconférence", Item.Kind.EQUIPMENT, 3, True, "Webcam grand angle, micro de table et trépied."),
]


def _at(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def load_sharing_demo(stdout=None) -> None:
    if Item.objects.exists():
        return
    member = User.objects.filter(email=MEMBER_EMAIL).select_related("profile").first()
    lenders = list(Organisation.objects.exclude(pk=getattr(getattr(member, "profile", None), "organisation_id", None)).order_by("pk")[:2])
    if not lenders:
        return
    with transaction.atomic():
        items = []
        for index, (name, kind, quantity, auto, description) in enumerate(ITEMS):
            org = lenders[index % len(lenders)]
            items.append(
                Item.objects.create(
                    name=name,
                    kind=kind,
                    organisation=org,
                    commune=org.commune,
                    location=f"Accueil de {org.name}",
                    description=description,
                    quantity=quantity,
                    auto_approve=auto,
                )
            )
        borrowers = list(User.objects.filter(profile__status="approved", is_active=True).exclude(email=MEMBER_EMAIL).order_by("pk")[5:9])
        if member is not None:
            Booking.objects.create(item=items[1], borrower=member, start=_at(3, 9), end=_at(3, 12), status=Booking.Status.ACCEPTED)
        steps = [Booking.Status.RETURNED, Booking.Status.HANDED_OVER, Booking.Status.ACCEPTED, Booking.Status.REQUESTED]
        for n, user in enumerate(borrowers):
            start, end, status = _at(-20 + 9 * n, 9), _at(-18 + 9 * n, 17), steps[n]
            booking = Booking.objects.create(
                item=items[0],
                borrower=user,
                start=start,
                end=end,
                status=status,
                decided_at=start - timedelta(days=3) if status != Booking.Status.REQUESTED else None,
                handed_over_at=start if status in (Booking.Status.HANDED_OVER, Booking.Status.RETURNED) else None,
                returned_at=end if status == Booking.Status.RETURNED else None,
            )
            Booking.objects.filter(pk=booking.pk).update(created_at=start - timedelta(days=5))
    if stdout:
        stdout.write(f"  sharing: {len(items)} items")
