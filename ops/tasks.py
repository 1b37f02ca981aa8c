"""Background work of the ops app: its own housekeeping, run by the scheduler like the apps' jobs."""

from django.tasks import task

from .workers import task_results_prune


@task
def task_results_prune_task() -> int:
    return task_results_prune()
