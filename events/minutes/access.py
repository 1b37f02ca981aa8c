"""Who writes, who amends and who reads an event's minutes.

* writing (text, revisions, amendment round, decisions, publication, actions): the people who
  manage the event (``selectors.can_manage``: its organiser, the organising group's admins, hub
  staff) and the secretary they named;
* amending (comments and proposed texts, during the round): the participants — registered
  (active registration, attendance included) or invited (by the date poll the event came from,
  or as members of the group the event is for) — and the writers;
* reading: drafts exist only for the writers (404 for everyone else), the text under review also
  for the participants; published minutes for everyone who sees the event. A public event's
  visitors who are neither members nor participants read only the sections chosen for the
  public restitution.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from community.models import User, is_approved_member
from groups.models import Membership, MembershipStatus, Role

from ..models import ACTIVE, Audience, DateAnswer, DatePollInvitee, Event, Minutes, MinutesState, Registration
from ..selectors import can_manage, event_get_for_viewer
from .text import keep_sections


def can_write(user, event: Event, minutes: Minutes | None) -> bool:
    """The event's managers, and the named secretary."""
    if not getattr(user, "is_authenticated", False):
        return False
    if minutes is not None and minutes.secretary_id == user.pk and is_approved_member(user):
        return True
    return can_manage(user, event)


def is_participant(user, event: Event) -> bool:
    """Registered (active, attended) or invited to the event."""
    if not getattr(user, "is_authenticated", False):
        return False
    if Registration.objects.filter(event=event, user=user, status__in=ACTIVE).exists():
        return True
    if DatePollInvitee.objects.filter(poll__event=event, user=user).exists():
        return True
    if DateAnswer.objects.filter(poll__event=event, user=user).exists():
        return True
    return (
        event.audience == Audience.GROUP
        and Membership.objects.filter(group_id=event.audience_group_id, user=user, status=MembershipStatus.ACTIVE).exists()
    )


def participant_users(event: Event, minutes: Minutes | None = None) -> QuerySet[User]:
    """Everyone who takes part: participants, the event's organiser and its group's admins, the secretary."""
    who = (
        Q(pk__in=Registration.objects.filter(event=event, status__in=ACTIVE).values("user_id"))
        | Q(pk__in=DatePollInvitee.objects.filter(poll__event=event).values("user_id"))
        | Q(pk__in=DateAnswer.objects.filter(poll__event=event).values("user_id"))
    )
    if event.audience == Audience.GROUP and event.audience_group_id:
        who |= Q(pk__in=Membership.objects.filter(group_id=event.audience_group_id, status=MembershipStatus.ACTIVE).values("user_id"))
    if event.organiser_group_id:
        admins = Membership.objects.filter(
            group_id=event.organiser_group_id, status=MembershipStatus.ACTIVE, role__in=[Role.OWNER, Role.ADMIN]
        )
        who |= Q(pk__in=admins.values("user_id"))
    if event.created_by_id:
        who |= Q(pk=event.created_by_id)
    if minutes is not None and minutes.secretary_id:
        who |= Q(pk=minutes.secretary_id)
    return User.objects.filter(who, is_active=True)


@dataclass
class MinutesAccess:
    event: Event
    minutes: Minutes | None
    can_write: bool
    can_amend: bool  # may comment and propose texts while the round is open
    full_text: bool  # False: a public event's visitor, who reads the public restitution only


def minutes_access(*, viewer, slug: str) -> MinutesAccess:
    """The event, its minutes and what the viewer may do; 404 when there is nothing for them."""
    event = event_get_for_viewer(viewer=viewer, slug=slug)
    minutes = Minutes.objects.select_related("secretary__profile").filter(event=event).first()
    writer = can_write(viewer, event, minutes)
    participant = writer or is_participant(viewer, event)
    if minutes is None:
        if not writer:
            raise Http404
        return MinutesAccess(event, None, True, False, True)
    if minutes.state == MinutesState.DRAFT and not writer:
        raise Http404
    if minutes.state == MinutesState.AMENDING and not participant:
        raise Http404
    full = participant or is_approved_member(viewer)
    if minutes.is_published and not full and not minutes.public_sections:
        raise Http404
    return MinutesAccess(event, minutes, writer, participant and minutes.state == MinutesState.AMENDING, full)


def minutes_access_writer(*, viewer, slug: str) -> MinutesAccess:
    """As ``minutes_access``, and PermissionDenied for a reader who may not write."""
    access = minutes_access(viewer=viewer, slug=slug)
    if not access.can_write:
        raise PermissionDenied
    return access


def minutes_for_event_page(*, viewer, event: Event, manager: bool, registration=None) -> dict | None:
    """What the event page shows of the minutes (one query): the published text (or its public
    part), or for the writers a link to the draft; None when there is nothing for this viewer."""
    minutes = Minutes.objects.filter(event=event).first()
    writer = manager or (minutes is not None and minutes.secretary_id is not None and minutes.secretary_id == getattr(viewer, "pk", None))
    if minutes is None:
        return {"minutes": None, "writer": True} if manager else None
    if minutes.is_published:
        full = registration is not None or is_approved_member(viewer) or writer
        body = minutes.body if full else keep_sections(minutes.body, minutes.public_sections)
        return {"minutes": minutes, "writer": writer, "body": body} if body else None
    return {"minutes": minutes, "writer": True} if writer else None
