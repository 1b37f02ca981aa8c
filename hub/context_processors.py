"""The header's counters, wired here because they cross apps (notifications and messaging)."""

import functools

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from notifications.models import Notification

from common import queries
from common.queries import CompiledQuery
from messaging.selectors import participations_unread


def _count(queryset, field):
    """``queryset`` counted per ``field`` (matched against the outer user row) as a scalar subquery."""
    rows = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


_COUNTERS = CompiledQuery(
    lambda user_id: (
        get_user_model()
        .objects.filter(pk=user_id)
        .values_list(_count(Notification.objects.filter(unread=True), "recipient"), _count(participations_unread(), "user"))
    ),
    user_id=queries.INT,
)


def header_counters(user_id: int) -> tuple[int, int]:
    """Unread notifications and unread conversations of a member, in one query compiled once."""
    row = _COUNTERS.first_row(user_id=user_id)
    return (row[0], row[1]) if row else (0, 0)


def counters(request):
    """``unread_notifications`` and ``unread_messages`` for the header: counted together, at most
    once per request and only if a template reads one of them (never cached: a new notification or
    message shows on the next page at once; the websocket keeps an open page current)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    both = functools.cache(lambda: header_counters(user.pk))
    return {"unread_notifications": lambda: both()[0], "unread_messages": lambda: both()[1]}
