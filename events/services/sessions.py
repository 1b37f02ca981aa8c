"""Collective-intelligence sessions: proposals, breakouts (sub-groups), live notes, restitutions.

Sub-group sizes hold under concurrency through a conditional ``UPDATE`` on
``Breakout.participant_count``; the live page hears counts and notes through ``common.live``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from common.live import broadcast
from community.notifications import notification_send

from ..models import Breakout, BreakoutChoice, BreakoutNote, Event, Proposal, ProposalStatus, SessionTimer
from ..selectors import (
    breakout_counts,
    can_join_session,
    can_manage,
    can_register,
    session_group,
    session_timer_current,
    session_timer_json,
)
from .announce import participants_notify


def proposal_create(*, actor, event: Event, title: str, pitch: str, wants: str = "") -> Proposal:
    """A member proposes a project for a session that calls for proposals."""
    if not event.accepts_proposals:
        raise ValidationError(_("Cet événement ne reçoit pas de propositions."))
    if actor is None or actor.is_anonymous or not can_register(actor, event):
        raise PermissionDenied
    if not title.strip() or not pitch.strip():
        raise ValidationError(_("Donnez un titre et une présentation."))
    return Proposal.objects.create(event=event, author=actor, title=title.strip(), pitch=pitch, wants=wants)


def proposal_decide(*, actor, proposal: Proposal, accept: bool, host=None, size_limit: int | None = None) -> Proposal:
    """Accept (the proposal becomes a breakout hosted by its author unless told otherwise) or decline."""
    if not can_manage(actor, proposal.event):
        raise PermissionDenied
    with transaction.atomic():
        proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
        proposal.save(update_fields=["status", "updated_at"])
        if accept:
            Breakout.objects.get_or_create(
                proposal=proposal,
                defaults={"event": proposal.event, "title": proposal.title, "host": host or proposal.author, "size_limit": size_limit},
            )
        else:
            Breakout.objects.filter(proposal=proposal, participant_count=0).delete()
        if proposal.author_id:
            verb = (_("Votre proposition « %(t)s » est retenue") if accept else _("Votre proposition « %(t)s » n'est pas retenue")) % {
                "t": proposal.title
            }
            notification_send(recipient=proposal.author, kind="events.registration", verb=verb, url=proposal.event.get_absolute_url())
    return proposal


def breakout_create(*, actor, event: Event, title: str, host=None, size_limit: int | None = None) -> Breakout:
    """The organiser opens a sub-group."""
    if not can_manage(actor, event):
        raise PermissionDenied
    return Breakout.objects.create(event=event, title=title, host=host, size_limit=size_limit)


def breakout_choose(*, actor, breakout: Breakout) -> BreakoutChoice:
    """Join a sub-group (leaving the previous one); the size limit holds under concurrency."""
    event = breakout.event
    if not actor.is_authenticated or not can_join_session(actor, event):
        raise PermissionDenied
    with transaction.atomic():
        previous = BreakoutChoice.objects.filter(event=event, user=actor).first()
        if previous and previous.breakout_id == breakout.pk:
            return previous
        taken = (
            Breakout.objects.filter(pk=breakout.pk)
            .filter(Q(size_limit__isnull=True) | Q(size_limit__gt=F("participant_count")))
            .update(participant_count=F("participant_count") + 1)
        )
        if not taken:
            raise ValidationError(_("Ce sous-groupe est complet."))
        if previous:
            Breakout.objects.filter(pk=previous.breakout_id, participant_count__gt=0).update(participant_count=F("participant_count") - 1)
            previous.breakout = breakout
            previous.save(update_fields=["breakout", "updated_at"])
            choice = previous
        else:
            choice = BreakoutChoice.objects.create(event=event, breakout=breakout, user=actor)
        transaction.on_commit(lambda: broadcast_counts(event.pk))
    return choice


def breakout_leave(*, actor, event: Event) -> None:
    """Leave one's sub-group of the session (its seat is freed)."""
    with transaction.atomic():
        choice = BreakoutChoice.objects.filter(event=event, user=actor).first()
        if choice is None:
            return
        Breakout.objects.filter(pk=choice.breakout_id, participant_count__gt=0).update(participant_count=F("participant_count") - 1)
        choice.delete()
        transaction.on_commit(lambda: broadcast_counts(event.pk))


