"""Reads for the date-poll pages, at a fixed number of queries whatever the number of answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from community.models import is_approved_member
from groups.access import group_ids_of

from ..models import Choice, DateAnswer, DatePoll, DatePollInvitee, DateSlot, DateVote, PollInvitees


def tally(poll: DatePoll) -> list[DateSlot]:
    """The slots with their counts (``yes``, ``maybe``, ``no``), a score (yes counts 2, if
    needed 1) and ``best`` on the slots with the top score. One query."""
    slots = list(
        DateSlot.objects.filter(poll=poll).annotate(
            yes=Count("votes", filter=Q(votes__choice=Choice.YES)),
            maybe=Count("votes", filter=Q(votes__choice=Choice.MAYBE)),
            no=Count("votes", filter=Q(votes__choice=Choice.NO)),
        )
    )
    top = max((2 * s.yes + s.maybe for s in slots), default=0)
    for s in slots:
        s.score = 2 * s.yes + s.maybe
        s.total = s.yes + s.maybe + s.no
        s.best = top > 0 and s.score == top
    return slots


@dataclass
class GridRow:
    answer: DateAnswer
    cells: list[str]  # one choice per slot, "" when not answered


def answer_grid(poll: DatePoll, slots: list[DateSlot]) -> list[GridRow]:
    """Who answered what, aligned on ``slots`` (two queries). Empty for anonymous polls."""
    if poll.anonymous:
        return []
    answers = (
        DateAnswer.objects.filter(poll=poll)
        .select_related("user__profile")
        .prefetch_related(Prefetch("votes", queryset=DateVote.objects.only("answer_id", "slot_id", "choice")))
    )
    rows = []
    for answer in answers:
        by_slot = {v.slot_id: v.choice for v in answer.votes.all()}
        rows.append(GridRow(answer, [by_slot.get(s.pk, "") for s in slots]))
    return rows


def answer_of(*, poll: DatePoll, user=None, guest=None) -> dict[int, str]:
    """The person's current choices by slot id (to pre-fill the form); one query."""
    if user is None and guest is None:
        return {}
    lookup = {"answer__poll": poll, "answer__user": user} if user is not None else {"answer__guest": guest}
    return dict(DateVote.objects.filter(**lookup).values_list("slot_id", "choice"))


def answer_count(poll: DatePoll) -> int:
    """How many people answered the poll."""
    return DateAnswer.objects.filter(poll=poll).count()


def polls_for_viewer(*, viewer, limit: int = 50) -> QuerySet[DatePoll]:
    """Polls the viewer organises or is invited to (by name or through a group), newest first."""
    if not is_approved_member(viewer):
        return DatePoll.objects.none()
    invited = DatePollInvitee.objects.filter(poll=OuterRef("pk"), user=viewer)
    answered = DateAnswer.objects.filter(poll=OuterRef("pk"), user=viewer)
    qs = DatePoll.objects.filter(
        Q(organiser=viewer)
        | Q(Exists(invited))
        | Q(invitees_kind=PollInvitees.GROUP, group_id__in=group_ids_of(viewer))
        | Q(invitees_kind=PollInvitees.LINK, pk__in=DateAnswer.objects.filter(user=viewer).values("poll_id"))
    )
    return (
        qs.select_related("group", "organiser__profile", "event")
        .annotate(n_slots=Count("slots", distinct=True), n_answers=Count("answers", distinct=True), mine=Exists(answered))
        .order_by("-created_at", "-pk")[:limit]
    )


def group_polls(*, group, limit: int = 5) -> list[DatePoll]:
    """A group's open polls for its page (the group page has checked membership)."""
    return list(
        DatePoll.objects.filter(group=group, invitees_kind=PollInvitees.GROUP, closed_at__isnull=True).order_by("-created_at")[:limit]
    )
