"""Reads for the sharing pages, each a fixed number of queries whatever the number of items or
bookings; availability computed in Python over the few bookings of one item."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from common.calendar import month_grid, month_grid_span
from community.models import Commune, User

from .access import managed_filter
from .models import Booking, Item, ItemPhoto

# how far around a refused request the nearest free slot is looked for
SEARCH_WINDOW = timedelta(days=180)


@dataclass
class ItemFilters:
    kind: str = ""
    commune: int | None = None
    available_from: date | None = None
    available_to: date | None = None


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def item_list(*, viewer: User, filters: ItemFilters | None = None) -> QuerySet[Item]:
    """Active items (and the inactive ones the viewer manages), filtered; one query, and one for
    the photos of the page's items (the first is the card's thumbnail: ``Item.cover``).

    "Available between two dates" keeps the items of which the bookings overlapping the period
    leave at least one copy (counted as if they all overlapped each other: never too optimistic)."""
    filters = filters or ItemFilters()
    qs = Item.objects.filter(Q(is_active=True) | (Q(is_active=False) & managed_filter(viewer)))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.commune:
        qs = qs.filter(commune_id=filters.commune)
    if filters.available_from and filters.available_to:
        start, end = _aware(filters.available_from), _aware(filters.available_to + timedelta(days=1))
        held = (
            Booking.objects.filter(item=OuterRef("pk"), status__in=Booking.HOLDING, start__lt=end, end__gt=start)
            .values("item")
            .annotate(total=Sum("quantity"))
            .values("total")
        )
        qs = qs.annotate(held=Coalesce(Subquery(held, output_field=IntegerField()), 0)).filter(held__lt=F("quantity"))
    return qs.select_related("organisation", "commune").prefetch_related(_photos()).order_by("name", "pk")


def _photos() -> Prefetch:
    return Prefetch("photos", queryset=ItemPhoto.objects.order_by("position", "pk"))


def item_photos(*, item: Item) -> list[ItemPhoto]:
    """The item's photos in their order, the first being the cover. One query."""
    photos = list(ItemPhoto.objects.filter(item=item).order_by("position", "pk"))
    for photo in photos:
        photo.item = item  # ``alt_text`` falls back on the item's name without a query
    return photos


def item_communes() -> QuerySet[Commune]:
    """Communes where at least one active item is lent (for the filter)."""
    return Commune.objects.filter(shared_items__is_active=True).distinct().order_by("name")


def held_intervals(*, item: Item, start: datetime, end: datetime, exclude_pk: int | None = None) -> list[tuple[datetime, datetime, int]]:
    """(start, end, quantity) of the bookings holding copies of ``item`` that overlap the period."""
    qs = Booking.objects.filter(item=item, status__in=Booking.HOLDING, start__lt=end, end__gt=start)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.values_list("start", "end", "quantity"))


def peak_use(intervals, start: datetime, end: datetime) -> int:
    """The most copies held at one instant of [start, end) by ``intervals`` (half-open)."""
    edges = []
    for s, e, q in intervals:
        s, e = max(s, start), min(e, end)
        if s < e:
            edges += [(s, 1, q), (e, 0, -q)]  # at the same instant an end comes before a start
    peak = used = 0
    for _when, _order, delta in sorted(edges):
        used += delta
        peak = max(peak, used)
    return peak


def nearest_free_slot(*, item: Item, start: datetime, end: datetime, quantity: int = 1) -> tuple[datetime, datetime] | None:
    """The free period of the same length closest to the one asked (later one on a tie), not in
    the past; ``None`` if the item does not have that many copies. One query."""
    if quantity > item.quantity:
        return None
    length, now = end - start, timezone.now()
    intervals = held_intervals(item=item, start=start - SEARCH_WINDOW, end=end + SEARCH_WINDOW)
    candidates = {start} | {e for _s, e, _q in intervals} | {s - length for s, _e, _q in intervals}
    candidates = sorted((c for c in candidates if c >= now), key=lambda c: (abs(c - start), c < start))
    for candidate in candidates:
        if peak_use(intervals, candidate, candidate + length) + quantity <= item.quantity:
            return candidate, candidate + length
    return None


def item_month(*, item: Item, year: int, month: int) -> dict:
    """The item's month grid (weeks from Monday, days outside the month flagged) with the bookings
    holding it each day, like the agenda's month view. One query; ``ValueError`` for a bad month."""
    grid_start, grid_end = month_grid_span(year, month)
    bookings = list(
        Booking.objects.filter(
            item=item,
            status__in=[*Booking.HOLDING, Booking.Status.RETURNED],
            start__lt=_aware(grid_end),
            end__gt=_aware(grid_start),
        ).order_by("start", "pk")
    )
    spans = [(b, timezone.localtime(b.start).date(), timezone.localtime(b.end - timedelta(microseconds=1)).date()) for b in bookings]
    return month_grid(year=year, month=month, spans=spans, key="bookings")


_BOOKING_RELATED = ("item__organisation", "item__commune", "borrower__profile")


def item_history(*, item: Item, limit: int = 50) -> QuerySet[Booking]:
    """The item's bookings, most recent first (for its managers). One query."""
    return Booking.objects.filter(item=item).select_related("borrower__profile", "decided_by").order_by("-start", "-pk")[:limit]


def booking_list_mine(*, viewer: User) -> QuerySet[Booking]:
    """The member's bookings, the coming ones first then the past ones."""
    return Booking.objects.filter(borrower=viewer).select_related(*_BOOKING_RELATED).order_by("-end", "-pk")


def booking_list_to_handle(*, viewer: User) -> QuerySet[Booking]:
    """Open bookings of the items the member manages (to accept, hand over or get back)."""
    items = Item.objects.filter(managed_filter(viewer)).values("pk")
    return Booking.objects.filter(item__in=items, status__in=Booking.HOLDING).select_related(*_BOOKING_RELATED).order_by("start", "pk")


def booking_list_for_feed(*, user: User) -> QuerySet[Booking]:
    """What goes in the member's calendar feed: held bookings, and returned ones of the last 90 days."""
    recent = timezone.now() - timedelta(days=90)
    return (
        Booking.objects.filter(borrower=user, end__gte=recent)
        .filter(status__in=[*Booking.HOLDING, Booking.Status.RETURNED])
        .select_related("item__organisation", "item__commune")
    )


def booking_counts_by_month(*, since: date | None = None) -> list[dict]:
    """Bookings per month (``month``, ``count``, ``items``), cancelled and declined left out:
    counts only, for the observatory. One query."""
    qs = Booking.objects.exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.DECLINED])
    if since is not None:
        qs = qs.filter(start__date__gte=since)
    return list(
        qs.annotate(month=TruncMonth("start"))
        .values("month")
        .annotate(count=Count("pk"), items=Count("item", distinct=True))
        .order_by("month")
    )
