"""Events themselves: create, change, cancel, repeat; each published event in the activity stream."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.activity import activity_record, activity_set_audience, activity_withdraw
from community.models import ActivityKind, User
from community.notifications import notification_send

from ..models import EVENT_EDITABLE_FIELDS, IN_REVIEW, AgendaSettings, Audience, Event, EventSeries, EventState, GroupAgendaPolicy
from ..selectors import can_admin_group_agenda, can_create_event, can_manage, event_audience, event_needs_approval
from .announce import participants_notify, when_text
from .registrations import waitlist_promote

EVENT_FIELDS = {*EVENT_EDITABLE_FIELDS, "reminder_minutes", "series"}
# Changes participants must hear about.
NOTIFIED_FIELDS = {"start", "end", "address", "commune", "online_url", "format"}


def _validate_event(event: Event) -> None:
    errors = {}
    if event.start and event.end and event.end < event.start:
        errors["end"] = _("La fin doit suivre le début.")
    if event.audience == Audience.GROUP and not event.audience_group_id:
        errors["audience_group"] = _("Choisissez le groupe auquel l'événement s'adresse.")
    if (
        event.organiser_group_id
        and event.organiser_group.is_secret
        and not (event.audience == Audience.GROUP and event.audience_group_id == event.organiser_group_id)
    ):
        errors["audience"] = _("Un groupe secret ne peut organiser que des événements réservés à ses membres.")
    if event.capacity is not None and event.seats_taken > event.capacity:
        errors["capacity"] = _("%(n)s places sont déjà prises : la capacité ne peut pas descendre en dessous.") % {"n": event.seats_taken}
    if errors:
        raise ValidationError(errors)


def _value_of(event: Event, name: str):
    field = Event._meta.get_field(name)
    return getattr(event, field.attname)


def _object_ref(event: Event) -> str:
    return f"events.event:{event.pk}"


def _stream_record(event: Event, *, actor, verb: str) -> None:
    """One stream item about the event, seen by exactly the people who may see its page."""
    activity_record(
        verb=verb,
        title=event.title,
        url=event.get_absolute_url(),
        audience=event_audience(event),
        kind=ActivityKind.EVENTS,
        actor=actor,
        summary=_("%(summary)s — le %(when)s") % {"summary": event.summary, "when": when_text(event.start)}
        if event.summary
        else _("Le %(when)s") % {"when": when_text(event.start)},
        object_ref=_object_ref(event),
        group_id=event.audience_group_id or event.organiser_group_id,
    )


def _submitted_state(actor, event: Event, wanted: str) -> str:
    """What "publish" means for this actor: published, or pending when the hub setting asks for approval."""
    if wanted == EventState.PUBLISHED and event_needs_approval(actor, organiser_group=event.organiser_group):
        return EventState.PENDING
    if wanted in IN_REVIEW and not actor.is_hub_staff:
        raise PermissionDenied
    return wanted


def _staff_notify_pending(event: Event) -> None:
    """Tell the hub staff an event waits for their decision."""
    for staff in User.objects.filter(is_staff=True, is_active=True):
        notification_send(
            recipient=staff,
            kind="events.review",
            verb=_("Événement à valider : « %(title)s »") % {"title": event.title},
            url=reverse("events:review_queue"),
        )


def event_create(*, actor, **fields) -> Event:
    """Create an event: staff any; a member proposes one to the hub agenda or, as allowed, for a group;
    it is published at once or waits for staff approval as the hub setting says."""
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"unknown event fields: {unknown}")
    event = Event(created_by=actor, **fields)
    if not can_create_event(actor, organiser_group=event.organiser_group):
        raise PermissionDenied
    event.state = _submitted_state(actor, event, event.state)
    if event.audience != Audience.GROUP:
        event.audience_group = None
    _validate_event(event)
    with transaction.atomic():
        event.save()
        if event.state == EventState.PUBLISHED:
            _stream_record(event, actor=actor, verb=_("a publié un événement"))
        elif event.state == EventState.PENDING:
            _staff_notify_pending(event)
    return event


def event_update(*, actor, event: Event, **fields) -> Event:
    """Save changes; participants hear about a new time or place, and freed capacity promotes."""
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"unknown event fields: {unknown}")
    if not can_manage(actor, event):
        raise PermissionDenied
    with transaction.atomic():
        current = Event.objects.select_for_update().get(pk=event.pk)
        was_published = current.state == EventState.PUBLISHED
        changed = {name for name, value in fields.items() if _value_of(current, name) != (value.pk if hasattr(value, "pk") else value)}
        for name, value in fields.items():
            setattr(current, name, value)
        if "state" in changed and not (was_published and current.state == EventState.PUBLISHED):
            if current.state != EventState.CANCELLED:
                current.state = _submitted_state(actor, current, current.state)
        elif (
            not actor.is_hub_staff and "organiser_group" in changed and not can_create_event(actor, organiser_group=current.organiser_group)
        ):
            raise PermissionDenied
        if current.audience != Audience.GROUP:
            current.audience_group = None
        _validate_event(current)
        cancelling = "state" in changed and current.state == EventState.CANCELLED
        if cancelling:  # cancelling through the edit form: same path as the cancel button
            current.state = Event.objects.get(pk=current.pk).state
        notify = current.state == EventState.PUBLISHED and bool(changed & NOTIFIED_FIELDS)
        if notify:
            current.sequence = F("sequence") + 1
        current.save()
        current.refresh_from_db()
        if "capacity" in changed:
            waitlist_promote(event=current)
        if cancelling:
            return event_cancel(actor=actor, event=current)
        if current.state == EventState.PENDING and "state" in changed:
            _staff_notify_pending(current)
        if current.state == EventState.PUBLISHED and not was_published:
            _stream_record(current, actor=actor, verb=_("a publié un événement"))
        elif current.state != EventState.PUBLISHED and was_published:
            activity_withdraw(object_ref=_object_ref(current))
        elif current.state == EventState.PUBLISHED and changed:
            activity_set_audience(audience=event_audience(current), object_ref=_object_ref(current))
            if notify:
                _stream_record(current, actor=actor, verb=_("a modifié un événement"))
        if notify:
            participants_notify(
                current,
                kind="events.change",
                verb=_("Changement pour « %(title)s »") % {"title": current.title},
                description=_("Le %(date)s. Vérifiez la date, le lieu ou le lien sur la page de l'événement.")
                % {"date": when_text(current.start)},
            )
    return current


def event_cancel(*, actor, event: Event, reason: str = "") -> Event:
    """Cancel the event; every participant is told (the registrations are kept, for the record)."""
    if not can_manage(actor, event):
        raise PermissionDenied
    with transaction.atomic():
        updated = (
            Event.objects.filter(pk=event.pk)
            .exclude(state=EventState.CANCELLED)
            .update(state=EventState.CANCELLED, sequence=F("sequence") + 1)
        )
        event.refresh_from_db()
        if updated:
            participants_notify(
                event,
                kind="events.change",
                verb=_("Événement annulé : « %(title)s »") % {"title": event.title},
                description=reason or _("L'événement prévu le %(date)s est annulé.") % {"date": when_text(event.start)},
            )
            _stream_record(event, actor=actor, verb=_("a annulé un événement"))
    return event


REVIEW_DECISIONS = {
    "approve": EventState.PUBLISHED,
    "changes": EventState.CHANGES,
    "decline": EventState.DECLINED,
}


def event_review(*, actor, event: Event, decision: str, reason: str = "") -> Event:
    """Staff decide on a member's event: approve (published, in the stream), ask for changes or decline
    — both with a reason; the proposer is notified either way."""
    if not actor.is_hub_staff:
        raise PermissionDenied
    if decision not in REVIEW_DECISIONS:
        raise ValidationError(_("Décision inconnue."))
    reason = reason.strip()
    if decision != "approve" and not reason:
        raise ValidationError({"reason": _("Expliquez à la personne ce qui doit changer ou pourquoi l'événement est refusé.")})
    with transaction.atomic():
        state = REVIEW_DECISIONS[decision]
        if not Event.objects.filter(pk=event.pk, state=EventState.PENDING).update(state=state, review_note=reason):
            raise ValidationError(_("Cet événement n'attend plus de décision."))
        event.refresh_from_db()
        if state == EventState.PUBLISHED:
            _stream_record(event, actor=event.created_by, verb=_("a publié un événement"))
        if event.created_by_id:
            verbs = {
                "approve": _("Votre événement « %(title)s » est publié"),
                "changes": _("Des modifications sont demandées pour « %(title)s »"),
                "decline": _("Votre événement « %(title)s » n'est pas retenu"),
            }
            notification_send(
                recipient=event.created_by,
                kind="events.review",
                verb=verbs[decision] % {"title": event.title},
                description=reason,
                url=event.get_absolute_url(),
            )
    return event


def agenda_settings_update(*, actor, group_events_need_approval: bool, hub_events_need_approval: bool) -> AgendaSettings:
    """Staff say which members' events wait for their approval."""
    if not actor.is_hub_staff:
        raise PermissionDenied
    settings_ = AgendaSettings.current()
    settings_.group_events_need_approval = group_events_need_approval
    settings_.hub_events_need_approval = hub_events_need_approval
    settings_.save()
    return settings_