def note_create(*, actor, breakout: Breakout, body: str) -> BreakoutNote:
    """A session participant adds a note to a sub-group (5000 characters at most); others see it live."""
    if not can_join_session(actor, breakout.event):
        raise PermissionDenied
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("La note est vide.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("La note est trop longue (5000 caractères au plus).")})
    note = BreakoutNote.objects.create(breakout=breakout, author=actor, body=body)
    transaction.on_commit(lambda: broadcast_note(note.pk))
    return note


def restitution_publish(*, actor, breakout: Breakout, text: str) -> Breakout:
    """The host (or the organiser) publishes the sub-group's restitution; participants are notified."""
    event = breakout.event
    if not (actor.is_authenticated and (breakout.host_id == actor.pk or can_manage(actor, event))):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"restitution": _("La restitution est vide.")})
    with transaction.atomic():
        first_time = breakout.restitution_published_at is None
        breakout.restitution = text
        breakout.restitution_published_at = breakout.restitution_published_at or timezone.now()
        breakout.save(update_fields=["restitution", "restitution_published_at", "updated_at"])
        if first_time:
            participants_notify(
                event,
                kind="events.restitution",
                verb=_("Restitution publiée : « %(t)s » (%(e)s)") % {"t": breakout.title, "e": event.title},
            )
    return breakout


SESSION_TIMER_MAX_MINUTES = 240


def session_timer_start(*, actor, event: Event, minutes: int, label: str = "") -> SessionTimer:
    """The organiser starts (or restarts) the session's countdown, 1 to 240 minutes; every open page sees it.
    The one place of the rule: anyone else gets PermissionDenied, checked before their input."""
    if not can_manage(actor, event):
        raise PermissionDenied
    if event.is_cancelled:
        raise ValidationError(_("La séance est annulée."))
    if not isinstance(minutes, int) or not 1 <= minutes <= SESSION_TIMER_MAX_MINUTES:
        raise ValidationError({"minutes": _("Choisissez une durée entre 1 et %(n)s minutes.") % {"n": SESSION_TIMER_MAX_MINUTES}})
    label = label.strip()
    if len(label) > 80:
        raise ValidationError({"label": _("L'intitulé de l'étape est trop long (80 caractères au plus).")})
    with transaction.atomic():
        timer, _created = SessionTimer.objects.update_or_create(
            event=event,
            defaults={"label": label, "ends_at": timezone.now() + timezone.timedelta(minutes=minutes), "started_by": actor},
        )
    transaction.on_commit(lambda: broadcast_timer(event.pk))
    return timer


def session_timer_stop(*, actor, event: Event) -> None:
    """The organiser stops the countdown; pages hide it."""
    if not can_manage(actor, event):
        raise PermissionDenied
    SessionTimer.objects.filter(event=event).delete()
    transaction.on_commit(lambda: broadcast_timer(event.pk))


def broadcast_timer(event_id: int) -> None:
    """Send the session's countdown (or its absence) to the live page."""
    broadcast(session_group(event_id), {"type": "session.timer", "timer": session_timer_json(session_timer_current(event_id))})


def broadcast_counts(event_id: int) -> None:
    """Send the sub-groups' head counts to the session's live page."""
    broadcast(session_group(event_id), {"type": "session.counts", "counts": breakout_counts(event_id)})


def broadcast_note(note_id: int) -> None:
    """Send a new note, rendered, to the session's live page."""
    note = BreakoutNote.objects.select_related("author__profile", "breakout").get(pk=note_id)
    html = render_to_string("events/_note.html", {"note": note})
    broadcast(session_group(note.breakout.event_id), {"type": "session.note", "breakout": note.breakout_id, "id": note.pk, "html": html})
