"""Periodic work of the minutes' amendment round; both jobs are idempotent."""

from django.tasks import task

from .services import minutes_rounds_close_due, minutes_rounds_remind


@task
def minutes_rounds_remind_task() -> int:
    return minutes_rounds_remind()


@task
def minutes_rounds_close_due_task() -> int:
    return minutes_rounds_close_due()
