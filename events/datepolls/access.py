"""Who sees a date poll, who answers it, who manages it.

* a group poll: the group's active members (a secret group's poll does not exist for others);
* a list poll: the members invited by name;
* a link poll: every approved member who has the link (its address carries a random token);
* in all cases the organiser; people invited by e-mail answer through their own signed link.
Not allowed to see gives the same 404 as a poll that does not exist. Managing (close, turn into
an event) is for the organiser and the group's admins; others who see it get a 403.
"""

from django.core import signing
from django.http import Http404

from community.models import is_approved_member
from groups.access import can_admin, is_active_member

from ..models import DatePoll, DatePollGuest, PollInvitees

GUEST_SALT = "events.datepoll.guest"


def can_view(*, user, poll: DatePoll) -> bool:
    if not is_approved_member(user):
        return False
    if poll.organiser_id == user.pk:
        return True
    if poll.invitees_kind == PollInvitees.GROUP:
        return poll.group_id is not None and is_active_member(user=user, group=poll.group)
    if poll.invitees_kind == PollInvitees.LIST:
        return poll.invitees.filter(user=user).exists()
    return True


def can_manage(*, user, poll: DatePoll) -> bool:
    if not is_approved_member(user):
        return False
    if poll.organiser_id == user.pk:
        return True
    return poll.group_id is not None and can_admin(user=user, group=poll.group)


def poll_get_for_viewer(*, viewer, token: str) -> DatePoll:
    poll = DatePoll.objects.select_related("group", "organiser__profile", "chosen_slot", "event").filter(token=token).first()
    if poll is None or not can_view(user=viewer, poll=poll):
        raise Http404
    return poll


def guest_link_token(guest: DatePollGuest) -> str:
    return signing.dumps({"g": guest.pk, "p": guest.poll_id}, salt=GUEST_SALT, compress=True)


def guest_from_token(token: str) -> DatePollGuest:
    """The guest a signed link names (404 if forged, or once the guest's data was deleted)."""
    try:
        data = signing.loads(token, salt=GUEST_SALT)
    except signing.BadSignature:
        raise Http404 from None
    guest = (
        DatePollGuest.objects.select_related("poll__organiser__profile", "poll__chosen_slot", "poll__event")
        .filter(pk=data.get("g"), poll_id=data.get("p"))
        .first()
    )
    if guest is None:
        raise Http404
    return guest
