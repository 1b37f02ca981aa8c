"""A member's open actions as all-day dates in their private calendar feed (events' "my events"
feed, through ``registry.calendar_provider``; registered in ``ActionsConfig.ready``)."""

from django.utils.translation import gettext as _

from common.registry import CalendarItem
from common.urls import absolute_url

from .access import actions_visible_to
from .models import OPEN_STATUSES

FEED_LIMIT = 200


def my_action_calendar_items(user) -> list[CalendarItem]:
    """The due dates of the member's open actions (as an owner) that they may still see."""
    actions = actions_visible_to(user).filter(owners=user, status__in=OPEN_STATUSES).order_by("due_date", "pk")[:FEED_LIMIT]
    return [
        CalendarItem(
            uid=f"action-{a.pk}-due",
            day=a.due_date,
            summary=_("Échéance d'action : %(description)s") % {"description": a.description[:120]},
            url=absolute_url(a.get_absolute_url()),
            description=_("Origine : %(origin)s") % {"origin": a.origin_title},
        )
        for a in actions
    ]
