"""Periodic work of the agenda; both jobs are idempotent (run them as often as you like)."""

from django.tasks import task

from .services import offers_expire, reminders_send


@task
def reminders_send_task() -> int:
    return reminders_send()


@task
def offers_expire_task() -> int:
    return offers_expire()
