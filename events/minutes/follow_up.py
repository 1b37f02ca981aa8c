"""Minutes as the origin of follow-up actions (``actions.origins``, kind ``"events.minutes"``).

An action decided in a meeting is seen by whoever sees the event (``event_audience``) and sits on
the organising group's board (``group:<id>``), or on the network's board (``members``) for a
hub event. The minutes' writers add and manage them; their owners are the participants.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.origins import Origin, origin_kind

from ..models import Minutes
from ..selectors import event_audience, events_visible_to
from .access import can_write, participant_users
from .selectors import ORIGIN_KIND


def minutes_origin(viewer, minutes_id: int) -> Origin | None:
    """The minutes as an origin for ``viewer`` (None when they may not see the event)."""
    minutes = Minutes.objects.select_related("event__organiser_group").filter(pk=minutes_id).first()
    if minutes is None or not events_visible_to(viewer).filter(pk=minutes.event_id).exists():
        return None
    event = minutes.event
    writer = can_write(viewer, event, minutes)
    group = event.organiser_group
    return Origin(
        kind=ORIGIN_KIND,
        id=minutes.pk,
        title=_("Compte rendu : %(title)s") % {"title": event.title},
        url=minutes.get_absolute_url(),
        audience=event_audience(event),
        container=f"group:{group.pk}" if group else "members",
        container_title=group.name if group else _("Actions du réseau"),
        can_add=writer,
        can_manage=writer,
        candidates=participant_users(event, minutes),
    )


def register() -> None:
    origin_kind(ORIGIN_KIND, gettext_lazy("Compte rendu"), minutes_origin)
