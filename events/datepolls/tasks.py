"""Periodic work of date polls; both jobs are idempotent."""

from django.tasks import task

from .services import datepoll_guests_purge, datepolls_close_due


@task
def datepolls_close_due_task() -> int:
    return datepolls_close_due()


@task
def datepoll_guests_purge_task() -> int:
    return datepoll_guests_purge()
