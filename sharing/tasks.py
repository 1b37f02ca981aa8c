"""Periodic work of sharing: reminders before the start and when a return is late. Idempotent."""

from django.tasks import task

from . import services


@task
def booking_reminders_task() -> int:
    return services.booking_reminders_send()
