"""Every write on the label goes through one of these functions (a package by sub-domain:
``referentials``, ``applications``, ``reviews``, ``decisions``; ``workflow`` holds what they share).

Each transition checks who may do it (``PermissionDenied`` otherwise), checks the state it
starts from (``ValidationError`` otherwise), runs in one transaction, writes an ``AuditEntry``
(who, when, from, to, comment) and notifies the people concerned. Notifications and e-mails
are written in the same transaction (outbox) and leave after commit. The acting member is always
``actor``; every argument is keyword-only.
"""

from .applications import (
    application_abandon,
    application_answers_save,
    application_create,
    application_request_corrections,
    application_schedule_visit,
    application_submit,
    evidence_add,
    evidence_delete,
)
from .decisions import (
    application_decide,
    assertion_revoke,
    competence_badge_issue,
    label_badge_class,
    label_renewal_create,
    label_withdraw,
    labels_expire,
    renewal_reminders_send,
)
from .referentials import referential_create, referential_new_version, referential_publish
from .reviews import application_assign_reviewers, review_declare, review_save
from .workflow import DEFAULT_VALIDITY_YEARS, EVIDENCE_MAX_BYTES, MAX_REVIEWERS

__all__ = [
    "DEFAULT_VALIDITY_YEARS",
    "EVIDENCE_MAX_BYTES",
    "MAX_REVIEWERS",
    "application_abandon",
    "application_answers_save",
    "application_assign_reviewers",
    "application_create",
    "application_decide",
    "application_request_corrections",
    "application_schedule_visit",
    "application_submit",
    "assertion_revoke",
    "competence_badge_issue",
    "evidence_add",
    "evidence_delete",
    "label_badge_class",
    "label_renewal_create",
    "label_withdraw",
    "labels_expire",
    "referential_create",
    "referential_new_version",
    "referential_publish",
    "renewal_reminders_send",
    "review_declare",
    "review_save",
]
