"""Reads for orientation pages, each a fixed number of queries; counts without personal data."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from community.models import User
from places.models import Place

from .models import Referral

_RELATED = ("place", "recipient", "sender", "redirected_to")


def referral_list_sent(*, viewer: User) -> QuerySet[Referral]:
    """Referrals the member sent, newest first."""
    return Referral.objects.filter(sender=viewer).select_related(*_RELATED)


def referral_list_received(*, viewer: User) -> QuerySet[Referral]:
    """Referrals addressed to the member by name, or to a place they manage, newest first."""
    received = Referral.objects.filter(Q(recipient=viewer) | Q(place__managers=viewer)).values("pk")
    return Referral.objects.filter(pk__in=received).select_related(*_RELATED)


def place_recipients(*, place: Place) -> QuerySet[User]:
    """Members a referral to this place may name: its active managers."""
    return place.managers.filter(is_active=True).select_related("profile").order_by("first_name", "last_name", "pk")


def referral_counts_by_month(*, since: date | None = None, place: Place | None = None) -> list[dict]:
    """Referrals per place and month (``place_id``, ``place__nom``, ``month``, ``count``): no
    personal data, for the observatory. One query."""
    qs = Referral.objects.all()
    if since is not None:
        qs = qs.filter(created_at__date__gte=since)
    if place is not None:
        qs = qs.filter(place=place)
    return list(
        qs.annotate(month=TruncMonth("created_at"))
        .values("place_id", "place__nom", "month")
        .annotate(count=Count("pk"))
        .order_by("month", "place__nom")
    )


def referral_counts_by_need(*, since: date | None = None) -> list[tuple[str, int]]:
    """Referrals per need (a service of the national schema): no personal data, for the
    observatory's skills gaps. One query."""
    qs = Referral.objects.all()
    if since is not None:
        qs = qs.filter(created_at__date__gte=since)
    return list(qs.values("need").annotate(count=Count("pk")).order_by("need").values_list("need", "count"))


def referral_pending_count(*, place: Place) -> int:
    """Referrals to this place still waiting for an answer (for its managers' panel)."""
    return Referral.objects.filter(place=place, status=Referral.Status.SENT).count()