def group_agenda_policy_set(*, actor, group, members_create_events: bool) -> GroupAgendaPolicy:
    """A group's admins say whether any member may create events for the group."""
    if not can_admin_group_agenda(actor, group):
        raise PermissionDenied
    policy, _created = GroupAgendaPolicy.objects.update_or_create(group=group, defaults={"members_create_events": members_create_events})
    return policy


def series_create(*, actor, interval_weeks: int, count: int, signup_scope: str, **fields) -> EventSeries:
    """Materialise a recurrence as one event per date (Europe/Paris wall-clock time is kept)."""
    if count < 1 or count > 52 or interval_weeks < 1:
        raise ValidationError(_("Une série compte de 1 à 52 dates, espacées d'au moins une semaine."))
    with transaction.atomic():
        series = EventSeries.objects.create(title=fields["title"], interval_weeks=interval_weeks, count=count, signup_scope=signup_scope)
        start_local = timezone.localtime(fields.pop("start"))
        duration = fields.pop("end") - start_local
        for i in range(count):
            # Add days to the local wall-clock time, then localise: 14:00 stays 14:00 across DST.
            naive = start_local.replace(tzinfo=None) + timedelta(weeks=interval_weeks * i)
            start = timezone.make_aware(naive)
            event_create(actor=actor, start=start, end=start + duration, series=series, **fields)
    return series
