"""Reads for the action pages: filtered by the viewer's audiences, fixed query counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from community.models import User

from .access import actions_visible_to, viewer_audiences
from .models import OPEN_STATUSES, Action, ActionEntry, ActionStatus

STATUS_FILTERS = {"open": OPEN_STATUSES, "all": None, **{s: (s,) for s in ActionStatus.values}}
DUE_FILTERS = ("overdue", "week", "month")


@dataclass
class BoardFilters:
    status: str = "open"
    due: str = ""
    owner: int | None = None

    @classmethod
    def from_query(cls, params) -> BoardFilters:
        status = params.get("statut", "open")
        due = params.get("echeance", "")
        try:
            owner = int(params.get("responsable", "")) or None
        except ValueError:
            owner = None
        return cls(status=status if status in STATUS_FILTERS else "open", due=due if due in DUE_FILTERS else "", owner=owner)


def _owners_prefetch() -> Prefetch:
    return Prefetch("owners", queryset=User.objects.select_related("profile").order_by("first_name", "last_name", "pk"))


def _shape(qs: QuerySet[Action]) -> QuerySet[Action]:
    return qs.select_related("created_by__profile").prefetch_related(_owners_prefetch()).order_by("due_date", "pk")


def _filter(qs: QuerySet[Action], filters: BoardFilters) -> QuerySet[Action]:
    statuses = STATUS_FILTERS[filters.status]
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    today = timezone.localdate()
    if filters.due == "overdue":
        qs = qs.filter(due_date__lt=today, status__in=OPEN_STATUSES)
    elif filters.due == "week":
        qs = qs.filter(due_date__gte=today, due_date__lte=today + timedelta(days=7))
    elif filters.due == "month":
        qs = qs.filter(due_date__gte=today, due_date__lte=today + timedelta(days=31))
    if filters.owner:
        qs = qs.filter(owners=filters.owner)
    return qs


def my_actions(*, viewer, filters: BoardFilters) -> QuerySet[Action]:
    """The viewer's own actions (as an owner) that they may still see."""
    return _shape(_filter(actions_visible_to(viewer).filter(owners=viewer), filters))


def board_actions(*, viewer, container: str, filters: BoardFilters) -> QuerySet[Action] | None:
    """The actions of one board (a group…), or None when the viewer may not see that board."""
    audiences = viewer_audiences(viewer)
    if container not in audiences:
        return None
    return _shape(_filter(actions_visible_to(viewer, audiences).filter(container=container), filters))


def board_owners(*, viewer, container: str) -> list[User]:
    """Everyone who owns an action on the board (for the owner filter)."""
    visible = actions_visible_to(viewer).filter(container=container)
    return list(User.objects.filter(follow_up_actions__in=visible).select_related("profile").distinct().order_by("first_name", "last_name"))


def origin_actions(*, viewer, kind: str, origin_id: int, limit: int = 50) -> list[Action]:
    """The actions of one origin object the viewer may see (by the origin's audience), shaped for a list."""
    return list(_shape(actions_visible_to(viewer).filter(origin_kind=kind, origin_id=origin_id))[:limit])


def action_entries(action: Action) -> QuerySet[ActionEntry]:
    """An action's history and comments, oldest first, with their authors."""
    return action.entries.select_related("author__profile")


def action_for_page(action: Action) -> Action:
    """One action already checked by access, reloaded with what its page shows."""
    return _shape(Action.objects.filter(pk=action.pk)).get()


def summary_for(actions) -> dict:
    """Counts per status for a board's header (from already loaded rows: no query)."""
    today = timezone.localdate()
    rows = list(actions)
    return {
        "total": len(rows),
        "open": sum(1 for a in rows if a.status in OPEN_STATUSES),
        "overdue": sum(1 for a in rows if a.status in OPEN_STATUSES and a.due_date < today),
        "done": sum(1 for a in rows if a.status == ActionStatus.DONE),
    }
