"""Reads of the minutes: the template a new text starts from, the page's lists, revisions.

The template takes the attendance as it stands (present / excused / absent), and the follow-up
actions of the group or series: those done or dropped since the previous meeting, and those still
open, so that the next meeting chases them without anyone keeping a list by hand.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.access import actions_visible_to
from actions.models import OPEN_STATUSES, Action, ActionStatus
from actions.selectors import origin_actions
from community.models import User

from ..models import SEAT_HOLDING, Amendment, Event, EventState, Intention, Minutes, MinutesRevision, Registration
from .text import Section, join_sections, keep_sections

ORIGIN_KIND = "events.minutes"


def attendance_names(event: Event) -> dict[str, list[str]]:
    """Names of the present, excused (with their message) and absent people; "unknown" before the event."""
    names: dict[str, list[str]] = {"present": [], "excused": [], "absent": [], "unknown": []}
    regs = Registration.objects.filter(event=event, status__in=SEAT_HOLDING).select_related("user__profile").order_by("name", "pk")
    over = event.is_past
    for reg in regs:
        name = reg.user.public_name if reg.user_id else reg.name
        state = reg.attendance or ("absent" if over else "unknown")
        if state == Intention.EXCUSED and reg.intention_message:
            name = f"{name} ({reg.intention_message})"
        names[state].append(name)
    return names


def previous_meeting(event: Event) -> Event | None:
    """The last meeting before this one of the same series, or else of the same organising group."""
    if event.series_id:
        same = Q(series_id=event.series_id)
    elif event.organiser_group_id:
        same = Q(organiser_group_id=event.organiser_group_id)
    else:
        return None
    return (
        Event.objects.filter(same, start__lt=event.start)
        .exclude(pk=event.pk)
        .exclude(state=EventState.CANCELLED)
        .order_by("-start")
        .first()
    )


def _followed_actions(*, viewer, event: Event) -> QuerySet[Action]:
    """The actions of the group's board, or of the series' minutes."""
    if event.organiser_group_id:
        scope = Q(container=f"group:{event.organiser_group_id}")
    elif event.series_id:
        minutes_ids = Minutes.objects.filter(event__series_id=event.series_id).values_list("pk", flat=True)
        scope = Q(origin_kind=ORIGIN_KIND, origin_id__in=list(minutes_ids))
    else:
        return Action.objects.none()
    owners = Prefetch("owners", queryset=User.objects.select_related("profile").order_by("first_name", "last_name", "pk"))
    return actions_visible_to(viewer).filter(scope).prefetch_related(owners).order_by("due_date", "pk")


def actions_since_previous(*, viewer, event: Event) -> tuple[Event | None, list[Action], list[Action]]:
    """The previous meeting, the actions done or dropped since it, and the actions still open."""
    previous = previous_meeting(event)
    actions = _followed_actions(viewer=viewer, event=event)
    closed = []
    if previous is not None:
        closed = list(actions.filter(status__in=[ActionStatus.DONE, ActionStatus.DROPPED], closed_at__gte=previous.start))
    still_open = list(actions.filter(status__in=OPEN_STATUSES))
    return previous, closed, still_open


def action_line(action: Action) -> str:
    """One action as a line of text: description, owners, due date."""
    owners = ", ".join(u.public_name for u in action.owners.all())
    return _("%(description)s — %(owners)s, échéance %(due)s") % {
        "description": action.description,
        "owners": owners or _("sans responsable"),
        "due": action.due_date.strftime("%d/%m/%Y"),
    }


def _bullets(lines: list[str], empty: str) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else empty


def minutes_template(*, viewer, event: Event) -> str:
    """The text a new compte rendu starts from: attendance, agenda, exchanges, decisions, actions, follow-up."""
    names = attendance_names(event)
    previous, closed, still_open = actions_since_previous(viewer=viewer, event=event)
    nobody = _("- (personne)")
    present = names["present"] + ([_("%(name)s (présence à confirmer)") % {"name": n} for n in names["unknown"]])
    sections = [
        Section(_("Présents"), _bullets(present, nobody)),
        Section(_("Excusés"), _bullets(names["excused"], nobody)),
        Section(_("Absents"), _bullets(names["absent"], nobody)),
        Section(_("Ordre du jour"), _("1. …\n2. …")),
        Section(_("Échanges"), _("…")),
        Section(_("Décisions"), _("- …")),
        Section(_("Actions"), _("Les actions décidées sont ajoutées sous le compte rendu (qui fait quoi pour quand).")),
    ]
    if previous is not None or still_open:
        follow = []
        if previous is not None:
            when = timezone.localtime(previous.start).strftime("%d/%m/%Y")
            done = [f"{action_line(a)} : **{a.get_status_display().lower()}**" for a in closed]
            follow.append(_("Depuis la réunion du %(date)s :") % {"date": when})
            follow.append(_bullets(done, _("- aucune action terminée ou abandonnée")))
        if still_open:
            follow.append(_("Toujours en cours :"))
            follow.append(_bullets([action_line(a) for a in still_open], ""))
        sections.append(Section(_("Suivi des actions"), "\n\n".join(follow)))
    return join_sections(sections)


def visible_body(minutes: Minutes, *, full_text: bool) -> str:
    """The text a reader gets: all of it, or only the sections of the public restitution."""
    return minutes.body if full_text else keep_sections(minutes.body, minutes.public_sections)


def minutes_readers(minutes: Minutes) -> list:
    """The participants who answered « rien à signaler » in the round, in the order they did."""
    return [r.user for r in minutes.readings.select_related("user__profile").order_by("created_at", "pk")]


def amendment_list(minutes: Minutes) -> list[Amendment]:
    """The comments and proposals of the minutes, oldest first, with their authors."""
    return list(minutes.amendments.select_related("author__profile", "decided_by__profile"))


def revision_list(minutes: Minutes) -> list[MinutesRevision]:
    """Every revision, newest first, without their texts."""
    return list(minutes.revisions.select_related("author__profile").defer("body"))


def revision_get(*, minutes: Minutes, number: int) -> MinutesRevision:
    """One past revision (404 if there is no such number)."""
    revision = minutes.revisions.select_related("author__profile").filter(number=number).first()
    if revision is None:
        raise Http404
    return revision


def decided_actions(*, viewer, minutes: Minutes) -> list[Action]:
    """The follow-up actions decided in these minutes that the viewer may see (for print and PDF)."""
    return origin_actions(viewer=viewer, kind=ORIGIN_KIND, origin_id=minutes.pk)
