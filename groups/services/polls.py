"""Polls in the forum: a topic may carry one poll; members vote and change their vote until it
closes; closing (by hand or at its date) records the outcome. Results reach open topic pages
live after commit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from common.live import broadcast
from community.models import User

from ..access import can_moderate, can_post
from ..models import Poll, PollKind, PollOption, PollResults, PollVote, Topic
from ..rendering import render_poll_results
from .live import topic_channel

MIN_OPTIONS = 2
MAX_OPTIONS = 20


def poll_clean_options(options) -> list[str]:
    """Options as typed (a list, or one per line), stripped, without blanks or repeats."""
    if isinstance(options, str):
        options = options.splitlines()
    labels: list[str] = []
    for raw in options or ():
        label = str(raw).strip()[:200]
        if label and label.casefold() not in {seen.casefold() for seen in labels}:
            labels.append(label)
    return labels


def poll_attach(
    *,
    topic: Topic,
    question: str,
    options,
    kind: str = PollKind.SINGLE,
    anonymous: bool = False,
    results: str = PollResults.AFTER_VOTE,
    closes_at=None,
) -> Poll:
    """Give a new topic its poll, in the caller's transaction: at least two distinct options, a
    known kind and results mode, a closing date in the future. Raises ``ValidationError`` on the
    ``poll_*`` fields otherwise (the caller's transaction then leaves nothing behind)."""
    question = (question or "").strip()
    labels = poll_clean_options(options)
    errors = {}
    if not question:
        errors["poll_question"] = _("Posez la question du sondage.")
    if len(labels) < MIN_OPTIONS:
        errors["poll_options"] = _("Un sondage a besoin d'au moins deux réponses différentes.")
    elif len(labels) > MAX_OPTIONS:
        errors["poll_options"] = _("%(n)s réponses au maximum.") % {"n": MAX_OPTIONS}
    if kind not in PollKind.values:
        errors["poll_kind"] = _("Type de sondage inconnu.")
    if results not in PollResults.values:
        errors["poll_results"] = _("Choix d'affichage des résultats inconnu.")
    if closes_at is not None and closes_at <= timezone.now():
        errors["poll_closes_at"] = _("La date de clôture doit être dans le futur.")
    if errors:
        raise ValidationError(errors)
    poll = Poll.objects.create(topic=topic, question=question[:200], kind=kind, anonymous=anonymous, results=results, closes_at=closes_at)
    PollOption.objects.bulk_create([PollOption(poll=poll, label=label, position=i) for i, label in enumerate(labels)])
    return poll


def poll_vote(*, poll: Poll, actor: User, option_ids) -> list[int]:
    """Active members of the group vote, or change their vote, while the poll is open and its topic
    unlocked: one option for a single-choice poll, one or more for a multiple-choice one. The poll
    row is locked for the write, so two racing submissions from one person leave one vote (the
    last). Returns the ids kept."""
    topic = poll.topic
    if not can_post(user=actor, group=topic.group) or topic.is_hidden:
        raise PermissionDenied(_("Seul·es les membres du groupe votent."))
    if topic.is_locked:
        raise ValidationError(_("Ce sujet est verrouillé : les votes sont suspendus."))
    try:
        wanted = {int(pk) for pk in option_ids or ()}
    except (TypeError, ValueError):
        raise ValidationError({"options": _("Réponse inconnue.")}) from None
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if locked.is_closed_at(timezone.now()):
            raise ValidationError(_("Ce sondage est clos : les votes ne sont plus possibles."))
        valid = set(PollOption.objects.filter(poll=locked, pk__in=wanted).values_list("pk", flat=True))
        if not wanted or valid != wanted:
            raise ValidationError({"options": _("Choisissez une réponse du sondage.")})
        if locked.kind == PollKind.SINGLE and len(wanted) != 1:
            raise ValidationError({"options": _("Ce sondage n'accepte qu'une seule réponse.")})
        PollVote.objects.filter(poll=locked, user=actor).delete()
        PollVote.objects.bulk_create([PollVote(poll=locked, option_id=pk, user=actor) for pk in sorted(wanted)])
        transaction.on_commit(lambda: broadcast_poll(poll.pk, voter_id=actor.pk))
    return sorted(wanted)


def _record_outcome(poll: Poll, *, at) -> None:
    counts = dict(PollVote.objects.filter(poll=poll).values_list("option_id").annotate(n=Count("id")).values_list("option_id", "n"))
    options = list(poll.options.all())
    best = max(counts.values(), default=0)
    poll.outcome = {
        "counts": {str(o.pk): counts.get(o.pk, 0) for o in options},
        "voters": PollVote.objects.filter(poll=poll).values("user_id").distinct().count(),
        "winners": [o.label for o in options if best and counts.get(o.pk, 0) == best],
    }
    poll.closed_at = at
    poll.save(update_fields=["outcome", "closed_at", "updated_at"])


def poll_close(*, poll: Poll, actor: User) -> Poll:
    """The topic's author (still a member) or a moderator closes the poll by hand; its outcome
    is recorded then and shown to everyone who may read the topic."""
    topic = poll.topic
    group = topic.group
    if not (can_moderate(user=actor, group=group) or (topic.author_id == actor.pk and can_post(user=actor, group=group))):
        raise PermissionDenied
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if locked.closed_at is not None:
            raise ValidationError(_("Ce sondage est déjà clos."))
        _record_outcome(locked, at=timezone.now())
        transaction.on_commit(lambda: broadcast_poll(poll.pk))
    return locked


def polls_close_due(*, now=None) -> int:
    """Periodic job: record the outcome of every poll whose closing date has passed (idempotent:
    a poll already closed is left alone). Returns how many were closed."""
    now = now or timezone.now()
    closed = 0
    for pk in Poll.objects.filter(closed_at__isnull=True, closes_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            poll = Poll.objects.select_for_update().filter(pk=pk, closed_at__isnull=True).first()
            if poll is None:
                continue
            _record_outcome(poll, at=poll.closes_at)
            transaction.on_commit(lambda pk=pk: broadcast_poll(pk))
            closed += 1
    return closed


@task
def polls_close_due_task() -> int:
    """The periodic job (registered in ``apps.py``; kept here, not in ``tasks.py``, because
    ``tasks.py`` is imported by the services)."""
    return polls_close_due()


def broadcast_poll(poll_id: int, *, voter_id: int | None = None) -> None:
    """After commit: the poll's results (viewer-neutral) to every open page of its topic. The
    consumer forwards the full results only to connections allowed to see them (poll closed, or
    results after vote and that member has voted) and the voter count to the others."""
    poll = Poll.objects.select_related("topic__group").filter(pk=poll_id).first()
    if poll is None:
        return
    closed = poll.is_closed_at(timezone.now())
    results_html, summary_html = render_poll_results(poll)
    broadcast(
        topic_channel(poll.topic_id),
        {
            "type": "forum.poll",
            "poll_id": poll.pk,
            "voter_id": voter_id,
            "closed": closed,
            "after_vote": poll.results == PollResults.AFTER_VOTE,
            "results_html": results_html,
            "summary_html": summary_html,
        },
    )
