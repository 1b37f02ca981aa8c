"""Periodic work of the label: renewal reminders and expiry. Idempotent, safe to run twice."""

from django.tasks import task

from . import services


@task
def labels_daily_task() -> dict:
    expired = services.labels_expire()
    reminded = services.renewal_reminders_send()
    return {"expired": expired, "reminded": reminded}
