"""Periodic work of places: the stale-data reminder. Idempotent, safe to run twice."""

from django.tasks import task

from . import services


@task
def place_confirm_reminders_task() -> int:
    return services.place_confirm_reminders_send()
