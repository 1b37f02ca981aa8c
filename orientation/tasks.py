"""Periodic work of orientation: the personal-data purge. Idempotent, safe to run twice."""

from django.tasks import task

from . import services


@task
def referral_personal_data_purge_task() -> int:
    return services.referral_personal_data_purge()
