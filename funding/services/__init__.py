"""Every write of the funding app, by sub-domain:

* ``calls`` — calls and their review (create, edit, publish, decline, close; duplicates; ingest);
* ``sources`` — sources, polling and CSV import;
* ``watches`` — saved searches with their e-mail opt-in and unsubscribe links;
* ``alerts`` — matching new calls against watches and delivering alerts (outbox, stream);
* ``deadlines`` — deadline reminders and the private calendar link;
* ``together`` — interest, partner searches and sharing a call in a group;
* ``reports`` — calls reported by members (report, merge into a duplicate);
* ``consortia`` — consortia on a call (members, invitations, files) and application tracking;
* ``announcements`` — a consortium looking for partners announced once to the members it concerns;
* ``support`` — members asking the hub for help, the staff queue.

Functions are keyword-only, named ``<thing>_<action>``; the acting member is ``actor``. Side
effects (e-mails, notifications, stream items) are written in the caller's transaction (outbox)
and leave after commit. Callers import from this package: ``services.call_publish(...)``.
"""

from .alerts import AlertRun, WatchRow, alert_settle, alerts_run, watches_due, watches_match
from .announcements import consortia_partners_announce, consortium_partners_announce, partner_announcement_recipients
from .calls import (
    call_close,
    call_create,
    call_find_duplicate,
    call_ingest,
    call_publish,
    call_ref,
    call_reject,
    call_update,
    calls_close_expired,
)
from .consortia import (
    application_update,
    consortium_create,
    consortium_file_add,
    consortium_invitation_answer,
    consortium_invite,
    consortium_leave,
    consortium_member_decide,
    consortium_ref,
    consortium_request_join,
    consortium_update,
    is_active_member,
    is_lead,
    matching_opt_out_set,
)
from .deadlines import calendar_token_get, calendar_token_reset, reminders_send
from .reports import call_merge, call_report
from .sources import ImportReport, PollResult, calls_import_csv, source_poll, source_save, sources_poll_all
from .support import support_request_create, support_request_update
from .together import call_share_to_group, interest_toggle, partner_search_close, partner_search_create
from .watches import (
    CONFIRM_MAX_AGE,
    CONFIRM_SALT,
    UNSUBSCRIBE_SALT,
    watch_confirm_email,
    watch_confirm_url,
    watch_create,
    watch_delete,
    watch_get_by_token,
    watch_token,
    watch_unsubscribe,
    watch_unsubscribe_url,
    watch_update,
)

__all__ = [
    "consortia_partners_announce",
    "consortium_partners_announce",
    "partner_announcement_recipients",
    "application_update",
    "consortium_create",
    "consortium_file_add",
    "consortium_invitation_answer",
    "consortium_invite",
    "consortium_leave",
    "consortium_member_decide",
    "consortium_ref",
    "consortium_request_join",
    "consortium_update",
    "is_active_member",
    "is_lead",
    "matching_opt_out_set",
    "support_request_create",
    "support_request_update",
    "CONFIRM_MAX_AGE",
    "CONFIRM_SALT",
    "UNSUBSCRIBE_SALT",
    "AlertRun",
    "ImportReport",
    "PollResult",
    "WatchRow",
    "alert_settle",
    "alerts_run",
    "calendar_token_get",
    "calendar_token_reset",
    "call_close",
    "call_create",
    "call_find_duplicate",
    "call_merge",
    "call_report",
    "call_ingest",
    "call_publish",
    "call_ref",
    "call_reject",
    "call_share_to_group",
    "call_update",
    "calls_close_expired",
    "calls_import_csv",
    "interest_toggle",
    "partner_search_close",
    "partner_search_create",
    "reminders_send",
    "source_poll",
    "source_save",
    "sources_poll_all",
    "watch_confirm_email",
    "watch_confirm_url",
    "watch_create",
    "watch_delete",
    "watch_get_by_token",
    "watch_token",
    "watch_unsubscribe",
    "watch_unsubscribe_url",
    "watch_update",
    "watches_due",
    "watches_match",
]
