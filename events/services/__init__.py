"""Every write of the events app, by sub-domain:

* ``calendar`` — events themselves: create, change, cancel, repeat; the activity stream;
* ``questions`` — the sign-up form's questions and the validation of answers;
* ``registrations`` — sign-up, e-mail confirmation, cancellation, waiting list, check-in;
* ``announce`` — registration e-mails with the .ics, change notices, reminders, the feed secret;
* ``sessions`` — collective-intelligence sessions: proposals, breakouts, notes, restitutions.

Functions are keyword-only, named ``<thing>_<action>``; the acting member is ``actor`` (``None``
for a visitor). Side effects (e-mails, notifications, stream items) are written in the caller's
transaction (outbox) and leave after commit. Callers import from this package:
``services.registration_create(...)``.
"""

from .announce import calendar_token_rotate, ics_attachment, reminders_send, when_text
from .calendar import (
    EVENT_FIELDS,
    NOTIFIED_FIELDS,
    agenda_settings_update,
    event_cancel,
    event_create,
    event_review,
    event_update,
    group_agenda_policy_set,
    series_create,
)
from .questions import answers_clean, question_delete, question_save
from .registrations import (
    offers_expire,
    registration_add,
    registration_cancel,
    registration_check_in,
    registration_check_in_by_code,
    registration_confirm_email,
    registration_create,
    registration_intention_set,
    registration_move,
    registration_offer_accept,
    registration_set_shown,
    registration_staff_confirm,
    waitlist_promote,
)
from .sessions import (
    breakout_choose,
    breakout_create,
    breakout_leave,
    broadcast_counts,
    broadcast_note,
    broadcast_timer,
    note_create,
    proposal_create,
    proposal_decide,
    restitution_publish,
    session_timer_start,
    session_timer_stop,
)

__all__ = [
    "EVENT_FIELDS",
    "agenda_settings_update",
    "event_review",
    "group_agenda_policy_set",
    "NOTIFIED_FIELDS",
    "answers_clean",
    "breakout_choose",
    "breakout_create",
    "breakout_leave",
    "broadcast_counts",
    "broadcast_note",
    "calendar_token_rotate",
    "event_cancel",
    "event_create",
    "event_update",
    "ics_attachment",
    "note_create",
    "offers_expire",
    "proposal_create",
    "proposal_decide",
    "question_delete",
    "question_save",
    "registration_add",
    "registration_cancel",
    "registration_check_in",
    "registration_check_in_by_code",
    "registration_confirm_email",
    "registration_create",
    "registration_set_shown",
    "registration_intention_set",
    "registration_move",
    "registration_offer_accept",
    "registration_staff_confirm",
    "reminders_send",
    "restitution_publish",
    "session_timer_start",
    "session_timer_stop",
    "broadcast_timer",
    "series_create",
    "waitlist_promote",
    "when_text",
]
