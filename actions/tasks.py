"""Periodic work of follow-up actions (idempotent: run it as often as you like)."""

from django.tasks import task

from .services import reminders_send


@task
def reminders_send_task() -> int:
    return reminders_send()
